/**
 * The embedded store: one SQLite file through better-sqlite3, in WAL mode (readers never block the
 * writer), with a busy timeout (another process holding the write lock makes us wait, not fail) and
 * `synchronous = FULL` (an acknowledged allocation survives a power cut, not only a killed process).
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { MacfleetError } from '../../errors.js';
import { runOutermost } from '../nesting.js';
import {
  MIGRATIONS,
  MIGRATIONS_TABLE_SQL,
  latestVersion,
  pendingMigrations,
  type Migration,
} from '../migrations.js';
import type {
  AppliedMigration,
  SchemaStatus,
  SqlRow,
  SqlSession,
  SqlValue,
  Store,
  TransactionOptions,
} from '../store.js';

export interface SqliteStoreOptions {
  /** How long to wait for another process's write lock before failing (ms, default 30 s). */
  readonly busyTimeoutMs?: number;
  /** The schema to migrate to (default: every migration of this program). */
  readonly migrations?: readonly Migration[];
}

type Statement = Database.Statement<SqlValue[], SqlRow>;

class SqliteSession implements SqlSession {
  readonly dialect = 'sqlite' as const;
  readonly forUpdate = '';
  #open = true;
  constructor(private readonly statement: (sql: string) => Statement) {}

  close(): void {
    this.#open = false;
  }
  #check(): void {
    if (!this.#open) throw new MacfleetError('INTERNAL', 'SQL session used after its transaction ended');
  }
  all<R extends SqlRow = SqlRow>(sql: string, params: readonly SqlValue[] = []): Promise<R[]> {
    this.#check();
    return Promise.resolve(this.statement(sql).all(...params) as R[]);
  }
  get<R extends SqlRow = SqlRow>(sql: string, params: readonly SqlValue[] = []): Promise<R | undefined> {
    this.#check();
    return Promise.resolve(this.statement(sql).get(...params) as R | undefined);
  }
  run(sql: string, params: readonly SqlValue[] = []): Promise<{ changes: number }> {
    this.#check();
    return Promise.resolve({ changes: this.statement(sql).run(...params).changes });
  }
}

export class SqliteStore implements Store {
  readonly dialect = 'sqlite' as const;
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Statement>();
  readonly #migrations: readonly Migration[];
  // better-sqlite3 is one synchronous connection: transactions of this process take turns.
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly location: string,
    db: Database.Database,
    migrations: readonly Migration[],
  ) {
    this.#db = db;
    this.#migrations = migrations;
  }

  /** Open (creating the file and its directory if needed) and migrate. */
  static async open(path: string, options: SqliteStoreOptions = {}): Promise<SqliteStore> {
    await Promise.resolve();
    let db: Database.Database;
    try {
      if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
      db = new Database(path);
    } catch (e) {
      throw new MacfleetError('IO_ERROR', `cannot open the database ${path}: ${(e as Error).message}`, {
        cause: e,
      });
    }
    try {
      db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 30_000))}`);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      // 64 MiB of page cache instead of 2: a pool of millions of MACs keeps its hot index pages in memory.
      db.pragma('cache_size = -65536');
    } catch (e) {
      db.close();
      throw new MacfleetError(
        'IO_ERROR',
        `${path} is not a usable SQLite database: ${(e as Error).message}`,
        { cause: e },
      );
    }
    const store = new SqliteStore(path, db, options.migrations ?? MIGRATIONS);
    try {
      store.#migrate();
    } catch (e) {
      db.close();
      throw e;
    }
    return store;
  }

  #statement = (sql: string): Statement => {
    let s = this.#statements.get(sql);
    if (s === undefined) {
      s = this.#db.prepare<SqlValue[], SqlRow>(sql);
      this.#statements.set(sql, s);
    }
    return s;
  };

  // BEGIN IMMEDIATE takes the write lock before reading the version: a second process waits (busy
  // timeout), then finds the migrations applied and does nothing.
  #migrate(): void {
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      this.#db.exec(MIGRATIONS_TABLE_SQL);
      const row = this.#db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as {
        v: number | null;
      };
      const record = this.#db.prepare(
        'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
      );
      for (const m of pendingMigrations(row.v ?? 0, this.location, this.#migrations)) {
        this.#db.exec(m.sqlite);
        record.run(m.version, m.name, Date.now());
      }
      this.#db.exec('COMMIT');
    } catch (e) {
      if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
      throw e;
    }
  }

  transaction<T>(fn: (tx: SqlSession) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const run = async (): Promise<T> => {
      const session = new SqliteSession(this.#statement);
      this.#db.exec(options.mode === 'read' ? 'BEGIN DEFERRED' : 'BEGIN IMMEDIATE');
      try {
        const result = await fn(session);
        this.#db.exec('COMMIT');
        return result;
      } catch (e) {
        if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
        throw e;
      } finally {
        session.close();
      }
    };
    const next = runOutermost(this, () => {
      const turn = this.#queue.then(run, run);
      this.#queue = turn.catch(() => undefined);
      return turn;
    });
    return next;
  }

  schemaStatus(): Promise<SchemaStatus> {
    const applied = this.#db
      .prepare('SELECT version, name, applied_at AS appliedAt FROM schema_migrations ORDER BY version')
      .all() as AppliedMigration[];
    return Promise.resolve({
      dialect: this.dialect,
      location: this.location,
      version: applied.at(-1)?.version ?? 0,
      latest: latestVersion(this.#migrations),
      applied,
    });
  }

  close(): Promise<void> {
    return this.#queue.then(() => {
      if (this.#db.open) this.#db.close();
    });
  }
}
