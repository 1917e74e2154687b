/**
 * Which database a command uses, and opening it: `$MACFLEET_DB` if set, else `--db <path|url>`, else
 * `$XDG_DATA_HOME/macfleet/macfleet.db`, else `~/.local/share/macfleet/macfleet.db` (the order the
 * allocator issue fixes: an operator's environment pins the fleet database; a differing `--db` is
 * reported as ignored so nobody writes to one database believing it is another). A `postgres://`
 * (or `postgresql://`) URL selects PostgreSQL; anything else is a SQLite file path.
 */
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { MacfleetError } from '../errors.js';
import type { Migration } from './migrations.js';
import type { Store } from './store.js';

export interface DbLocation {
  readonly kind: 'sqlite' | 'postgres';
  /** The file path (absolute) or the URL. */
  readonly target: string;
  /** Where the choice came from, for `macfleet db status`. */
  readonly source: '--db' | 'MACFLEET_DB' | 'XDG_DATA_HOME' | 'home';
  /** A `--db` value that `$MACFLEET_DB` overrode (the CLI warns about it). */
  readonly ignoredFlag?: string;
}

export interface DbLocationInput {
  readonly flag?: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly home?: string;
}

const isPostgresUrl = (s: string): boolean => /^postgres(ql)?:\/\//i.test(s);

/** Decide which database to use (no I/O). */
export function resolveDbLocation(input: DbLocationInput): DbLocation {
  const pick = (value: string, source: DbLocation['source']): DbLocation => {
    if (isPostgresUrl(value)) return { kind: 'postgres', target: value, source };
    return { kind: 'sqlite', target: isAbsolute(value) ? value : resolve(input.cwd, value), source };
  };
  const flag = input.flag?.trim();
  const env = input.env['MACFLEET_DB']?.trim();
  if (env !== undefined && env !== '') {
    const chosen = pick(env, 'MACFLEET_DB');
    if (flag === undefined || flag === '' || pick(flag, '--db').target === chosen.target) return chosen;
    return { ...chosen, ignoredFlag: flag };
  }
  if (flag !== undefined && flag !== '') return pick(flag, '--db');
  const xdg = input.env['XDG_DATA_HOME']?.trim();
  if (xdg !== undefined && xdg !== '' && isAbsolute(xdg)) {
    return { kind: 'sqlite', target: join(xdg, 'macfleet', 'macfleet.db'), source: 'XDG_DATA_HOME' };
  }
  const home = input.home ?? input.env['HOME'] ?? homedir();
  if (home === '')
    throw new MacfleetError('USAGE', 'no database given: set MACFLEET_DB or pass --db <path|url>');
  return { kind: 'sqlite', target: join(home, '.local', 'share', 'macfleet', 'macfleet.db'), source: 'home' };
}

export interface OpenStoreOptions {
  readonly migrations?: readonly Migration[];
  /**
   * `read`: the caller only reads. A SQLite file must exist already (a mistyped path is NOT_FOUND, not a
   * new empty database) and may be read-only. Default `write`.
   */
  readonly access?: 'read' | 'write';
  /** PostgreSQL only: work in this schema. */
  readonly schema?: string;
}

/**
 * Open a store from a file path or a `postgres://` URL, applying pending migrations. The drivers are
 * loaded here, on first use, so commands that never open a store (`scan`, `mac`) do not pay for them.
 */
export async function openStore(
  location: string | DbLocation,
  options: OpenStoreOptions = {},
): Promise<Store> {
  const target = typeof location === 'string' ? location : location.target;
  const migrations = options.migrations === undefined ? {} : { migrations: options.migrations };
  if (isPostgresUrl(target)) {
    const { PostgresStore } = await import('./postgres/postgres-store.js');
    return PostgresStore.open(target, {
      ...migrations,
      ...(options.schema === undefined ? {} : { schema: options.schema }),
    });
  }
  const { SqliteStore } = await import('./sqlite/sqlite-store.js');
  return SqliteStore.open(target, { ...migrations, access: options.access ?? 'write' });
}
