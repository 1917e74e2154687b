/**
 * The console's cached whole-inventory values, brought up to date from the audit log's events instead
 * of recomputed: after any sequence of changes they equal what a full pass over the inventory gives —
 * the fleet core's findings over every VM, network and host, and counts taken VM by VM.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropSchemas, freshSchema, PG_URL } from '../store/pg-test-url.js';
import {
  addHost,
  addNetwork,
  createVm,
  fleetFindings,
  removeVm,
  setAdapter,
  startVm,
  stopVm,
  type FleetDeps,
} from '../../src/fleet/index.js';
import { parseMac } from '../../src/mac/index.js';
import { seededRandom, systemClock } from '../../src/random.js';
import { storeFleetDeps } from '../../src/store/fleet-deps.js';
import { StoreFleetRepository } from '../../src/store/fleet-store.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { cachedFleetCounts, FleetCache, inventoryFindings } from '../../src/web/fleet-data.js';
import type { Kit } from '../../src/web/route-kit.js';

const MACS = ['52:54:00:00:00:01', '52:54:00:00:00:02', '02:bf:0a:00:00:32'].map((m) => parseMac(m));
const VMS = ['a', 'b', 'c', 'd'] as const;
const HOSTS = ['k1', 'k2'] as const;

let dir = '';
const schemas: string[] = [];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'macfleet-fleet-cache-'));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (PG_URL !== undefined && PG_URL !== '') await dropSchemas(PG_URL, schemas);
});

/** A store with two KVM hosts of two networks each. */
async function seeded(store: Store): Promise<FleetDeps> {
  const fleet = storeFleetDeps(store, { clock: systemClock, random: seededRandom(9), actor: 'prop' });
  for (const h of HOSTS) {
    await addHost(fleet, { name: h, hypervisor: 'kvm' });
    await addNetwork(fleet, { host: h, name: 'default' });
    await addNetwork(fleet, { host: h, name: 'lab' });
  }
  return fleet;
}

const op = fc.record({
  kind: fc.constantFrom('create', 'static', 'dynamic', 'start', 'stop', 'remove'),
  host: fc.constantFrom(...HOSTS),
  vm: fc.constantFrom(...VMS),
  mac: fc.constantFrom(...MACS),
  network: fc.constantFrom('default', 'lab'),
});

type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

async function run(fleet: FleetDeps, o: Op): Promise<void> {
  const ref = { host: o.host, name: o.vm };
  switch (o.kind) {
    case 'create':
      await createVm(fleet, {
        host: o.host,
        name: o.vm,
        adapters: [{ network: o.network, static: o.mac }],
        force: true,
      });
      return;
    case 'static':
      await setAdapter(fleet, ref, 0, { static: o.mac, force: true });
      return;
    case 'dynamic':
      await setAdapter(fleet, ref, 0, { dynamic: true, renew: true });
      return;
    case 'start':
      await startVm(fleet, ref);
      return;
    case 'stop':
      await stopVm(fleet, ref);
      return;
    case 'remove':
      await removeVm(fleet, ref);
  }
}

function follows(name: string, open: () => Promise<Store>, skip = false): void {
  describe.skipIf(skip)(`FleetCache follows the audit log (${name})`, () => {
    it('equals a full pass after every change', async () => {
      const store = await open();
      const fleet = await seeded(store);
      // The two fields the cached values use; the rest of a Kit (routes, guard) plays no part here.
      const kit = { deps: { store }, cache: new FleetCache() } as unknown as Kit;
      try {
        await fc.assert(
          fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 14 }), async (ops) => {
            for (const o of ops) {
              // Refusals (no such VM, VM running) change nothing: the cache must still agree.
              await run(fleet, o).catch(() => undefined);
              await store.transaction(
                async (tx) => {
                  const repo = new StoreFleetRepository(store, tx);
                  const vms = await repo.listVms();
                  const full = fleetFindings(vms, await repo.listNetworks(), await repo.listHosts());
                  expect(await inventoryFindings(kit, tx)).toEqual(full);
                  const counts = await cachedFleetCounts(kit, tx);
                  expect(counts.vms).toBe(vms.length);
                  expect(counts.vmsByState.running).toBe(vms.filter((v) => v.state === 'running').length);
                  expect(counts.adapters).toBe(vms.reduce((n, v) => n + v.adapters.length, 0));
                },
                { mode: 'read' },
              );
            }
          }),
          { numRuns: 12 },
        );
      } finally {
        await store.close();
      }
    }, 60_000);
  });
}

follows('SQLite', () => openStore(join(dir, 'fleet.db')));
follows(
  'PostgreSQL',
  async () => {
    const schema = freshSchema('fleet_cache');
    schemas.push(schema);
    return openStore(PG_URL!, { schema });
  },
  PG_URL === undefined || PG_URL === '',
);
