/**
 * The stateless tools, as the CLI runs them: NLB addresses of a VIP (`nlb`), hypervisor scheme overlaps
 * of a hosts file (`collide`), and a virtual switch / NLB lab scenario (`lab run`). Files travel as
 * text inside a JSON body, so they are validated like every other request.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import { nlbJson, parseVip } from '../../mac/index.js';
import { apiRoute, check, json, type ApiEnv } from '../respond.js';

const Report = z
  .record(z.string(), z.unknown())
  .openapi('Report', { description: 'the JSON report the CLI prints with --json' });
const NlbSchema = z
  .object({
    vip: z.string(),
    unicast: z.string(),
    multicast: z.string(),
    igmp: z.string(),
    igmpGroup: z.string(),
    maskedSource: z.record(z.string(), z.string()),
  })
  .openapi('NlbAddresses');
const text = (what: string) =>
  z
    .string()
    .min(1)
    .max(4 * 1024 * 1024)
    .openapi({ description: what });

const nlb = apiRoute('viewer', {
  method: 'get',
  path: '/nlb/{vip}',
  tags: ['tools'],
  summary: 'the MACs Microsoft NLB derives from a cluster VIP (as `nlb ip2mac`, plus masked source MACs)',
  request: {
    params: z.object({
      vip: z
        .string()
        .max(64)
        .openapi({ param: { name: 'vip', in: 'path' }, example: '192.168.0.10' }),
    }),
  },
  responses: { 200: json(NlbSchema, 'the addresses') },
});

const collide = apiRoute('viewer', {
  method: 'post',
  path: '/collide',
  tags: ['tools'],
  summary: "which hosts' hypervisor MAC schemes overlap (the hosts file of `macfleet collide`)",
  request: {
    body: {
      content: { 'application/json': { schema: z.object({ hosts: text('the hosts file, YAML or JSON') }) } },
      required: true,
    },
  },
  responses: { 200: json(Report, 'the collision report') },
});

const lab = apiRoute('viewer', {
  method: 'post',
  path: '/lab/runs',
  tags: ['tools'],
  summary: 'replay a virtual switch / NLB scenario: where every frame went, and the symptoms seen',
  request: {
    body: {
      content: {
        'application/json': { schema: z.object({ scenario: text('the scenario YAML (see examples/lab/)') }) },
      },
      required: true,
    },
  },
  responses: { 200: json(Report, 'the run, as `lab run --json` prints it') },
});

const spoofing = apiRoute('viewer', {
  method: 'post',
  path: '/doctor/spoofing',
  tags: ['tools'],
  summary:
    'which adapters allow MAC spoofing, and which other VMs on the same switch (or physical network) they could impersonate (as `macfleet doctor spoofing --json`)',
  request: {
    body: {
      content: {
        'application/json': {
          schema: z.object({
            inventory: text('the inventory YAML: switches, VMs, adapters (as for `lab run`)'),
          }),
        },
      },
      required: true,
    },
  },
  responses: { 200: json(Report, 'the exposure report, as `doctor spoofing --json` prints it') },
});

export function registerToolRoutes(app: OpenAPIHono<ApiEnv>): void {
  app.openapi(nlb, (c) => c.json(check(NlbSchema, nlbJson(parseVip(c.req.valid('param').vip))), 200));

  app.openapi(collide, async (c) => {
    const { parseHostsFile, predictCollisions, collisionReportToJson } =
      await import('../../schemes/index.js');
    const report = predictCollisions(parseHostsFile(c.req.valid('json').hosts, 'hosts'), c.var.deps.random);
    return c.json(check(Report, collisionReportToJson(report)), 200);
  });

  app.openapi(spoofing, async (c) => {
    const { readScenario, spoofingReport } = await import('../../lab/index.js');
    const report = spoofingReport(readScenario(c.req.valid('json').inventory, 'inventory'));
    return c.json(check(Report, report as unknown as Record<string, unknown>), 200);
  });

  app.openapi(lab, async (c) => {
    const { readScenario, runScenario, runJson } = await import('../../lab/index.js');
    const run = runScenario(readScenario(c.req.valid('json').scenario, 'scenario'));
    return c.json(check(Report, runJson(run)), 200);
  });
}
