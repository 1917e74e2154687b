/**
 * Rule 6: the MAC source of a host whose allocation source is `pool:<name>`. The fleet allocator hands
 * out MACs no other allocation holds; this adapter also steps over MACs some adapter already holds
 * (a forced static MAC, an imported one), leaving them allocated so they are not offered again.
 */
import { MacfleetError } from '../errors.js';
import type { Mac } from '../mac/index.js';
import type { FleetRepository, MacGrant, MacRequest, MacSource } from './ports.js';

/** What the fleet needs from the pool allocator (src/pool + the store implement it). */
export interface PoolAllocator {
  /** One MAC from the pool, recorded as held by `owner` (throws POOL_EXHAUSTED when none is free). */
  allocate(pool: string, owner: string): Promise<Mac>;
  /** Give a MAC back (the allocator quarantines it before re-use). */
  release(pool: string, mac: Mac): Promise<void>;
  /** Record that a MAC it just handed out is in fact held by this adapter already (never offer it again). */
  markInUse?(mac: Mac, owner: string): Promise<void>;
}

/** How many held MACs in a row the adapter steps over before it reports the pool as unusable. */
const MAX_SKIPS = 1024;

export function poolMacSource(pool: string, allocator: PoolAllocator, repo: FleetRepository): MacSource {
  return {
    async allocate(req: MacRequest): Promise<MacGrant> {
      const owner = `${req.host.name}/${req.vm}#${req.adapter}`;
      for (let i = 0; i < MAX_SKIPS; i++) {
        const mac = await allocator.allocate(pool, owner);
        const holders = await repo.adaptersWithMac(mac);
        if (holders.length === 0 && !req.avoid.has(mac)) return { mac, source: `pool:${pool}` };
        const holder = holders[0];
        if (holder !== undefined) {
          await allocator.markInUse?.(mac, `${holder.host}/${holder.vm}#${holder.adapter.index}`);
        }
      }
      throw new MacfleetError(
        'POOL_EXHAUSTED',
        `pool ${pool}: ${MAX_SKIPS} MACs in a row were already held by adapters in the fleet (last for ${owner})`,
      );
    },
    release(_host, mac: Mac): Promise<void> {
      return allocator.release(pool, mac).catch((e: unknown) => {
        // A MAC the pool never handed out (given by the hypervisor before the host switched to the
        // pool, or a static one) has nothing to release.
        if (e instanceof MacfleetError && e.code === 'NOT_FOUND') return;
        throw e;
      });
    },
  };
}
