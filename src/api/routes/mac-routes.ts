/** MACs: lookup (any notation), release, reservations. */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import { classifyMac, formatMac, macFlags, parseMac, type Mac } from '../../mac/index.js';
import type { Holding } from '../../pool/pool-errors.js';
import { StoreFleetRepository } from '../../store/fleet-store.js';
import { whoisInTx } from '../../store/pool/pool-store.js';
import { apiRoute, check, iso, type ApiEnv } from '../respond.js';
import { HoldingSchema, MacLookupSchema, MacText, ReservationRequestSchema } from '../schemas.js';

const MacParam = z.object({ mac: MacText.openapi({ param: { name: 'mac', in: 'path' } }) });

const lookup = apiRoute('viewer', {
  method: 'get',
  path: '/macs/{mac}',
  tags: ['macs'],
  summary: 'everything about a MAC: canonical form, flags, vendor, classification, holder, adapters, history',
  request: { params: MacParam },
  responses: {
    200: { description: 'the MAC', content: { 'application/json': { schema: MacLookupSchema } } },
  },
});

const release = apiRoute(
  'operator',
  {
    method: 'post',
    path: '/macs/{mac}/release',
    tags: ['macs'],
    summary: "release a held MAC: into its pool's quarantine, or straight back when the pool has none",
    request: { params: MacParam },
    responses: {
      200: {
        description: 'the holding as it is now',
        content: { 'application/json': { schema: HoldingSchema } },
      },
    },
  },
  { 404: 'the MAC is not held' },
);

const reserve = apiRoute(
  'operator',
  {
    method: 'post',
    path: '/reservations',
    tags: ['macs'],
    summary: 'reserve a specific MAC (pools that cover it drop it from their free lists)',
    request: {
      body: { content: { 'application/json': { schema: ReservationRequestSchema } }, required: true },
    },
    responses: {
      201: { description: 'reserved', content: { 'application/json': { schema: HoldingSchema } } },
    },
  },
  { 409: 'someone holds the MAC (MAC_CONFLICT)' },
);

export const holdingJson = (h: Holding) => ({
  mac: formatMac(h.mac),
  state: h.state,
  pool: h.pool,
  owner: h.owner,
  since: iso(h.since),
  quarantineUntil: h.quarantineUntil === null ? null : iso(h.quarantineUntil),
});

let vendorOf: ((mac: Mac) => string | undefined) | undefined;

/** The IEEE registry is 5 MB of JSON: `serve` loads it at start, not on the first lookup of a universal MAC. */
export async function loadVendors(): Promise<(mac: Mac) => string | undefined> {
  return (vendorOf ??= (await import('../../mac/vendor.js')).vendorOf);
}

export function registerMacRoutes(app: OpenAPIHono<ApiEnv>): void {
  app.openapi(lookup, async (c) => {
    const mac = parseMac(c.req.valid('param').mac);
    const { deps } = c.var;
    // One read snapshot for the holding and the adapters: they agree, and it is one transaction, not two.
    const [who, adapters] = await deps.store.transaction(
      async (tx) =>
        [
          await whoisInTx(tx, mac),
          await new StoreFleetRepository(deps.store, tx).adaptersWithMac(mac),
        ] as const,
      { mode: 'read' },
    );
    const flags = macFlags(mac);
    const body = {
      mac: formatMac(mac),
      hyphen: formatMac(mac, 'hyphen'),
      ...flags,
      // A locally administered MAC has no registered vendor: no need to load the registry for it.
      vendor: flags.local ? null : ((vendorOf ?? (await loadVendors()))(mac) ?? null),
      classification: classifyMac(mac),
      holder: who.holding === null ? null : holdingJson(who.holding),
      pools: [...who.pools],
      adapters: adapters.map((a) => ({
        host: a.host,
        vm: a.vm,
        adapter: a.adapter.index,
        network: a.adapter.network,
        mode: a.adapter.mode,
        state: a.vmState,
      })),
      history: who.history.map((h) => ({ ...h, at: iso(h.at) })),
    };
    return c.json(check(MacLookupSchema, body), 200);
  });

  app.openapi(release, async (c) => {
    const h = await c.var.deps.pools.release(parseMac(c.req.valid('param').mac));
    return c.json(check(HoldingSchema, holdingJson(h)), 200);
  });

  app.openapi(reserve, async (c) => {
    const body = c.req.valid('json');
    const h = await c.var.deps.pools.reserve(parseMac(body.mac), body.owner);
    return c.json(check(HoldingSchema, holdingJson(h)), 201);
  });
}
