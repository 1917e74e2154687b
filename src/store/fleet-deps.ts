/**
 * The fleet core wired to a Store: its repository, the MAC sources (the host's hypervisor scheme, or a
 * pool inside the operation's own transaction), the clock and the actor. The CLI (`withFleet`) and the
 * HTTP API both build their FleetDeps here, so a fleet operation behaves the same on either face.
 */
import type { FleetDeps } from '../fleet/index.js';
import { macSources } from '../fleet/index.js';
import type { Clock, Random } from '../random.js';
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
  // A pool source allocates through the fleet transaction's own pool allocator (src/fleet/mac-sources.ts).
  const sources = macSources(random, clock);
  return { repo: new StoreFleetRepository(store), clock, actor, sources };
}
