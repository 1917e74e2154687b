/** The MAC source of `pool:<name>` hosts on the store: the fleet allocator inside the fleet transaction. */
import { MacfleetError } from '../errors.js';
import type { FleetRepository, MacSource } from '../fleet/index.js';
import type { SqlSession } from '../store/store.js';

export function storePoolSource(pool: string, _session: SqlSession, _repo: FleetRepository): MacSource {
  throw new MacfleetError(
    'NOT_FOUND',
    `pool ${pool}: the fleet allocator is not available in this build yet`,
  );
}
