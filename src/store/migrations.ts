/**
 * The schema, as an ordered list of migrations. Each has SQL for SQLite and for PostgreSQL; they are
 * applied automatically when a store opens, in one transaction under a lock (SQLite `BEGIN IMMEDIATE`,
 * PostgreSQL `pg_advisory_xact_lock`), so two processes starting at once never both migrate.
 *
 * To add tables: append a migration with the next version. Never edit or reorder an applied one.
 * MACs are stored as 48-bit integers (BIGINT on PostgreSQL); times as milliseconds since the epoch.
 */
import { MacfleetError } from '../errors.js';
import { API_MIGRATION } from './api-migration.js';
import { FLEET_MIGRATION } from './fleet-migration.js';

export interface Migration {
  /** 1, 2, 3, ... in order, no gaps. */
  readonly version: number;
  /** Short kebab-case name shown by `macfleet db status`. */
  readonly name: string;
  readonly sqlite: string;
  readonly postgres: string;
}

// Pools and the fleet-wide MAC table. `macs.mac` is the primary key: the database, not a process,
// guarantees that a MAC is held by at most one owner across every pool, host and macfleet instance.
// `pool_free` is the run-length free list of each pool (disjoint, non-adjacent intervals), kept in the
// same transactions as `macs`, so finding a free MAC is an index seek, never a scan of allocated MACs.
const poolsSqlite = `
CREATE TABLE pools (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  is_default INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
  quarantine_ms INTEGER NOT NULL CHECK (quarantine_ms >= 0),
  cursor INTEGER NOT NULL,
  size INTEGER NOT NULL,
  free_count INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX pools_one_default ON pools (is_default) WHERE is_default = 1;
CREATE TABLE pool_ranges (
  pool_id INTEGER NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('range', 'exclude')),
  start_mac INTEGER NOT NULL,
  end_mac INTEGER NOT NULL,
  CHECK (start_mac <= end_mac)
);
CREATE INDEX pool_ranges_pool ON pool_ranges (pool_id);
CREATE INDEX pool_ranges_span ON pool_ranges (kind, start_mac, end_mac);
CREATE TABLE pool_free (
  pool_id INTEGER NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
  start_mac INTEGER NOT NULL,
  end_mac INTEGER NOT NULL,
  PRIMARY KEY (pool_id, end_mac),
  CHECK (start_mac <= end_mac)
) WITHOUT ROWID;
CREATE UNIQUE INDEX pool_free_start ON pool_free (pool_id, start_mac);
CREATE TABLE macs (
  mac INTEGER PRIMARY KEY,
  state TEXT NOT NULL CHECK (state IN ('allocated', 'reserved', 'in_use', 'quarantined')),
  pool_id INTEGER REFERENCES pools (id),
  owner TEXT,
  request_key TEXT,
  since INTEGER NOT NULL,
  quarantine_until INTEGER
);
CREATE INDEX macs_quarantine ON macs (pool_id, quarantine_until) WHERE state = 'quarantined';
CREATE TABLE mac_events (
  id INTEGER PRIMARY KEY,
  mac INTEGER NOT NULL,
  event TEXT NOT NULL,
  pool_id INTEGER,
  owner TEXT,
  request_key TEXT,
  at INTEGER NOT NULL
);
CREATE INDEX mac_events_mac ON mac_events (mac, id);
CREATE TABLE allocation_requests (
  request_key TEXT PRIMARY KEY,
  pool_id INTEGER NOT NULL REFERENCES pools (id),
  count INTEGER NOT NULL,
  owner TEXT,
  macs TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
`;

const poolsPostgres = `
CREATE TABLE pools (
  id BIGSERIAL PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  is_default SMALLINT NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
  quarantine_ms BIGINT NOT NULL CHECK (quarantine_ms >= 0),
  cursor BIGINT NOT NULL,
  size BIGINT NOT NULL,
  free_count BIGINT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX pools_one_default ON pools (is_default) WHERE is_default = 1;
CREATE TABLE pool_ranges (
  pool_id BIGINT NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('range', 'exclude')),
  start_mac BIGINT NOT NULL,
  end_mac BIGINT NOT NULL,
  CHECK (start_mac <= end_mac)
);
CREATE INDEX pool_ranges_pool ON pool_ranges (pool_id);
CREATE INDEX pool_ranges_span ON pool_ranges (kind, start_mac, end_mac);
CREATE TABLE pool_free (
  pool_id BIGINT NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
  start_mac BIGINT NOT NULL,
  end_mac BIGINT NOT NULL,
  PRIMARY KEY (pool_id, end_mac),
  CHECK (start_mac <= end_mac)
);
CREATE UNIQUE INDEX pool_free_start ON pool_free (pool_id, start_mac);
CREATE TABLE macs (
  mac BIGINT PRIMARY KEY,
  state TEXT NOT NULL CHECK (state IN ('allocated', 'reserved', 'in_use', 'quarantined')),
  pool_id BIGINT REFERENCES pools (id),
  owner TEXT,
  request_key TEXT,
  since BIGINT NOT NULL,
  quarantine_until BIGINT
);
CREATE INDEX macs_quarantine ON macs (pool_id, quarantine_until) WHERE state = 'quarantined';
CREATE TABLE mac_events (
  id BIGSERIAL PRIMARY KEY,
  mac BIGINT NOT NULL,
  event TEXT NOT NULL,
  pool_id BIGINT,
  owner TEXT,
  request_key TEXT,
  at BIGINT NOT NULL
);
CREATE INDEX mac_events_mac ON mac_events (mac, id);
CREATE TABLE allocation_requests (
  request_key TEXT PRIMARY KEY,
  pool_id BIGINT NOT NULL REFERENCES pools (id),
  count INTEGER NOT NULL,
  owner TEXT,
  macs TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
`;

/** Every migration, in order. Append only. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'pools-and-macs', sqlite: poolsSqlite, postgres: poolsPostgres },
  { version: 2, ...FLEET_MIGRATION },
  { version: 3, ...API_MIGRATION },
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
