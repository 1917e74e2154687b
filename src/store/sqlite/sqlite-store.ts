/**
 * The embedded store: one SQLite file through better-sqlite3, in WAL mode (readers never block the
 * writer), with a busy timeout (another process holding the write lock makes us wait, not fail) and
 * `synchronous = FULL` (an acknowledged allocation survives a power cut, not only a killed process).
 */
import Database from 'better-sqlite3';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { MacfleetError } from '../../errors.js';
import { sqliteAdapter } from '../dialect.js';
import { runOutermost } from '../nesting.js';
import {
  MIGRATIONS,
  applyMigrations,
  latestVersion,
  pendingMigrations,
  schemaVersion,
  type Migration,
} from '../migrations.js';
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

export interface SqliteStoreOptions {
  /** How long to wait for another process's write lock before failing (ms, default 30 s). */
  readonly busyTimeoutMs?: number;
  /** The schema to migrate to (default: every migration of this program). */
  readonly migrations?: readonly Migration[];
  /**
   * `read`: the command only reads. The file must exist (a mistyped path is NOT_FOUND, never a new empty
   * database) and is opened read-only, so a read-only file serves; it is migrated only if it is behind
   * and writable. `write` (the default) creates the file and its directory when missing.
   */
  readonly access?: 'read' | 'write';
}

type Statement = Database.Statement<SqlValue[], SqlRow>;

interface ReadUnit {
  readonly fn: (tx: SqlSession) => Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * A prepared statement, and for one that returns rows, how a row is built. better-sqlite3 builds each
 * row object in C++ through V8's generic property API (about 1,500 instructions a column, measured with
 * callgrind: a MAC lookup spent an eighth of its instructions there). Reading rows as arrays (`raw`)
 * and building the object in JavaScript, with a literal of the statement's own columns, gives the same
 * object for a fraction of that.
 */
interface Prepared {
  readonly statement: Statement;
  readonly row: ((values: unknown[]) => SqlRow) | undefined;
}

/**
 * `(v) => ({ "col": v[0], ... })` for a statement's columns. The names are JSON-quoted into the source
 * (a JSON string is a JavaScript string literal); as with better-sqlite3's own objects, of two columns
 * with one name the later one wins.
 */
function rowBuilder(columns: readonly string[]): (values: unknown[]) => SqlRow {
  const fields = columns.map((name, i) => `${JSON.stringify(name)}: v[${i}]`).join(', ');
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- built from the statement's own column names, quoted (see above)
  const build = new Function('v', `return { ${fields} };`) as (values: unknown[]) => SqlRow;
  // SQLite re-prepares a statement whose tables changed; a `SELECT *` may then have other columns.
  return (values) => {
    if (values.length !== columns.length) {
      throw new MacfleetError('INTERNAL', 'a prepared statement changed its columns; reopen the store');
    }
    return build(values);
  };
}

class SqliteSession implements SqlSession {
  readonly dialect = 'sqlite' as const;
  readonly adapter = sqliteAdapter;
  #open = true;
  constructor(
    private readonly statement: (sql: string) => Prepared,
    private readonly db: Database.Database,
  ) {}

  close(): void {
    this.#open = false;
  }
  #check(): void {
    if (!this.#open) throw new MacfleetError('INTERNAL', 'SQL session used after its transaction ended');
  }
  all<R extends SqlRow = SqlRow>(sql: string, params: readonly SqlValue[] = []): Promise<R[]> {
    this.#check();
    const { statement, row } = this.statement(sql);
    const rows = statement.all(...params);
    return Promise.resolve((row === undefined ? rows : (rows as unknown as unknown[][]).map(row)) as R[]);
  }
  get<R extends SqlRow = SqlRow>(sql: string, params: readonly SqlValue[] = []): Promise<R | undefined> {
    this.#check();
    const { statement, row } = this.statement(sql);
    const value = statement.get(...params);
    return Promise.resolve(
      (row === undefined || value === undefined ? value : row(value as unknown as unknown[])) as
        R | undefined,
    );
  }
  run(sql: string, params: readonly SqlValue[] = []): Promise<{ changes: number }> {
    this.#check();
    return Promise.resolve({ changes: this.statement(sql).statement.run(...params).changes });
  }
  exec(script: string): Promise<void> {
    this.#check();
    this.db.exec(script);
    return Promise.resolve();
  }
}

