/**
 * Catches a transaction started inside another transaction of the same store: on SQLite it would wait
 * for itself forever (one connection, transactions take turns); on PostgreSQL it would run on a second
 * connection and could wait on the first one's locks forever.
 *
 * The check is a guard against a programming error, and it is not free: on Node 20 an
 * AsyncLocalStorage in use installs promise hooks that run on every promise the process makes. Measured
 * on the 2-core CI machine: a bare Hono route 34 → 53 µs of server CPU per request with one in use;
 * `serve`'s `GET /api/v1/macs/{mac}` 150 → 121 µs without it (interleaved runs). It is on by default
 * (every CLI command, every test, the in-process API tests of every route); `macfleet serve` turns it
 * off with `checkNesting(false)` before it starts answering.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { MacfleetError } from '../errors.js';

const active = new AsyncLocalStorage<ReadonlySet<object>>();
let checking = true;

/** Turn the nesting check on or off for this process (off also removes the promise hooks). */
export function checkNesting(on: boolean): void {
  checking = on;
  if (!on) active.disable();
}

/** Run `fn` marked as inside a transaction of `store`; rejects if already inside one (when checking). */
export function runOutermost<T>(store: object, fn: () => Promise<T>): Promise<T> {
  if (!checking) return fn();
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
