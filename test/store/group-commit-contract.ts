/**
 * Group commit (src/store/group-commit.ts) on each backend: a round's units share one transaction, a
 * unit that throws rolls back alone, and nobody hears "done" before the commit.
 */
import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../../src/store/group-commit.js';
import type { SqlSession, Store } from '../../src/store/store.js';
import type { ContractSuite } from './store-contract.js';

/** The store, counting its transactions; `failCommit` makes each one throw after its work has run. */
function counting(store: Store): {
  store: Store;
  transactions: () => number;
  failCommit: (on: boolean) => void;
} {
  let n = 0;
  let fail = false;
  const wrapped: Store = Object.create(store) as Store;
  Object.defineProperty(wrapped, 'transaction', {
    value: <T>(fn: (tx: SqlSession) => Promise<T>, options?: Parameters<Store['transaction']>[1]) => {
      n++;
      return store.transaction(async (tx) => {
        const value = await fn(tx);
        if (fail) throw new Error('commit refused by the test');
        return value;
      }, options);
    },
  });
  return { store: wrapped, transactions: () => n, failCommit: (on) => (fail = on) };
}

const values = async (store: Store): Promise<number[]> =>
  (
    await store.transaction((tx) => tx.all<{ v: number }>('SELECT v FROM gc_test ORDER BY v'), {
      mode: 'read',
    })
  ).map((r) => Number(r.v));

export const groupCommitSuite: ContractSuite = {
  name: 'group commit',
  run: (open) => {
    const setup = async () => {
      const base = await open();
      await base.transaction((tx) => tx.exec('CREATE TABLE gc_test (v INTEGER NOT NULL UNIQUE)'));
      const c = counting(base);
      return { ...c, base, commits: new GroupCommit(c.store) };
    };
    const insert = (v: number) => (tx: SqlSession) =>
      tx.run('INSERT INTO gc_test (v) VALUES (?)', [v]).then(() => v);

    describe('group commit', () => {
      it('runs the units submitted in one turn in one transaction, each answered with its own result', async () => {
        const { commits, transactions, base } = await setup();
        const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => commits.run(insert(i + 1))));
        expect(answers).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
        expect(transactions()).toBe(1);
        expect(await values(base)).toHaveLength(40);
      });

      it('rolls back a unit that throws, alone: the others of its transaction are kept', async () => {
        const { commits, base } = await setup();
        const results = await Promise.allSettled([
          commits.run(insert(1)),
          commits.run(async (tx) => {
            await insert(2)(tx);
            await insert(1)(tx); // a unique violation after a write of its own
          }),
          commits.run(() => Promise.reject(new Error('refused by the unit'))),
          commits.run(insert(3)),
        ]);
        expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
        expect((results[2] as PromiseRejectedResult).reason).toEqual(new Error('refused by the unit'));
        expect(await values(base)).toEqual([1, 3]);
      });

      it('answers nobody before the commit: a failed commit rejects every unit and keeps nothing', async () => {
        const { commits, base, failCommit } = await setup();
        failCommit(true);
        const results = await Promise.allSettled([commits.run(insert(1)), commits.run(insert(2))]);
        expect(results.every((r) => r.status === 'rejected')).toBe(true);
        expect(await values(base)).toEqual([]);
        failCommit(false);
        expect(await commits.run(insert(5))).toBe(5);
        expect(await values(base)).toEqual([5]);
      });

      it('puts units submitted while a transaction runs into the next one', async () => {
        const { commits, transactions, base } = await setup();
        let later: Promise<number> | undefined;
        const first = commits.run(async (tx) => {
          later = commits.run(insert(2));
          return insert(1)(tx);
        });
        expect(await first).toBe(1);
        expect(await later).toBe(2);
        expect(transactions()).toBe(2);
        expect(await values(base)).toEqual([1, 2]);
      });
    });
  },
};
