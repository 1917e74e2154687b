/**
 * The fix planner's allocator over the pool store (`macfleet fix` and POST /api/v1/scans/{id}/fix-plan):
 * one MAC per request from `pool` (null: the default pool), idempotent by the request's key.
 */
import { MacfleetError } from '../errors.js';
import type { PoolStore } from '../store/pool-store.js';
import type { FixAllocator } from './plan-fix.js';

export function poolFixAllocator(pools: PoolStore, pool: string | null): FixAllocator {
  const one = async (owner: string, key: string) => {
    const a = await pools.allocate({ ...(pool === null ? {} : { pool }), count: 1, owner, key });
    return { pool: a.pool, mac: a.macs[0]!, key };
  };
  return (requests) =>
    Promise.all(
      requests.map(async (r) => {
        // A key whose MAC an undo released is never replayed (ALLOCATION_RELEASED): the same change
        // planned again takes the next key of its sequence, so re-planning stays repeatable.
        for (let n = 0; ; n++) {
          try {
            return await one(r.owner, n === 0 ? r.key : `${r.key}:r${n}`);
          } catch (e) {
            if (!(e instanceof MacfleetError && e.code === 'ALLOCATION_RELEASED') || n >= 64) throw e;
          }
        }
      }),
    );
}
