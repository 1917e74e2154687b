/**
 * The data several pages share, each computed over the whole inventory: counts, the inventory's
 * duplicate findings (the fleet core's rule, over only the adapters that hold a duplicated MAC), and
 * the predicted collisions between hosts' own schemes. They are cached per fleet version: every change
 * to the inventory appends to the audit log, so the log's last sequence number (one index lookup)
 * says whether a cached value is still the inventory's. A cache miss costs a full pass (tens of ms on
 * 100,000 adapters); a hit, one lookup.
 */
import {
  fleetCollisions,
  fleetFindings,
  type FleetCollisions,
  type InventoryFinding,
} from '../fleet/index.js';
import { StoreFleetRepository } from '../store/fleet-store.js';
import { findingHolders, fleetCounts, hostCounts, type FleetCounts } from '../store/fleet-pages.js';
import type { SqlSession } from '../store/store.js';
import type { Kit } from './route-kit.js';

interface Cached {
  readonly version: number;
  readonly value: Promise<unknown>;
}

/** The inventory's version: the audit log's last sequence number (every change appends to it). */
export async function fleetVersion(tx: SqlSession): Promise<number> {
  const row = await tx.get<{ v: number | null }>('SELECT MAX(seq) AS v FROM fleet_events');
  return Number(row?.v ?? 0);
}

/** Per-console cache of whole-inventory values, keyed by what they are. */
export class FleetCache {
  readonly #entries = new Map<string, Cached>();

  async get<T>(tx: SqlSession, key: string, compute: () => Promise<T>): Promise<T> {
    const version = await fleetVersion(tx);
    const hit = this.#entries.get(key);
    if (hit !== undefined && hit.version === version) return hit.value as Promise<T>;
    const value = compute();
    this.#entries.set(key, { version, value });
    value.catch(() => this.#entries.delete(key));
    return value;
  }
}

/** The inventory's findings (duplicates, NLB problems) as `fleetFindings` gives them, hosts' hypervisors known. */
export function inventoryFindings(kit: Kit, tx: SqlSession): Promise<InventoryFinding[]> {
  return kit.cache.get(tx, 'findings', async () => {
    const { vms, networks } = await findingHolders(tx);
    return fleetFindings(vms, networks, await new StoreFleetRepository(kit.deps.store, tx).listHosts());
  });
}

export const cachedFleetCounts = (kit: Kit, tx: SqlSession): Promise<FleetCounts> =>
  kit.cache.get(tx, 'counts', () => fleetCounts(tx));

export const cachedHostCounts = (
  kit: Kit,
  tx: SqlSession,
): Promise<Map<string, { vms: number; running: number; adapters: number }>> =>
  kit.cache.get(tx, 'host-counts', () => hostCounts(tx));

/** Which hosts will hand out the same dynamic MACs, with each host's adapter count for the odds. */
export function hostCollisions(kit: Kit, tx: SqlSession): Promise<FleetCollisions> {
  return kit.cache.get(tx, 'collisions', async () => {
    const hosts = await new StoreFleetRepository(kit.deps.store, tx).listHosts();
    const counts = await cachedHostCounts(kit, tx);
    const adapters = new Map([...counts].map(([h, c]) => [h, c.adapters]));
    return fleetCollisions(hosts, kit.deps.random, adapters);
  });
}
