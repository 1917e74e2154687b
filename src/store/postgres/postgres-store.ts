/**
 * The shared store: PostgreSQL through `pg`, for several macfleet processes or machines serving one
 * fleet. Each transaction runs on its own pooled connection; migrations run under a transaction-level
 * advisory lock, so processes starting together migrate once.
 */
import pg from 'pg';
import { MacfleetError } from '../../errors.js';
import {
  MIGRATIONS,
  MIGRATIONS_TABLE_SQL,
  latestVersion,
  pendingMigrations,
  type Migration,
} from '../migrations.js';
import { runOutermost } from '../nesting.js';
import { toPostgresPlaceholders } from '../sql.js';
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
  readonly forUpdate = ' FOR UPDATE';
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
    const pool = new pg.Pool({
      connectionString,
      max: options.maxConnections ?? 4,
      types,
      ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
    });
    // An idle connection that dies (server restart) must not crash the process.
    pool.on('error', () => undefined);
    const store = new PostgresStore(redactUrl(url), pool, options.migrations ?? MIGRATIONS);
    try {
      await store.#migrate(schema);
    } catch (e) {
      await pool.end();
      if (e instanceof MacfleetError) throw e;
      throw new MacfleetError(
        'IO_ERROR',
        `cannot open the PostgreSQL database ${store.location}: ${(e as Error).message}`,
        {
          cause: e,
        },
      );
    }
    return store;
  }

  async #migrate(schema: string | undefined): Promise<void> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      await client.query("SELECT pg_advisory_xact_lock(hashtext('macfleet:migrate:' || $1::text))", [
        schema ?? '(default)',
      ]);
      if (schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
      await client.query(MIGRATIONS_TABLE_SQL);
      const { rows } = await client.query<{ v: number | null }>(
        'SELECT MAX(version) AS v FROM schema_migrations',
      );
      for (const m of pendingMigrations(rows[0]?.v ?? 0, this.location, this.#migrations)) {
        await client.query(m.postgres);
        await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
          m.version,
          m.name,
          Date.now(),
        ]);
      }
      await client.query('COMMIT');
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  transaction<T>(fn: (tx: SqlSession) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    return runOutermost(this, () => this.#transaction(fn, options));
  }

  async #transaction<T>(fn: (tx: SqlSession) => Promise<T>, options: TransactionOptions): Promise<T> {
    const client = await this.#pool.connect();
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
      throw e;
    } finally {
      session.close();
      client.release(broken);
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
