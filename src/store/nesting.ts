/**
 * Catches a transaction started inside another transaction of the same store: on SQLite it would wait
 * for itself forever (one connection, transactions take turns); on PostgreSQL it would run on a second
 * connection and could wait on the first one's locks forever.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { MacfleetError } from '../errors.js';

const active = new AsyncLocalStorage<ReadonlySet<object>>();

/** Run `fn` marked as inside a transaction of `store`; throws if already inside one. */
export function runOutermost<T>(store: object, fn: () => Promise<T>): Promise<T> {
  const inside = active.getStore();
  if (inside?.has(store) === true) {
    return Promise.reject(
      new MacfleetError(
        'INTERNAL',
        'a transaction was started inside another transaction of the same store; pass the SqlSession down instead',
      ),
    );
  }
  return active.run(new Set([...(inside ?? []), store]), fn);
}
