/**
 * The shared store: PostgreSQL through `pg`, for several macfleet processes or machines serving one
 * fleet. Each transaction runs on its own pooled connection; migrations run under a transaction-level
 * advisory lock, so processes starting together migrate once.
 */
import pg from 'pg';
import { MacfleetError } from '../../errors.js';
import { postgresAdapter } from '../dialect.js';
import { MIGRATIONS, applyMigrations, latestVersion, type Migration } from '../migrations.js';
import { runOutermost } from '../nesting.js';
import { toPostgresPlaceholders } from '../sql.js';
import { classifyStoreError } from '../store-errors.js';
import type {
  AppliedMigration,
  SchemaStatus,
  SqlRow,
  SqlSession,
  SqlValue,
  Store,
  TransactionOptions,
} from '../store.js';

export interface PostgresStoreOptions {
  /** Work in this schema (created if missing) instead of the connection's default search path. */
  readonly schema?: string;
  /** Connections per process (default 4). */
  readonly maxConnections?: number;
  /**
   * How long a statement waits for a lock another transaction holds before failing with STORE_LOCKED
   * (PostgreSQL `lock_timeout`, ms; default 30 s, like SQLite's busy timeout).
   */
  readonly lockTimeoutMs?: number;
  readonly migrations?: readonly Migration[];
}

// BIGINT (int8, oid 20) and NUMERIC (oid 1700, what SUM(bigint) returns) as numbers: every integer the
// schema holds (48-bit MACs, millisecond times, counts) is below 2^53.
const INT8 = 20;
const NUMERIC = 1700;
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary'): unknown =>
    oid === INT8 || oid === NUMERIC
      ? (v: string): number => Number(v)
      : (pg.types.getTypeParser(oid, format ?? 'text') as unknown)) as pg.CustomTypesConfig['getTypeParser'],
};

// Each distinct statement becomes a named prepared statement: PostgreSQL parses and plans it once per
// connection instead of on every call (the allocator runs the same dozen statements over and over).
const prepared = new Map<string, { name: string; text: string }>();
function pgStatement(sql: string): { name: string; text: string } {
  let out = prepared.get(sql);
  if (out === undefined) {
    out = { name: `mf${prepared.size + 1}`, text: toPostgresPlaceholders(sql) };
    prepared.set(sql, out);
  }
  return out;
}

class PostgresSession implements SqlSession {
  readonly dialect = 'postgres' as const;
  readonly adapter = postgresAdapter;
  #open = true;
  constructor(private readonly client: pg.PoolClient) {}

