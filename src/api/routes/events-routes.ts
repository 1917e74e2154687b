/**
 * The audit log (events) and the inventory's findings: what happened to the fleet, and what is wrong
 * with it now, read as the CLI's `events` and `findings` read them.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import { eventJson } from '../../fleet/index.js';
import { parseMac } from '../../mac/index.js';
import { readFleetFindings } from '../../store/fleet-pages.js';
import { apiRoute, check, decodeCursor, json, nextLink, pageOf, type ApiEnv } from '../respond.js';
import { EventPage, FindingPage, MacText, PageQuery } from '../schemas.js';

const events = apiRoute('viewer', {
  method: 'get',
  path: '/events',
  tags: ['events'],
  summary: 'the audit log, oldest first, filtered by VM, host, MAC and time',
  request: {
    query: PageQuery.extend({
      vm: z.string().optional(),
      host: z.string().optional(),
      mac: MacText.optional(),
      since: z.iso
        .datetime({ offset: true })
        .optional()
        .openapi({ description: 'only events at or after this time' }),
      until: z.iso
        .datetime({ offset: true })
        .optional()
        .openapi({ description: 'only events before this time' }),
    }),
  },
  responses: { 200: json(EventPage, 'a page of events') },
});

const findings = apiRoute('viewer', {
  method: 'get',
  path: '/findings',
  tags: ['events'],
  summary: 'duplicate MACs in the inventory (blocking, conflicting, latent), then its NLB problems',
  request: { query: PageQuery },
  responses: { 200: json(FindingPage, 'a page of findings') },
});

export function registerEventRoutes(app: OpenAPIHono<ApiEnv>): void {
  app.openapi(events, async (c) => {
    const q = c.req.valid('query');
    const after = decodeCursor(q.cursor);
    const events = await c.var.deps.fleet(c.var.principal.name).repo.listEvents({
      ...(q.vm === undefined ? {} : { vm: q.vm }),
      ...(q.host === undefined ? {} : { host: q.host }),
      ...(q.mac === undefined ? {} : { mac: parseMac(q.mac) }),
      ...(q.since === undefined ? {} : { since: Date.parse(q.since) }),
      ...(q.until === undefined ? {} : { until: Date.parse(q.until) }),
      ...(after === undefined ? {} : { afterSeq: Number(after) }),
      limit: q.limit + 1,
    });
    const items = events.slice(0, q.limit);
    return c.json(
      check(EventPage, {
        items: items.map(eventJson),
        next: nextLink(c, items.at(-1)?.seq.toString(), events.length > q.limit),
      }),
      200,
    );
  });
  app.openapi(findings, async (c) => {
    // As `macfleet findings` and the console's Conflicts page: duplicates by scope, then NLB problems.
    const found = await c.var.deps.store.transaction(readFleetFindings, { mode: 'read' });
    const keyed = found.map((f, i) => ({ f, key: String(i).padStart(10, '0') }));
    return c.json(
      check(
        FindingPage,
        pageOf(
          c,
          keyed,
          (x) => x.key,
          c.req.valid('query'),
          (x) => x.f,
        ),
      ),
      200,
    );
  });
}
