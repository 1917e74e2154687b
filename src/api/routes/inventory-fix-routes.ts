/**
 * Fixing the inventory's duplicate MACs over HTTP, as the console's "Plan a fix" does: `POST
 * /findings/fix-plan` says what would change (nothing is written) and the inventory version it was
 * planned on; `POST /findings/fix` makes the changes of the plan for that version, each adapter on its
 * own, and answers 409 STALE_PLAN when the inventory has moved on (review the new plan, then confirm).
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import { inventoryFixAllocator, inventoryFixPlan } from '../../apply/inventory-fix.js';
import { MacfleetError } from '../../errors.js';
import { fleetVersion } from '../../store/fleet-pages.js';
import {
  applyInventoryFix,
  FIX_SCOPES,
  INVENTORY_FIX_ACTIONS,
  type FindingMember,
  type InventoryFixChange,
  type InventoryFixOptions,
} from '../../fleet/index.js';
import { apiRoute, check, json, type ApiEnv } from '../respond.js';

const FixRequest = z.object({
  scope: z
    .enum(FIX_SCOPES)
    .default('default')
    .openapi({ description: 'which duplicates: `default` (blocking and conflicting) or with `latent` too' }),
  action: z.enum(INVENTORY_FIX_ACTIONS).default('dynamic').openapi({
    description:
      "`dynamic`: the host's allocation source hands out the new MAC; `pool`: a static MAC from `pool`",
  }),
  pool: z
    .string()
    .min(1)
    .max(256)
    .nullable()
    .default(null)
    .openapi({ description: 'null: the default pool' }),
});
const ConfirmRequest = FixRequest.extend({
  version: z
    .number()
    .int()
    .min(0)
    .openapi({ description: 'the `version` of the plan that was reviewed (from POST /findings/fix-plan)' }),
});

const AdapterOf = z.object({ host: z.string(), vm: z.string(), adapter: z.number().int() });
const Refusal = z.object({ code: z.string(), message: z.string() });
const ChangeSchema = z.object({
  mac: z.string().openapi({ description: 'the duplicated MAC' }),
  scope: z.string(),
  adapter: AdapterOf.extend({ network: z.string(), mode: z.string(), state: z.string() }),
  keeper: AdapterOf.openapi({ description: 'the member that keeps the MAC' }),
  after: z.string().openapi({ description: 'what the adapter gets, in words' }),
  refused: Refusal.nullable().openapi({ description: 'why this change cannot be made now (a running VM)' }),
});
const PlanSchema = z
  .object({
    version: z.number().int(),
    scope: z.enum(FIX_SCOPES),
    action: z.enum(INVENTORY_FIX_ACTIONS),
    pool: z.string().nullable(),
    changes: z.array(ChangeSchema),
    leftAlone: z.number().int().openapi({ description: 'findings not fixed under the scope (latent, NLB)' }),
  })
  .openapi('InventoryFixPlan');
const OutcomeSchema = z
  .object({
    version: z.number().int().openapi({ description: 'the inventory version after the changes' }),
    changed: z.number().int(),
    refused: z.number().int(),
    outcomes: z.array(
      ChangeSchema.omit({ refused: true }).extend({
        macAfter: z.string().nullable().openapi({ description: "the adapter's MAC after the change" }),
        error: Refusal.nullable(),
      }),
    ),
  })
  .openapi('InventoryFixOutcome');

const plan = apiRoute('viewer', {
  method: 'post',
  path: '/findings/fix-plan',
  tags: ['events'],
  summary:
    "plan the fix of the inventory's duplicate MACs: one member keeps each MAC, the others get new ones",
  request: { body: { content: { 'application/json': { schema: FixRequest } }, required: true } },
  responses: { 200: json(PlanSchema, 'the plan (nothing is written)') },
});

const fix = apiRoute(
  'operator',
  {
    method: 'post',
    path: '/findings/fix',
    tags: ['events'],
    summary: 'make the changes of a reviewed plan (each adapter on its own; a running VM is refused)',
    request: { body: { content: { 'application/json': { schema: ConfirmRequest } }, required: true } },
    responses: { 200: json(OutcomeSchema, 'what was changed and what was refused, per adapter') },
  },
  { 409: 'the inventory changed since the plan was made (STALE_PLAN)' },
);

const member = (m: FindingMember) => ({ host: m.host, vm: m.vm, adapter: m.adapter });
const changeJson = (c: InventoryFixChange) => ({
  mac: c.finding.mac,
  scope: c.finding.scope,
  adapter: { ...member(c.member), network: c.member.network, mode: c.member.mode, state: c.member.state },
  keeper: member(c.keeper),
  after: c.after,
});
const refusal = (e: MacfleetError | undefined) =>
  e === undefined ? null : { code: e.code, message: e.message };

export function registerInventoryFixRoutes(app: OpenAPIHono<ApiEnv>): void {
  app.openapi(plan, async (c) => {
    const options: InventoryFixOptions = c.req.valid('json');
    const { version, plan: p } = await inventoryFixPlan(c.var.deps.store, options);
    return c.json(
      check(PlanSchema, {
        version,
        ...options,
        changes: p.changes.map((x) => ({ ...changeJson(x), refused: refusal(x.refused) })),
        leftAlone: p.leftAlone,
      }),
      200,
    );
  });

  app.openapi(fix, async (c) => {
    const { version: reviewed, ...options } = c.req.valid('json');
    const { deps } = c.var;
    const { version, plan: p } = await inventoryFixPlan(deps.store, options);
    if (version !== reviewed) {
      throw new MacfleetError(
        'STALE_PLAN',
        `the inventory changed since the plan was made (version ${reviewed}, now ${version}): nothing was changed; review the plan again (POST /api/v1/findings/fix-plan) and confirm its version`,
        { location: { field: 'json.version' }, details: { version } },
      );
    }
    const outcomes = await applyInventoryFix(
      deps.fleet(c.var.principal.name),
      p,
      options.action === 'pool' ? inventoryFixAllocator(deps.pools, options.pool) : undefined,
    );
    const now = await deps.store.transaction((tx) => fleetVersion(tx), { mode: 'read' });
    const changed = outcomes.filter((o) => o.error === undefined).length;
    return c.json(
      check(OutcomeSchema, {
        version: now,
        changed,
        refused: outcomes.length - changed,
        outcomes: outcomes.map((o) => ({
          ...changeJson(o.change),
          macAfter: o.mac ?? null,
          error: refusal(o.error),
        })),
      }),
      200,
    );
  });
}
