import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { runStoreContract } from '../../../test/store/store-contract.js';
import { fleetSuite } from '../../../test/store/fleet-store-contract.js';
import { poolSuite } from '../../../test/store/pool-contract.js';
import { scanSuite } from '../../../test/store/scan-store-contract.js';
import { PG_URL, dropSchemas, freshSchema } from '../../../test/store/pg-test-url.js';
import { MIGRATIONS, type Migration } from '../migrations.js';
import { PoolStore } from '../pool/pool-store.js';
import { PostgresStore, redactUrl } from './postgres-store.js';

const url = PG_URL ?? '';
const schemas: string[] = [];
const open = (migrations?: readonly Migration[], schema = freshSchema('store')): Promise<PostgresStore> => {
  schemas.push(schema);
  return PostgresStore.open(url, { schema, ...(migrations === undefined ? {} : { migrations }) });
};

describe.skipIf(url === '')('PostgresStore', () => {
  afterAll(() => dropSchemas(url, schemas));

  runStoreContract(() => open(), { suites: [poolSuite, fleetSuite, scanSuite] });

  it('migrates once when several processes start at the same time', async () => {
    const schema = freshSchema('race');
    const stores = await Promise.all(Array.from({ length: 4 }, () => open(undefined, schema)));
    const status = await stores[0]!.schemaStatus();
    expect(status.applied.map((m) => m.version)).toEqual(MIGRATIONS.map((m) => m.version));
    await Promise.all(stores.map((s) => s.close()));
    const extra: Migration[] = [
      ...MIGRATIONS,
      { version: MIGRATIONS.length + 1, name: 'extra', sql: (t) => `CREATE TABLE extra (x ${t.int})` },
    ];
    const again = await Promise.all([open(extra, schema), open(extra, schema)]);
    expect((await again[1].schemaStatus()).version).toBe(extra.length);
    await Promise.all(again.map((s) => s.close()));
    await expect(open(undefined, schema)).rejects.toThrow(/newer than this macfleet knows/);
  });
});

describe.skipIf(url === '')('PostgresStore when the server fails (issue 16 #5)', () => {
  afterAll(() => dropSchemas(url, schemas));

  it('reports a backend terminated mid-command as STORE_UNAVAILABLE and carries on', async () => {
    const store = await open();
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const slow = store.transaction(async (tx) => {
        await tx.get('SELECT pg_sleep(30)');
      });
      // Wait until the sleeping backend shows up, then kill it as a server restart would.
      let pid: number | undefined;
      for (let i = 0; i < 100 && pid === undefined; i++) {
        const { rows } = await admin.query<{ pid: number }>(
          "SELECT pid FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(30)' AND state = 'active'",
        );
        pid = rows[0]?.pid;
        if (pid === undefined) await new Promise((r) => setTimeout(r, 50));
      }
      expect(pid).toBeDefined();
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      await expect(slow).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
      // The next transaction gets a fresh connection.
      expect(await store.transaction((tx) => tx.get('SELECT 1 AS one'))).toEqual({ one: 1 });
    } finally {
      await admin.end();
      await store.close();
    }
  });

  it('says STORE_LOCKED when a lock is held past lock_timeout', async () => {
    const schema = freshSchema('lock');
    schemas.push(schema);
    const store = await PostgresStore.open(url, { schema, lockTimeoutMs: 200 });
    const pools = new PoolStore(store);
    await pools.createPool({ name: 'l', ranges: ['0a:00:00:00:00:00-0a:00:00:00:00:ff'] });
    const holder = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query("SELECT * FROM pools WHERE name = 'l' FOR UPDATE");
      await expect(pools.allocate({ pool: 'l' })).rejects.toMatchObject({
        code: 'STORE_LOCKED',
        message: expect.stringContaining('locked by another writer') as string,
      });
      await holder.query('ROLLBACK');
      expect((await pools.allocate({ pool: 'l' })).macs).toHaveLength(1);
    } finally {
      await holder.end();
      await store.close();
    }
  });

  it('says STORE_UNAVAILABLE when nothing listens', async () => {
    await expect(PostgresStore.open('postgres://nobody@127.0.0.1:1/none')).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
    });
  });
});

describe('redactUrl', () => {
  it('hides the password', () => {
    expect(redactUrl('postgres://u:secret@h:5432/db')).toBe('postgres://u:***@h:5432/db');
    expect(redactUrl('postgres://u@h/db')).toBe('postgres://u@h/db');
  });
});
