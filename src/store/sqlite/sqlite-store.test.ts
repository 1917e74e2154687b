import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runStoreContract } from '../../../test/store/store-contract.js';
import { fleetSuite } from '../../../test/store/fleet-store-contract.js';
import { poolSuite } from '../../../test/store/pool-contract.js';
import { MIGRATIONS, type Migration } from '../migrations.js';
import { SqliteStore } from './sqlite-store.js';

const dir = mkdtempSync(join(tmpdir(), 'macfleet-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshPath = (): string => join(dir, `store-${++n}.db`);

describe('SqliteStore', () => {
  runStoreContract(() => SqliteStore.open(freshPath()), { suites: [poolSuite, fleetSuite] });

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

  it('reports a file that is not a database', async () => {
    const { writeFileSync } = await import('node:fs');
    const path = freshPath();
    writeFileSync(path, 'not a database at all, just text '.repeat(100));
    await expect(SqliteStore.open(path)).rejects.toMatchObject({ code: 'IO_ERROR' });
  });
});
