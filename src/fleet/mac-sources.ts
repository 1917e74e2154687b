/**
 * Where a host's dynamic MACs come from: its hypervisor's scheme, or (`pool:<name>`) the pool allocator
 * the running fleet transaction hands out — so a VM and the MAC it holds are committed together.
 */
import { MacfleetError } from '../errors.js';
import type { Clock, Random } from '../random.js';
import { hypervisorMacSource } from './hypervisor-source.js';
import { poolMacSource } from './pool-source.js';
import type { MacSourceResolver } from './ports.js';

export function macSources(random: Random, clock: Clock): MacSourceResolver {
  return (host, repo) => {
    if (host.allocation.kind === 'hypervisor') return hypervisorMacSource(repo, random);
    const allocator = repo.poolAllocator?.(clock);
    if (allocator === undefined) {
      throw new MacfleetError(
        'INTERNAL',
        `host ${host.name} allocates from pool ${host.allocation.pool}, which needs a fleet transaction of a store that keeps pools`,
      );
    }
    return poolMacSource(host.allocation.pool, allocator, repo);
  };
}
