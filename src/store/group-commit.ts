/**
 * Group commit for a Store: units of work submitted while the event loop is busy share the next write
 * transaction, each in its own savepoint (a unit that throws rolls back alone and only its caller sees
 * the error), and every caller's promise settles only after that transaction has committed, so an
 * answer is never sent for work that is not durable. One commit (one fsync on SQLite) serves a whole
 * round of requests instead of one each: the API's allocations and its write-log records of the same
 * round go to disk together.
 *
 * A round is what arrives before the next `setImmediate`: every request node read in this turn's I/O
 * has submitted its unit by then (a microtask would start the transaction after the first request).
 * One group transaction runs at a time; units submitted meanwhile wait for the next one.
 */
import type { SqlSession, Store } from './store.js';

interface Unit {
  readonly work: (tx: SqlSession) => Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

type Outcome =
  { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

export class GroupCommit {
  #pending: Unit[] = [];
  #running = false;

  /** `maxUnits`: the most units one transaction carries (the rest go to the next one). */
  constructor(
    readonly store: Store,
    private readonly maxUnits = 1024,
  ) {}

  /**
   * Run `work` in the next group transaction; resolves with its result once that transaction has
   * committed. Rejects with the unit's own error (its savepoint rolled back, the others kept), or with
   * the transaction's error when the transaction as a whole failed (nothing of it was kept).
   * `work` must not start a transaction of its own.
   */
  run<T>(work: (tx: SqlSession) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.#running) {
        this.#running = true;
        setImmediate(() => void this.#drain());
      }
    });
  }

  async #drain(): Promise<void> {
    while (this.#pending.length > 0) {
      const batch = this.#pending.splice(0, this.maxUnits);
      let outcomes: Outcome[];
      try {
        outcomes = await this.store.transaction((tx) => runUnits(tx, batch));
      } catch (error) {
        for (const u of batch) u.reject(error);
        continue;
      }
      batch.forEach((u, i) => {
        const o = outcomes[i]!;
        if (o.ok) u.resolve(o.value);
        else u.reject(o.error);
      });
    }
    this.#running = false;
  }
}

async function runUnits(tx: SqlSession, batch: readonly Unit[]): Promise<Outcome[]> {
  // One unit: the transaction is its savepoint (its error rolls the transaction back and is rethrown).
  if (batch.length === 1) return [{ ok: true, value: await batch[0]!.work(tx) }];
  const outcomes: Outcome[] = [];
  for (const unit of batch) {
    await tx.exec('SAVEPOINT group_unit');
    try {
      const value = await unit.work(tx);
      await tx.exec('RELEASE SAVEPOINT group_unit');
      outcomes.push({ ok: true, value });
    } catch (error) {
      // Undo this unit only; if even that fails the connection is gone and the whole transaction fails.
      await tx.exec('ROLLBACK TO SAVEPOINT group_unit');
      await tx.exec('RELEASE SAVEPOINT group_unit');
      outcomes.push({ ok: false, error });
    }
  }
  return outcomes;
}