  close(): void {
    this.#open = false;
  }
  async #query(sql: string, params: readonly SqlValue[]): Promise<pg.QueryResult> {
    if (!this.#open) throw new MacfleetError('INTERNAL', 'SQL session used after its transaction ended');
    // Statements with several commands (migrations) cannot be prepared.
    if (params.length === 0 && sql.includes(';')) return this.client.query(sql);
    return this.client.query({ ...pgStatement(sql), values: params as SqlValue[] });
  }
  async all<R extends SqlRow = SqlRow>(sql: string, params: readonly SqlValue[] = []): Promise<R[]> {
    return (await this.#query(sql, params)).rows as R[];
  }
  async get<R extends SqlRow = SqlRow>(
    sql: string,
    params: readonly SqlValue[] = [],
  ): Promise<R | undefined> {
    return (await this.#query(sql, params)).rows[0] as R | undefined;
  }
  async run(sql: string, params: readonly SqlValue[] = []): Promise<{ changes: number }> {
    return { changes: (await this.#query(sql, params)).rowCount ?? 0 };
  }
  async exec(script: string): Promise<void> {
    if (!this.#open) throw new MacfleetError('INTERNAL', 'SQL session used after its transaction ended');
    await this.client.query(script);
  }
}

/** The URL as shown to people: without its password. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/:[^:@/]*@/, ':***@');
  }
}

const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

export class PostgresStore implements Store {
  readonly dialect = 'postgres' as const;
  readonly adapter = postgresAdapter;
  readonly #pool: pg.Pool;
  readonly #migrations: readonly Migration[];

  private constructor(
    readonly location: string,
    pool: pg.Pool,
    migrations: readonly Migration[],
  ) {
    this.#pool = pool;
    this.#migrations = migrations;
  }

  /**
   * Connect and migrate. A `schema` query parameter on the URL (`postgres://.../db?schema=lab`) works
   * like `options.schema`.
   */
  static async open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    let connectionString = url;
    let schema = options.schema;
    try {
      const u = new URL(url);
      const fromUrl = u.searchParams.get('schema');
      if (fromUrl !== null) {
        schema ??= fromUrl;
        u.searchParams.delete('schema');
        connectionString = u.toString();
      }
    } catch (e) {
      throw new MacfleetError(
        'INVALID_ARGUMENT',
        `invalid PostgreSQL URL ${redactUrl(url)}: ${(e as Error).message}`,
        { cause: e },
      );
    }
    if (schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
      throw new MacfleetError(
        'INVALID_ARGUMENT',
        `invalid schema name ${JSON.stringify(schema)}: expected letters, digits and _`,
      );
    }
    const lockTimeout = Math.max(1, Math.floor(options.lockTimeoutMs ?? 30_000));
    const pool = new pg.Pool({
      connectionString,
      max: options.maxConnections ?? 4,
      types,
      options: `-c lock_timeout=${lockTimeout}${schema === undefined ? '' : ` -c search_path=${schema}`}`,
    });
    // An idle connection that dies (server restart) must not crash the process: the pool emits it as
    // 'error' ("Emitted whenever an idle client in the pool encounters an error", node-postgres Pool
    // docs); the next transaction gets a fresh connection or reports STORE_UNAVAILABLE.
    pool.on('error', () => undefined);
    const store = new PostgresStore(redactUrl(url), pool, options.migrations ?? MIGRATIONS);
    try {
      await store.#migrate(schema);
    } catch (e) {
      await pool.end().catch(() => undefined);
      if (e instanceof MacfleetError) throw e;
      throw (
        classifyStoreError(e, store.location) ??
        new MacfleetError(
          'IO_ERROR',
          `cannot open the PostgreSQL database ${store.location}: ${(e as Error).message}`,
          {
            cause: e,
          },
        )
      );
    }
    return store;
  }

  #migrate(schema: string | undefined): Promise<void> {
    return this.transaction(async (tx) => {
      await tx.adapter.acquireMigrationLock(tx, schema ?? '(default)');
      if (schema !== undefined) await tx.exec(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
      await applyMigrations(tx, this.location, this.#migrations);
    });
  }

  transaction<T>(fn: (tx: SqlSession) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    return runOutermost(this, () => this.#transaction(fn, options));
  }

  async #transaction<T>(fn: (tx: SqlSession) => Promise<T>, options: TransactionOptions): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (e) {
      throw classifyStoreError(e, this.location) ?? e;
    }
    // A checked-out client reports a lost connection as an 'error' event of its own (pg-pool 2.0.7:
    // "checked-out clients became responsible for their own 'error' events", brianc/node-pg-pool#123);
    // unheard, it would crash the process. The query in flight fails too, and that failure is reported.
    let lost: unknown;
    const onError = (e: unknown): void => {
      lost ??= e;
    };
    client.on('error', onError);
    const session = new PostgresSession(client);
    let broken = false;
    try {
      await client.query(options.mode === 'read' ? 'BEGIN READ ONLY' : 'BEGIN');
      const result = await fn(session);
      await client.query('COMMIT');
      return result;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw classifyStoreError(e, this.location) ?? classifyStoreError(lost, this.location) ?? e;
    } finally {
      session.close();
      client.off('error', onError);
      // A client whose connection failed is destroyed, not returned to the pool.
      client.release(broken || lost !== undefined);
    }
  }

  async schemaStatus(): Promise<SchemaStatus> {
    const applied = await this.transaction(
      (tx) =>
        tx.all<{ version: number; name: string; appliedAt: number }>(
          'SELECT version, name, applied_at AS "appliedAt" FROM schema_migrations ORDER BY version',
        ),
      { mode: 'read' },
    );
    return {
      dialect: this.dialect,
      location: this.location,
      version: applied.at(-1)?.version ?? 0,
      latest: latestVersion(this.#migrations),
      applied: applied satisfies AppliedMigration[],
    };
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}
