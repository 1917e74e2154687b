/**
 * The schema, as an ordered list of migrations. Each is one DDL text over the dialect adapter's types
 * (src/store/dialect.ts); they are applied automatically when a store opens, in one transaction under
 * the adapter's migration lock (SQLite `BEGIN IMMEDIATE`, PostgreSQL `pg_advisory_xact_lock`), so two
 * processes starting at once never both migrate.
 *
 * To add tables: append a migration with the next version. Never edit or reorder an applied one.
 * MACs are stored as 48-bit integers (BIGINT on PostgreSQL); times as milliseconds since the epoch.
 */
import { MacfleetError } from '../errors.js';
import type { Ddl } from './dialect.js';
import type { SqlSession } from './store.js';
import { API_MIGRATION } from './api-migration.js';
import { FLEET_MIGRATION } from './fleet-migration.js';
import { POOLS_MIGRATION } from './pool/pool-migration.js';
import { OBSERVATION_MIGRATION } from './observation-migration.js';
import { FLEET_LIFECYCLE_MIGRATION } from './fleet-lifecycle-migration.js';
import { SCAN_MIGRATION } from './scan-migration.js';
import { EVENT_MACS_MIGRATION } from './event-macs-migration.js';

export interface Migration {
  /** 1, 2, 3, ... in order, no gaps. */
  readonly version: number;
  /** Short kebab-case name shown by `macfleet db status`. */
  readonly name: string;
  /**
   * The DDL, written once: column types and dialect-only parts come from the adapter's `ddl`
   * (`${t.int}` for a 64-bit integer, `${t.flag}` for 0/1, `${t.clustered}` after a table clustered on its
   * key, `t.appendOnly(...)` for an append-only log).
   */
  readonly sql: (t: Ddl) => string;
}

/** Every migration, in order. Append only. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, ...POOLS_MIGRATION },
  { version: 2, ...FLEET_MIGRATION },
  { version: 3, ...OBSERVATION_MIGRATION },
  { version: 4, ...FLEET_LIFECYCLE_MIGRATION },
  { version: 5, ...API_MIGRATION },
  { version: 6, ...SCAN_MIGRATION },
  { version: 7, ...EVENT_MACS_MIGRATION },
];

/** The newest schema version this program knows. */
export const latestVersion = (migrations: readonly Migration[] = MIGRATIONS): number =>
  migrations.at(-1)?.version ?? 0;

/** Checks the list is 1, 2, 3, ... with unique names (a merge that broke the order fails loudly). */
export function checkMigrations(migrations: readonly Migration[]): void {
  const names = new Set<string>();
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new MacfleetError(
        'INTERNAL',
        `migration #${i + 1} (${m.name}) has version ${m.version}; versions must be 1, 2, 3, ... in order`,
      );
    }
    if (names.has(m.name))
      throw new MacfleetError('INTERNAL', `two migrations are named ${JSON.stringify(m.name)}`);
    names.add(m.name);
  });
}

/** The migrations a database at `current` still needs; refuses a database newer than this program. */
export function pendingMigrations(
  current: number,
  location: string,
  migrations: readonly Migration[] = MIGRATIONS,
): readonly Migration[] {
  checkMigrations(migrations);
  const latest = latestVersion(migrations);
  if (current > latest) {
    throw new MacfleetError(
      'INVALID_ARGUMENT',
      `the database ${location} has schema version ${current}, newer than this macfleet knows (${latest}); upgrade macfleet`,
      { details: { current, latest } },
    );
  }
  return migrations.filter((m) => m.version > current);
}

/** The bookkeeping table, the same on both dialects. */
export const MIGRATIONS_TABLE_SQL =
  'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)';

/**
 * Bring the database to the newest version in the caller's transaction, which holds the adapter's
 * migration lock: read the version, refuse a newer database, apply what is pending and record it.
 */
export async function applyMigrations(
  tx: SqlSession,
  location: string,
  migrations: readonly Migration[] = MIGRATIONS,
  now: number = Date.now(),
): Promise<void> {
  await tx.exec(MIGRATIONS_TABLE_SQL);
  const row = await tx.get<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations');
  for (const m of pendingMigrations(row?.v ?? 0, location, migrations)) {
    await tx.exec(m.sql(tx.adapter.ddl));
    await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
      m.version,
      m.name,
      now,
    ]);
  }
}

/** The schema version of a database, without changing it (0 when it has none yet). */
export async function schemaVersion(tx: SqlSession): Promise<number> {
  const table = await tx.get(tx.adapter.tableExistsSql, ['schema_migrations']);
  if (table === undefined) return 0;
  const row = await tx.get<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations');
  return row?.v ?? 0;
}