export class SqliteStore implements Store {
  readonly dialect = 'sqlite' as const;
  readonly adapter = sqliteAdapter;
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Prepared>();
  readonly #migrations: readonly Migration[];
  readonly #busyTimeoutMs: number;
  // better-sqlite3 is one synchronous connection: transactions of this process take turns.
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly location: string,
    db: Database.Database,
    migrations: readonly Migration[],
    readonly readOnly: boolean,
    busyTimeoutMs: number,
  ) {
    this.#busyTimeoutMs = busyTimeoutMs;
    this.#db = db;
    this.#migrations = migrations;
  }

  /** Open (creating the file and its directory if needed, unless `access: 'read'`) and migrate. */
  static async open(path: string, options: SqliteStoreOptions = {}): Promise<SqliteStore> {
    const migrations = options.migrations ?? MIGRATIONS;
    if (options.access === 'read' && path !== ':memory:') {
      if (!existsSync(path)) {
        throw new MacfleetError(
          'NOT_FOUND',
          `no database at ${path}: check the path in $MACFLEET_DB or --db (a command that only reads never creates one; macfleet init creates it)`,
          { location: { file: path } },
        );
      }
      const store = SqliteStore.#connect(path, options, true);
      let version: number;
      try {
        version = await store.transaction((tx) => schemaVersion(tx));
      } catch (e) {
        await store.close();
        throw e;
      }
      if (version >= latestVersion(migrations)) {
        await store.#migrate(); // refuses a database newer than this program; applies nothing
        return store;
      }
      // Behind this program's schema: migrate through a writable connection, then read.
      await store.close();
      await (await SqliteStore.open(path, { ...options, access: 'write' })).close();
      return SqliteStore.#connect(path, options, true);
    }
    await Promise.resolve();
    const store = SqliteStore.#connect(path, options, false);
    try {
      await store.#migrate();
    } catch (e) {
      await store.close();
      throw e;
    }
    return store;
  }

  static #connect(path: string, options: SqliteStoreOptions, readonly: boolean): SqliteStore {
    let db: Database.Database;
    try {
      if (path !== ':memory:' && !readonly) mkdirSync(dirname(path), { recursive: true });
      db = new Database(path, readonly ? { readonly: true, fileMustExist: true } : {});
    } catch (e) {
      throw (
        classifyStoreError(e, path) ??
        new MacfleetError('IO_ERROR', `cannot open the database ${path}: ${(e as Error).message}`, {
          cause: e,
        })
      );
    }
    const busyTimeoutMs = Math.max(0, Math.floor(options.busyTimeoutMs ?? 30_000));
    try {
      db.pragma(`busy_timeout = ${busyTimeoutMs}`);
      if (!readonly) {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = FULL');
      }
      db.pragma('foreign_keys = ON');
      // 64 MiB of page cache instead of 2: a pool of millions of MACs keeps its hot index pages in memory.
      db.pragma('cache_size = -65536');
      // A read of the schema: a file that is not a database fails here, not in the first command.
      db.prepare('SELECT COUNT(*) FROM sqlite_master').get();
    } catch (e) {
      db.close();
      throw (
        classifyStoreError(e, path) ??
        new MacfleetError('IO_ERROR', `${path} is not a usable SQLite database: ${(e as Error).message}`, {
          cause: e,
        })
      );
    }
    return new SqliteStore(path, db, options.migrations ?? MIGRATIONS, readonly, busyTimeoutMs);
  }

  /**
   * BEGIN, COMMIT and ROLLBACK as prepared statements: `exec` compiles its text on every call, a tenth of
   * a read's CPU when a lookup is a handful of indexed queries.
   */
  #control(sql: 'BEGIN IMMEDIATE' | 'BEGIN DEFERRED' | 'COMMIT' | 'ROLLBACK'): void {
    this.#statement(sql).statement.run();
  }

  #statement = (sql: string): Prepared => {
    let p = this.#statements.get(sql);
    if (p === undefined) {
      const statement = this.#db.prepare<SqlValue[], SqlRow>(sql);
      const row = statement.reader ? rowBuilder(statement.columns().map((c) => c.name)) : undefined;
      if (row !== undefined) statement.raw(true);
      p = { statement, row };
      this.#statements.set(sql, p);
    }
    return p;
  };

  // The write transaction (BEGIN IMMEDIATE) takes the write lock before reading the version: a second
  // process waits (busy timeout), then finds the migrations applied and does nothing.
  #migrate(): Promise<void> {
    return this.transaction(async (tx) => {
      await tx.adapter.acquireMigrationLock(tx, this.location);
      // Read-only: nothing to apply (the caller checked), but a newer database is refused all the same.
      if (this.readOnly) pendingMigrations(await schemaVersion(tx), this.location, this.#migrations);
      else await applyMigrations(tx, this.location, this.#migrations);
    });
  }

  /**
   * Take the write lock, waiting up to the busy timeout for another writer, without blocking the event
   * loop: SQLite's own busy wait sleeps inside the call, so a second connection of this same process
   * (a server's, a test's) could never finish the transaction it waits for.
   */
  async #beginImmediate(): Promise<void> {
    const deadline = performance.now() + this.#busyTimeoutMs;
    this.#db.pragma('busy_timeout = 0');
    try {
      for (let pause = 2; ; pause = Math.min(pause * 2, 100)) {
        try {
          this.#control('BEGIN IMMEDIATE');
          return;
        } catch (e) {
          const busy = (e as { code?: unknown }).code === 'SQLITE_BUSY';
          if (!busy || performance.now() >= deadline) throw e;
        }
        await new Promise((resolve) => setTimeout(resolve, pause));
      }
    } finally {
      this.#db.pragma(`busy_timeout = ${this.#busyTimeoutMs}`);
    }
  }

  transaction<T>(fn: (tx: SqlSession) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const read = options.mode === 'read' || this.readOnly;
    const write = async (): Promise<T> => {
      const session = new SqliteSession(this.#statement, this.#db);
      try {
        await this.#beginImmediate();
        const result = await fn(session);
        this.#control('COMMIT');
        return result;
      } catch (e) {
        if (this.#db.inTransaction) this.#control('ROLLBACK');
        throw classifyStoreError(e, this.location) ?? e;
      } finally {
        session.close();
      }
    };
    return runOutermost(this, () => {
      if (read) return this.#sharedRead(fn);
      const turn = this.#queue.then(write, write);
      this.#queue = turn.catch(() => undefined);
      return turn;
    });
  }

  /** Reads waiting for the next shared snapshot; undefined when none is scheduled. */
  #reads: ReadUnit[] | undefined;

  /**
   * Reads share snapshots: those asked for in one turn of the event loop run one after the other in one
   * read transaction (each with its own session, each answered as soon as it is done). Beginning and
   * ending a snapshot costs file-lock system calls (a shared lock on the database taken and released,
   * a third of a MAC lookup's CPU on this project's CI machine); a burst of lookups pays them once. A
   * snapshot begins after every read in it was asked for, so each sees every write committed before it
   * was asked.
   */
  #sharedRead<T>(fn: (tx: SqlSession) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const unit = { fn, resolve, reject } as ReadUnit;
      if (this.#reads !== undefined) {
        this.#reads.push(unit);
        return;
      }
      const reads: ReadUnit[] = [unit];
      this.#reads = reads;
      const turn = this.#queue.then(async () => {
        // The round: what arrives before this turn's I/O is done joins it.
        await new Promise((r) => setImmediate(r));
        this.#reads = undefined;
        await this.#runReads(reads);
      });
      this.#queue = turn.catch(() => undefined);
    });
  }

  async #runReads(reads: readonly ReadUnit[]): Promise<void> {
    try {
      this.#control('BEGIN DEFERRED');
    } catch (e) {
      for (const u of reads) u.reject(classifyStoreError(e, this.location) ?? e);
      return;
    }
    try {
      for (const u of reads) {
        const session = new SqliteSession(this.#statement, this.#db);
        try {
          u.resolve(await u.fn(session));
        } catch (e) {
          u.reject(classifyStoreError(e, this.location) ?? e);
        } finally {
          session.close();
        }
      }
    } finally {
      if (this.#db.inTransaction) this.#control('COMMIT');
    }
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
