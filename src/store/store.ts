/**
 * The Store port: one interface, two implementations (src/store/sqlite, src/store/postgres), one
 * contract test suite (test/store/store-contract.ts), one dialect adapter each (dialect.ts). The interface is async because PostgreSQL is.
 *
 * A Store is deliberately small: transactions over a structurally typed SQL session, plus the schema
 * status. Domain persistence (pools and allocations in pool/, the fleet inventory in its own
 * module) is written once as functions over `SqlSession`, with `?` placeholders that the PostgreSQL
 * session rewrites to `$1, $2, ...`. A module that needs tables adds a migration to migrations.ts.
 */

import type { DialectAdapter } from './dialect.js';

export const DIALECTS = ['sqlite', 'postgres'] as const;
export type Dialect = (typeof DIALECTS)[number];

/** What SQL parameters may be: integers (MACs are 48-bit integers), text, null. Booleans are 0/1. */
export type SqlValue = number | string | null;

/** A row as the driver returns it; integer columns (BIGINT included) come back as `number`. */
export type SqlRow = Record<string, unknown>;

/** One connection inside one transaction. Statements use `?` placeholders on both dialects. */
export interface SqlSession {
  /** The dialect's name, for messages; what differs between dialects is asked of `adapter`. */
  readonly dialect: Dialect;
  /** Everything that differs between the dialects (locks, RETURNING in WITH, DDL types). */
  readonly adapter: DialectAdapter;
  /** All rows of a query. */
  all<R extends SqlRow = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<R[]>;
  /** The first row of a query, or undefined. */
  get<R extends SqlRow = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<R | undefined>;
  /** Run a statement; `changes` is the number of rows inserted, updated or deleted. */
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }>;
  /** Run a script of several statements without parameters (migrations). */
  exec(script: string): Promise<void>;
}

export const TX_MODES = ['write', 'read'] as const;
export type TxMode = (typeof TX_MODES)[number];

export interface TransactionOptions {
  /**
   * `write` (the default) takes the write lock at the start on SQLite (`BEGIN IMMEDIATE`), so two
   * processes never deadlock upgrading a read lock; `read` is a plain snapshot. A store opened for
   * reading only runs every transaction as `read`.
   */
  readonly mode?: TxMode;
}

export interface AppliedMigration {
  readonly version: number;
  readonly name: string;
  /** Milliseconds since the epoch. */
  readonly appliedAt: number;
}

export interface SchemaStatus {
  readonly dialect: Dialect;
  /** The database file path, or the PostgreSQL URL without its password. */
  readonly location: string;
  /** The highest migration applied to the database. */
  readonly version: number;
  /** The highest migration this program knows. */
  readonly latest: number;
  readonly applied: readonly AppliedMigration[];
}

export interface Store {
  readonly dialect: Dialect;
  readonly adapter: DialectAdapter;
  /** The database file path, or the PostgreSQL URL without its password. */
  readonly location: string;
  /**
   * Run `fn` in one transaction: committed when it resolves, rolled back when it throws (the error is
   * rethrown). Transactions of one Store run one at a time on SQLite and concurrently on PostgreSQL;
   * do not start a transaction inside another.
   */
  transaction<T>(fn: (tx: SqlSession) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /** The schema version and the migrations applied. */
  schemaStatus(): Promise<SchemaStatus>;
  close(): Promise<void>;
}
