/** PostgreSQL for tests: `MACFLEET_TEST_PG_URL`, each test in a schema of its own, dropped afterwards. */
import pg from 'pg';

export const PG_URL = process.env['MACFLEET_TEST_PG_URL'];

if (PG_URL === undefined || PG_URL === '') {
  console.warn(
    'PostgreSQL tests skipped: set MACFLEET_TEST_PG_URL (e.g. postgres://postgres@127.0.0.1:5432/test)',
  );
}

let n = 0;
/** A schema name nobody else uses. */
export const freshSchema = (label: string): string =>
  `mf_${label}_${process.pid}_${Date.now().toString(36)}_${++n}`.replace(/[^a-z0-9_]/gi, '_').slice(0, 63);

/** Drop the given schemas (best effort). */
export async function dropSchemas(url: string, schemas: readonly string[]): Promise<void> {
  if (schemas.length === 0) return;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  } finally {
    await client.end();
  }
}
