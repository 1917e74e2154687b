/**
 * The fleet core wired to a Store: its repository, the MAC sources (the host's hypervisor scheme, or a
 * pool inside the operation's own transaction), the clock and the actor. The CLI (`withFleet`) and the
 * HTTP API both build their FleetDeps here, so a fleet operation behaves the same on either face.
 */
import { MacfleetError } from '../errors.js';
import type { FleetDeps, MacSourceResolver } from '../fleet/index.js';
import { hypervisorMacSource, poolMacSource } from '../fleet/index.js';
import type { Clock, Random } from '../random.js';
import { storePoolAllocator } from './fleet-pool-allocator.js';
import { StoreFleetRepository } from './fleet-store.js';
import type { Store } from './store.js';

export interface StoreFleetOptions {
  readonly clock: Clock;
  /** Who makes the changes: the user (CLI) or the token's name (API); recorded in every event. */
  readonly actor: string;
  readonly random: Random;
}

export function storeFleetDeps(store: Store, options: StoreFleetOptions): FleetDeps {
  const { clock, actor, random } = options;
  const sources: MacSourceResolver = (host, repo) => {
    if (host.allocation.kind === 'hypervisor') return hypervisorMacSource(repo, random);
    if (!(repo instanceof StoreFleetRepository) || repo.session === undefined) {
      throw new MacfleetError('INTERNAL', 'a pool allocation must run inside a fleet transaction');
    }
    return poolMacSource(host.allocation.pool, storePoolAllocator(repo.session, clock), repo);
  };
  return { repo: new StoreFleetRepository(store), clock, actor, sources };
}
