/**
 * The fleet allocator as the fleet core's PoolAllocator (rule 6): allocations and releases run in the
 * fleet operation's own transaction, so a VM created on a `pool:<name>` host and the MAC it holds are
 * committed together or not at all.
 */
import type { PoolAllocator } from '../../fleet/pool-source.js';
import type { Mac } from '../../mac/index.js';
import type { Clock } from '../../random.js';
import { allocateInTx, releaseInTx } from './pool-store.js';
import type { SqlSession } from '../store.js';

export function storePoolAllocator(tx: SqlSession, clock: Clock): PoolAllocator {
  return {
    async allocate(pool: string, owner: string): Promise<Mac> {
      const { macs } = await allocateInTx(tx, { pool, count: 1, owner }, clock.now());
      return macs[0]!;
    },
    async release(_pool: string, mac: Mac): Promise<void> {
      await releaseInTx(tx, mac, clock.now());
    },
    async markInUse(mac: Mac, owner: string): Promise<void> {
      await tx.run("UPDATE macs SET state = 'in_use', owner = ? WHERE mac = ?", [owner, mac]);
    },
  };
}
