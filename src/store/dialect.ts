/**
 * Everything that differs between SQLite and PostgreSQL, in one object per dialect (Kysely's
 * `DialectAdapter` habit: "encapsulates all differences"): row locks, data-modifying WITH clauses,
 * named locks, the migration lock and the DDL types. Domain store code asks the session's adapter; it
 * never branches on the dialect's name.
 */
import type { Dialect } from './store.js';

/** The slice of a session an adapter needs to run its own statements. */
interface Runner {
  get(sql: string, params?: readonly (number | string | null)[]): Promise<unknown>;
}

/** Column types and table options, so one migration text serves both dialects. */
export interface Ddl {
  /** A 64-bit integer column (MACs, times in ms): BIGINT / INTEGER. */
  readonly int: string;
  /** A 0/1 flag column: SMALLINT / INTEGER. */
  readonly flag: string;
  /** An auto-numbered 64-bit primary key column: BIGSERIAL PRIMARY KEY / INTEGER PRIMARY KEY. */
  readonly serialKey: string;
  /** After `)` of a table clustered on its primary key: ` WITHOUT ROWID` on SQLite, nothing elsewhere. */
  readonly clustered: string;
  /**
   * Triggers refusing UPDATE and DELETE (and TRUNCATE where it exists) on the tables: append-only logs.
   * `fn` names the trigger function where the dialect needs one (created or replaced, so a migration that
   * rebuilds a log table re-creates its triggers the same way); `what` is the log's name in the error.
   */
  appendOnly(fn: string, tables: readonly string[], what: string): string;
  /** Drops the triggers `appendOnly` made on the tables (a migration that rewrites a log, then makes them again). */
  dropAppendOnly(tables: readonly string[]): string;
}

export interface DialectAdapter {
  readonly name: Dialect;
  /**
   * Suffix that locks the selected rows for the rest of the transaction (`of`: only this table alias's
   * rows). SQLite needs none: a write transaction already holds the database's single write lock.
   */
  forUpdate(of?: string): string;
  /**
   * Whether an INSERT ... RETURNING may feed another statement inside one WITH (PostgreSQL); when not,
   * the caller runs the statements one after the other.
   */
  readonly supportsDataModifyingCte: boolean;
  /** Serialize writers of `resource` until the transaction ends (SQLite: already, by its write lock). */
  lock(tx: Runner, resource: string): Promise<void>;
  /** A query with one parameter, a table name, that returns a row when the table exists. */
  readonly tableExistsSql: string;
  /** Taken in the migration's transaction before the schema version is read. */
  acquireMigrationLock(tx: Runner, scope: string): Promise<void>;
  readonly ddl: Ddl;
}

export const sqliteAdapter: DialectAdapter = {
  name: 'sqlite',
  forUpdate: () => '',
  supportsDataModifyingCte: false,
  // BEGIN IMMEDIATE (every write transaction of the SQLite store) holds the one write lock already.
  lock: () => Promise.resolve(),
  tableExistsSql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?",
  acquireMigrationLock: () => Promise.resolve(),
  ddl: {
    int: 'INTEGER',
    flag: 'INTEGER',
    serialKey: 'INTEGER PRIMARY KEY',
    clustered: ' WITHOUT ROWID',
    appendOnly: (_fn, tables, what) =>
      tables
        .flatMap((t) =>
          ['UPDATE', 'DELETE'].map(
            (op) =>
              `CREATE TRIGGER ${t}_no_${op.toLowerCase()} BEFORE ${op} ON ${t} ` +
              `BEGIN SELECT RAISE(ABORT, '${what} is append-only: ${op} on ${t} refused'); END;`,
          ),
        )
        .join('\n'),
    dropAppendOnly: (tables) =>
      tables.flatMap((t) => ['update', 'delete'].map((op) => `DROP TRIGGER ${t}_no_${op};`)).join('\n'),
  },
};

export const postgresAdapter: DialectAdapter = {
  name: 'postgres',
  forUpdate: (of) => (of === undefined ? ' FOR UPDATE' : ` FOR UPDATE OF ${of}`),
  supportsDataModifyingCte: true,
  // A transaction-scoped advisory lock per resource and schema (released at COMMIT or ROLLBACK).
  lock: async (tx, resource) => {
    await tx.get('SELECT pg_advisory_xact_lock(hashtext(CAST(? AS TEXT) || current_schema()))', [
      `macfleet:${resource}:`,
    ]);
  },
  tableExistsSql: 'SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename = ?',
  acquireMigrationLock: async (tx, scope) => {
    await tx.get("SELECT pg_advisory_xact_lock(hashtext('macfleet:migrate:' || CAST(? AS TEXT)))", [scope]);
  },
  ddl: {
    int: 'BIGINT',
    flag: 'SMALLINT',
    serialKey: 'BIGSERIAL PRIMARY KEY',
    clustered: '',
    appendOnly: (fn, tables, what) =>
      [
        `CREATE OR REPLACE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '${what} is append-only: % on % refused', TG_OP, TG_TABLE_NAME;
END
$$;`,
        ...tables.flatMap((t) => [
          `CREATE TRIGGER ${t}_append_only BEFORE UPDATE OR DELETE ON ${t} FOR EACH ROW EXECUTE FUNCTION ${fn}();`,
          `CREATE TRIGGER ${t}_no_truncate BEFORE TRUNCATE ON ${t} FOR EACH STATEMENT EXECUTE FUNCTION ${fn}();`,
        ]),
      ].join('\n'),
    dropAppendOnly: (tables) =>
      tables
        .flatMap((t) => [`DROP TRIGGER ${t}_append_only ON ${t};`, `DROP TRIGGER ${t}_no_truncate ON ${t};`])
        .join('\n'),
  },
};

export const DIALECT_ADAPTERS: Readonly<Record<Dialect, DialectAdapter>> = {
  sqlite: sqliteAdapter,
  postgres: postgresAdapter,
};
