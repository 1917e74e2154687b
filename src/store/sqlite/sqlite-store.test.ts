import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { runStoreContract } from '../../../test/store/store-contract.js';
import { fleetSuite } from '../../../test/store/fleet-store-contract.js';
import { groupCommitSuite } from '../../../test/store/group-commit-contract.js';
import { poolSuite } from '../../../test/store/pool-contract.js';
import { scanSuite } from '../../../test/store/scan-store-contract.js';
import { MIGRATIONS, type Migration } from '../migrations.js';
import { PoolStore } from '../pool/pool-store.js';
import { SqliteStore } from './sqlite-store.js';

const dir = mkdtempSync(join(tmpdir(), 'macfleet-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshPath = (): string => join(dir, `store-${++n}.db`);

describe('SqliteStore', () => {
  runStoreContract(() => SqliteStore.open(freshPath()), {
    suites: [poolSuite, fleetSuite, groupCommitSuite, scanSuite],
  });

  it('reads asked for together share one snapshot, each answered on its own', async () => {
    const store = await SqliteStore.open(freshPath());
    try {
      await store.transaction((tx) => tx.exec('CREATE TABLE t (n INTEGER); INSERT INTO t VALUES (1)'));
      const read = () =>
        store.transaction((tx) => tx.get<{ n: number }>('SELECT SUM(n) AS n FROM t'), { mode: 'read' });
      const failing = store.transaction((tx) => tx.get('SELECT * FROM missing_table'), { mode: 'read' });
      const reads = [read(), read(), failing.catch((e: unknown) => e), read()];
      // A write asked for after them runs after their snapshot; a read asked for after it sees it.
      const write = store.transaction((tx) => tx.run('INSERT INTO t VALUES (2)'));
      const results = await Promise.all(reads);
      expect(results[0]).toEqual({ n: 1 });
      expect(results[1]).toEqual({ n: 1 });
      expect(results[2]).toMatchObject({ message: expect.stringContaining('missing_table') });
      expect(results[3]).toEqual({ n: 1 });
      await write;
      expect(await read()).toEqual({ n: 3 });
      // The session of a read ends with it.
      let kept: { get: (sql: string) => Promise<unknown> } | undefined;
      await store.transaction(
        (tx) => {
          kept = tx;
          return Promise.resolve();
        },
        { mode: 'read' },
      );
      expect(() => kept!.get('SELECT 1')).toThrow(/after its transaction ended/);
      // Many at once (a burst of lookups): every one answered, with the right rows.
      const many = await Promise.all(
        Array.from({ length: 500 }, (_, i) =>
          store.transaction((tx) => tx.get<{ v: number }>('SELECT ? + n AS v FROM t LIMIT 1', [i]), {
            mode: 'read',
          }),
        ),
      );
      expect(many.map((r) => r!.v)).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
    } finally {
      await store.close();
    }
  });

  it('uses WAL with a busy timeout and FULL sync', async () => {
    const path = freshPath();
    const store = await SqliteStore.open(path);
    const rows = await store.transaction(async (tx) => [
      await tx.get('PRAGMA journal_mode'),
      await tx.get('PRAGMA busy_timeout'),
      await tx.get('PRAGMA synchronous'),
    ]);
    expect(rows).toEqual([{ journal_mode: 'wal' }, { timeout: 30000 }, { synchronous: 2 }]);
    await store.close();
  });

  it('applies a later migration once and refuses a database newer than the program', async () => {
    const path = freshPath();
    await (await SqliteStore.open(path)).close();
    const extra: Migration[] = [
      ...MIGRATIONS,
      { version: MIGRATIONS.length + 1, name: 'extra', sql: (t) => `CREATE TABLE extra (x ${t.int})` },
    ];
    const [a, b] = await Promise.all([
      SqliteStore.open(path, { migrations: extra }),
      SqliteStore.open(path, { migrations: extra }),
    ]);
    expect((await a.schemaStatus()).version).toBe(extra.length);
    expect((await b.schemaStatus()).applied).toHaveLength(extra.length);
    await Promise.all([a.close(), b.close()]);
    await expect(SqliteStore.open(path)).rejects.toThrow(/newer than this macfleet knows/);
  });

  it('says STORE_LOCKED, naming the file, when another writer holds the lock past the busy timeout', async () => {
    const path = freshPath();
    const store = await SqliteStore.open(path, { busyTimeoutMs: 150 });
    const pools = new PoolStore(store);
    await pools.createPool({ name: 'l', ranges: ['0a:00:00:00:00:00-0a:00:00:00:00:ff'] });
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    try {
      await expect(pools.allocate({ pool: 'l' })).rejects.toMatchObject({
        code: 'STORE_LOCKED',
        message: expect.stringContaining(`the database ${path} is locked by another writer`) as string,
      });
      // Reads go on while a writer holds the lock (WAL).
      expect((await pools.showPool('l')).used).toBe(0);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect((await pools.allocate({ pool: 'l' })).macs).toHaveLength(1);
    await store.close();
  });

  it('says IO_FAILED when the database cannot grow (disk full), and keeps what it had', async () => {
    const store = await SqliteStore.open(freshPath());
    const pools = new PoolStore(store);
    await pools.createPool({ name: 'f', ranges: ['0a:00:00:00:00:00-0a:00:00:ff:ff:ff'] });
    // SQLite answers SQLITE_FULL once a file reaches max_page_count, as it does when the disk is full.
    const pages = await store.transaction((tx) => tx.get<{ page_count: number }>('PRAGMA page_count'));
    await store.transaction((tx) => tx.get(`PRAGMA max_page_count = ${(pages?.page_count ?? 0) + 2}`));
    await expect(pools.allocate({ pool: 'f', count: 100_000 })).rejects.toMatchObject({
      code: 'IO_FAILED',
      message: expect.stringContaining('the disk is full') as string,
    });
    expect((await pools.showPool('f')).used).toBe(0);
    await store.close();
  });

  it('opens for reading only a file that exists, read-only, and refuses writes through it', async () => {
    await expect(SqliteStore.open(join(dir, 'missing.db'), { access: 'read' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    const path = freshPath();
    await (await SqliteStore.open(path)).close();
    const store = await SqliteStore.open(path, { access: 'read' });
    expect((await store.schemaStatus()).version).toBe(MIGRATIONS.length);
    await expect(
      store.transaction((tx) =>
        tx.run(
          "INSERT INTO pools (name, quarantine_ms, cursor, size, free_count, created_at) VALUES ('x', 0, 0, 0, 0, 0)",
        ),
      ),
    ).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
      message: expect.stringContaining('read-only') as string,
    });
    await store.close();
  });

  it('reports a file that is not a database', async () => {
    const { writeFileSync } = await import('node:fs');
    const path = freshPath();
    writeFileSync(path, 'not a database at all, just text '.repeat(100));
    await expect(SqliteStore.open(path)).rejects.toMatchObject({ code: 'IO_ERROR' });
  });
});
