/**
 * The fleet core wired to a Store: the repository, the MAC source of each host (its hypervisor's own
 * scheme, or a macfleet pool inside the fleet operation's transaction), the clock and the actor. One
 * wiring for every face: the CLI (`withFleet`), the HTTP API and the web console.
 */
import { MacfleetError } from '../errors.js';
import {
  hypervisorMacSource,
  poolMacSource,
  type FleetDeps,
  type MacSourceResolver,
} from '../fleet/index.js';
import type { Clock, Random } from '../random.js';
import { storePoolAllocator } from './fleet-pool-allocator.js';
import { StoreFleetRepository } from './fleet-store.js';
import type { Store } from './store.js';

export interface StoreFleetOptions {
  readonly clock: Clock;
  readonly random: Random;
  /** Who makes the changes: recorded in every event. */
  readonly actor: string;
}

export function storeFleetDeps(store: Store, options: StoreFleetOptions): FleetDeps {
  const { clock, random } = options;
  const sources: MacSourceResolver = (host, repo) => {
    if (host.allocation.kind === 'hypervisor') return hypervisorMacSource(repo, random);
    if (!(repo instanceof StoreFleetRepository) || repo.session === undefined) {
      throw new MacfleetError('INTERNAL', 'a pool allocation must run inside a fleet transaction');
    }
    return poolMacSource(host.allocation.pool, storePoolAllocator(repo.session, clock), repo);
  };
  return { repo: new StoreFleetRepository(store), clock, actor: options.actor, sources };
}
