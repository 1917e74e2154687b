/**
 * The Store contract, run against every implementation (Hono's `runTest({ newRouter })` habit): each
 * backend's test file calls `runStoreContract(open, { suites: [...], skip: {...} })` and names the
 * domain suites it runs, and those it skips with the reason. A factory gives a fresh, empty, migrated
 * store for each test.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS, latestVersion } from '../../src/store/migrations.js';
import type { Store } from '../../src/store/store.js';

export type StoreFactory = () => Promise<Store>;

/** A domain suite (pool persistence, fleet persistence): its tests, given a store factory. */
export interface ContractSuite {
  readonly name: string;
  readonly run: (open: () => Promise<Store>) => void;
}

export interface ContractOptions {
  /** The domain suites to run after the store core. */
  readonly suites: readonly ContractSuite[];
  /** Suites not run on this backend: name → why. */
  readonly skip?: Readonly<Record<string, string>>;
}

export function runStoreContract(factory: StoreFactory, options: ContractOptions): void {
  const opened: Store[] = [];
  const open = async (): Promise<Store> => {
    const s = await factory();
    opened.push(s);
    return s;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });

  describe('store core', () => {
    it('is migrated to the latest version on open', async () => {
      const store = await open();
      const status = await store.schemaStatus();
      expect(status.version).toBe(latestVersion());
      expect(status.latest).toBe(latestVersion());
      expect(status.applied.map((m) => m.version)).toEqual(MIGRATIONS.map((m) => m.version));
      expect(status.dialect).toBe(store.dialect);
    });

    it('commits a transaction that resolves and rolls back one that throws', async () => {
      const store = await open();
      await store.transaction((tx) =>
        tx.run(
          "INSERT INTO allocation_requests (request_key, pool_id, count, owner, macs, created_at) SELECT 'x', 1, 1, NULL, '[]', 0 WHERE 1 = 0",
        ),
      );
      await store.transaction(async (tx) => {
        await tx.run('CREATE TABLE contract_t (k TEXT PRIMARY KEY, v INTEGER NOT NULL)');
      });
      await store.transaction((tx) => tx.run('INSERT INTO contract_t (k, v) VALUES (?, ?)', ['a', 1]));
      await expect(
        store.transaction(async (tx) => {
          await tx.run('INSERT INTO contract_t (k, v) VALUES (?, ?)', ['b', 2]);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      const rows = await store.transaction((tx) =>
        tx.all<{ k: string; v: number }>('SELECT k, v FROM contract_t ORDER BY k'),
      );
      expect(rows).toEqual([{ k: 'a', v: 1 }]);
    });

    it('round-trips 48-bit integers, text and null, with ? placeholders', async () => {
      const store = await open();
      await store.transaction(async (tx) => {
        await tx.run('CREATE TABLE contract_n (n BIGINT NOT NULL, s TEXT, q TEXT)');
        await tx.run("INSERT INTO contract_n (n, s, q) VALUES (?, ?, '?')", [2 ** 48 - 1, null]);
      });
      const row = await store.transaction((tx) =>
        tx.get('SELECT n, s, q, COUNT(*) AS c FROM contract_n GROUP BY n, s, q'),
      );
      expect(row).toEqual({ n: 2 ** 48 - 1, s: null, q: '?', c: 1 });
      const { changes } = await store.transaction((tx) => tx.run('DELETE FROM contract_n WHERE n > ?', [0]));
      expect(changes).toBe(1);
    });

    it('enforces the MAC unique constraint in the database', async () => {
      const store = await open();
      const insert = "INSERT INTO macs (mac, state, since) VALUES (?, 'reserved', 0)";
      await store.transaction((tx) => tx.run(insert, [0x020000000001]));
      await expect(store.transaction((tx) => tx.run(insert, [0x020000000001]))).rejects.toThrow();
    });

    it('runs concurrent transactions of one store without mixing them', async () => {
      const store = await open();
      await store.transaction((tx) =>
        tx.run('CREATE TABLE contract_c (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)'),
      );
      await store.transaction((tx) => tx.run('INSERT INTO contract_c (id, v) VALUES (1, 0)'));
      await Promise.all(
        Array.from({ length: 20 }, () =>
          store.transaction(async (tx) => {
            const row = await tx.get<{ v: number }>(
              `SELECT v FROM contract_c WHERE id = 1${tx.adapter.forUpdate()}`,
            );
            await tx.run('UPDATE contract_c SET v = ? WHERE id = 1', [(row?.v ?? 0) + 1]);
          }),
        ),
      );
      const row = await store.transaction((tx) =>
        tx.get<{ v: number }>('SELECT v FROM contract_c WHERE id = 1'),
      );
      expect(row?.v).toBe(20);
    });

    it('refuses a transaction inside a transaction instead of hanging', async () => {
      const store = await open();
      await expect(
        store.transaction(() => store.transaction((tx) => tx.get('SELECT 1 AS one'))),
      ).rejects.toThrow(/inside another transaction/);
      expect(await store.transaction((tx) => tx.get('SELECT 1 AS one'))).toEqual({ one: 1 });
      const both = await Promise.all([
        store.transaction((tx) => tx.get('SELECT 1 AS one')),
        store.transaction((tx) => tx.get('SELECT 2 AS one')),
      ]);
      expect(both).toEqual([{ one: 1 }, { one: 2 }]);
    });
  });

  for (const suite of options.suites) {
    const reason = options.skip?.[suite.name];
    if (reason === undefined) describe(suite.name, () => suite.run(open));
    else describe.skip(`${suite.name} (skipped: ${reason})`, () => suite.run(open));
  }
}
