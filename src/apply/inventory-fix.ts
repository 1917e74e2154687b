/**
 * The inventory fix (src/fleet/fix-inventory.ts) over a store, for the console and the API alike: the
 * plan together with the inventory version it was made on (a confirm names that version, so nothing is
 * made from a plan the inventory has moved past), and the allocator over the pools.
 */
import { planInventoryFix, type InventoryFinding } from '../fleet/index.js';
import type { InventoryFixAllocator, InventoryFixOptions, InventoryFixPlan } from '../fleet/fix-inventory.js';
import { fleetVersion, readFleetFindings } from '../store/fleet-pages.js';
import { StoreFleetRepository } from '../store/fleet-store.js';
import type { PoolStore } from '../store/pool-store.js';
import type { SqlSession, Store } from '../store/store.js';
import { poolFixAllocator } from './pool-allocator.js';

/**
 * Plan the fix of the inventory's duplicates as it is now. `findings` gives the inventory's findings
 * (the console passes its cached ones); by default they are read (`readFleetFindings`).
 */
export function inventoryFixPlan(
  store: Store,
  options: InventoryFixOptions,
  findings?: (tx: SqlSession) => Promise<readonly InventoryFinding[]>,
): Promise<{ version: number; plan: InventoryFixPlan }> {
  return store.transaction(
    async (tx) => {
      const version = await fleetVersion(tx);
      const hosts = await new StoreFleetRepository(store, tx).listHosts();
      const found = await (findings ?? readFleetFindings)(tx);
      return { version, plan: planInventoryFix(found, hosts, options) };
    },
    { mode: 'read' },
  );
}

/** New MACs for `action: 'pool'` from `pool` (null: the default), idempotent by key; a refused change's MAC goes back. */
export function inventoryFixAllocator(pools: PoolStore, pool: string | null): InventoryFixAllocator {
  const allocate = poolFixAllocator(pools, pool);
  return {
    allocate: async (owner, key) => (await allocate([{ owner, key }]))[0]!.mac,
    release: async (mac) => {
      await pools.release(mac);
    },
  };
}
