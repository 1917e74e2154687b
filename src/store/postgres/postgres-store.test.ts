import { afterAll, describe, expect, it } from 'vitest';
import { runStoreContract } from '../../../test/store/store-contract.js';
import { fleetSuite } from '../../../test/store/fleet-store-contract.js';
import { poolSuite } from '../../../test/store/pool-contract.js';
import { PG_URL, dropSchemas, freshSchema } from '../../../test/store/pg-test-url.js';
import { MIGRATIONS, type Migration } from '../migrations.js';
import { PostgresStore, redactUrl } from './postgres-store.js';

const url = PG_URL ?? '';
const schemas: string[] = [];
const open = (migrations?: readonly Migration[], schema = freshSchema('store')): Promise<PostgresStore> => {
  schemas.push(schema);
  return PostgresStore.open(url, { schema, ...(migrations === undefined ? {} : { migrations }) });
};

describe.skipIf(url === '')('PostgresStore', () => {
  afterAll(() => dropSchemas(url, schemas));

  runStoreContract(() => open(), { suites: [poolSuite, fleetSuite] });

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

describe('redactUrl', () => {
  it('hides the password', () => {
    expect(redactUrl('postgres://u:secret@h:5432/db')).toBe('postgres://u:***@h:5432/db');
    expect(redactUrl('postgres://u@h/db')).toBe('postgres://u@h/db');
  });
});
