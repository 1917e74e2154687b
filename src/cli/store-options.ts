/**
 * What the store commands share: the `--db` and `--now` options, opening (and always closing) the
 * store, and durations.
 */
import type { Command } from 'commander';
import { MacfleetError } from '../errors.js';
import type { Clock } from '../random.js';
import { systemClock } from '../random.js';
import { parseTime } from '../time.js';
import { openStore, resolveDbLocation, type DbLocation } from '../store/open-store.js';
import { PoolStore } from '../store/pool-store.js';
import type { Store } from '../store/store.js';
import type { CliContext } from './context.js';

export interface StoreOptions {
  readonly db?: string;
  readonly now?: string;
  readonly json?: boolean;
}

/** Add `--db`, `--now` and `--json` to a store command. */
export function storeCommandOptions(cmd: Command): Command {
  return cmd
    .option(
      '--db <path|url>',
      'SQLite file or postgres:// URL ($MACFLEET_DB, when set, takes precedence; default $XDG_DATA_HOME/macfleet/macfleet.db)',
    )
    .option(
      '--now <time>',
      `act as if it were this time (ISO 8601 or ms since the epoch): for what-ifs of commands that only read; commands that write refuse it unless ${CLOCK_OVERRIDE_ENV}=1 (tests)`,
    )
    .option('--json', 'machine-readable output');
}

/**
 * The environment setting that lets a command that writes run at a claimed time (`--now`): tests only.
 * Without it, `--now` serves what-ifs of read-only commands, and no claimed time reaches the audit log
 * (issue 16: an audit log anyone can backdate is not one; a claimed time could also skip quarantine).
 */
export const CLOCK_OVERRIDE_ENV = 'MACFLEET_ALLOW_CLOCK_OVERRIDE';

/** Whether a command only reads the store or also writes to it. */
export type StoreAccess = 'read' | 'write';

/**
 * The clock a command runs with: `--now` when given (a real date between 1970 and 9999), which a
 * command that writes accepts only when `MACFLEET_ALLOW_CLOCK_OVERRIDE=1`.
 */
export function clockFrom(
  now: string | undefined,
  access: StoreAccess = 'read',
  env: Readonly<Record<string, string | undefined>> = {},
): Clock {
  if (now === undefined) return systemClock;
  const ms = parseTime(now, '--now');
  if (access === 'write' && env[CLOCK_OVERRIDE_ENV] !== '1') {
    throw new MacfleetError(
      'INVALID_ARGUMENT',
      `option --now: this command writes, and a claimed time would go into the audit log; --now is for ` +
        `commands that only read (pool show, whois, events, ...). Tests may set ${CLOCK_OVERRIDE_ENV}=1`,
      { location: { field: '--now' } },
    );
  }
  return { now: () => ms };
}

/**
 * Open the store the options and environment name, run `fn`, close the store whatever happens. A
 * command that only reads (`access: 'read'`) never creates a database (a mistyped path is NOT_FOUND)
 * and works on a read-only file.
 */
export async function withStore<T>(
  ctx: CliContext,
  opts: StoreOptions,
  fn: (store: Store, location: DbLocation) => Promise<T>,
  access: StoreAccess = 'write',
): Promise<T> {
  const location = resolveDbLocation({ flag: opts.db, env: ctx.io.env, cwd: ctx.io.cwd });
  if (location.ignoredFlag !== undefined) {
    ctx.io.stderr(
      `macfleet: warning: $MACFLEET_DB (${location.target}) takes precedence over --db ${location.ignoredFlag}\n`,
    );
  }
  const store = await openStore(location, { access });
  try {
    return await fn(store, location);
  } finally {
    await store.close();
  }
}

/** Pools over the selected store, with the command's clock. */
export function withPools<T>(
  ctx: CliContext,
  opts: StoreOptions,
  fn: (pools: PoolStore) => Promise<T>,
  access: StoreAccess = 'write',
): Promise<T> {
  const clock = clockFrom(opts.now, access, ctx.io.env);
  return withStore(ctx, opts, (store) => fn(new PoolStore(store, clock)), access);
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `24h`, `30m`, `90s`, `7d`, `1500ms`, `0` → milliseconds. */
export function parseDuration(text: string, field: string): number {
  const match = /^(\d+)(ms|s|m|h|d)?$/.exec(text.trim());
  if (match === null) {
    throw new MacfleetError(
      'INVALID_ARGUMENT',
      `option ${field}: expected a duration such as 24h, 30m, 90s, 7d or 0, got ${JSON.stringify(text)}`,
      {
        location: { field },
      },
    );
  }
  return Number(match[1]) * UNITS[match[2] ?? 'ms']!;
}

/** `86400000` → `24h`. */
export function formatDuration(ms: number): string {
  if (ms >= 2 * UNITS['d']! && ms % UNITS['d']! === 0) return `${ms / UNITS['d']!}d`;
  for (const unit of ['h', 'm', 's'] as const)
    if (ms > 0 && ms % UNITS[unit]! === 0) return `${ms / UNITS[unit]!}${unit}`;
  return `${ms}ms`;
}
