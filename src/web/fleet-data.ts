/**
 * The data several pages share: the inventory's duplicate findings (the fleet core's rule, over only
 * the adapters that hold a duplicated MAC), and the predicted collisions between hosts' own schemes.
 */
import {
  duplicateFindings,
  fleetCollisions,
  type FleetCollisions,
  type FleetFinding,
} from '../fleet/index.js';
import { StoreFleetRepository } from '../store/fleet-store.js';
import { duplicateHolders, hostCounts } from '../store/fleet-pages.js';
import type { SqlSession } from '../store/store.js';
import type { Kit } from './route-kit.js';

export async function inventoryFindings(tx: SqlSession): Promise<FleetFinding[]> {
  const { vms, networks } = await duplicateHolders(tx);
  return duplicateFindings(vms, networks);
}

/** Which hosts will hand out the same dynamic MACs, with each host's adapter count for the odds. */
export async function hostCollisions(kit: Kit, tx: SqlSession): Promise<FleetCollisions> {
  const repo = new StoreFleetRepository(kit.deps.store, tx);
  const hosts = await repo.listHosts();
  const counts = await hostCounts(tx);
  const adapters = new Map([...counts].map(([h, c]) => [h, c.adapters]));
  return fleetCollisions(hosts, kit.deps.random, adapters);
}
