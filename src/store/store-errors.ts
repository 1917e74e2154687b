/**
 * Driver errors that say the database itself is unavailable — unreachable, gone mid-command, locked by
 * someone else, out of disk — become MacfleetErrors with codes of their own (exit status 4 on the CLI,
 * issue 16): they are neither the user's bad input (2) nor a bug (70). Anything else is rethrown as it
 * is, so the retry logic still sees unique violations and serialization failures by their driver code.
 */
import { MacfleetError } from '../errors.js';

const codeOf = (e: unknown): string | undefined => {
  if (typeof e !== 'object' || e === null || !('code' in e)) return undefined;
  return typeof e.code === 'string' ? e.code : undefined;
};

// Node socket errors and pg's own wording when the server goes away mid-command.
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);
const LOST =
  /Connection terminated|connection (?:is )?(?:closed|ended)|Client has encountered a connection error/i;

/**
 * PostgreSQL SQLSTATEs (https://www.postgresql.org/docs/current/errcodes-appendix.html): class 08
 * connection exception, 57P01-57P03 the server shutting down or not accepting connections, 53xxx
 * insufficient resources (53100 disk full), 55P03 lock_not_available (what `lock_timeout` raises:
 * postgres commit d51b271 "Change errcode for lock_timeout to match NOWAIT").
 * SQLite result codes (https://www.sqlite.org/rescode.html): SQLITE_BUSY / SQLITE_LOCKED (and their
 * extended forms) after the busy timeout, SQLITE_FULL, SQLITE_IOERR_*, SQLITE_READONLY*, SQLITE_CANTOPEN.
 */
export function classifyStoreError(e: unknown, location: string): MacfleetError | undefined {
  if (e instanceof MacfleetError) return e;
  const code = codeOf(e);
  const message = e instanceof Error ? e.message : String(e);
  const wrap = (c: 'STORE_UNAVAILABLE' | 'STORE_LOCKED' | 'IO_FAILED', text: string): MacfleetError =>
    new MacfleetError(c, text, { cause: e, details: { location, driverCode: code ?? null } });
  if (
    code === '55P03' ||
    code?.startsWith('SQLITE_BUSY') === true ||
    code?.startsWith('SQLITE_LOCKED') === true
  ) {
    return wrap(
      'STORE_LOCKED',
      `the database ${location} is locked by another writer and the wait timed out (${message}); ` +
        'try again when the other macfleet command or database client has finished',
    );
  }
  if (code === 'SQLITE_FULL' || code === '53100') {
    return wrap('IO_FAILED', `the database ${location} could not be written: the disk is full (${message})`);
  }
  if (code?.startsWith('SQLITE_IOERR') === true) {
    return wrap('IO_FAILED', `the database ${location} could not be read or written: ${message}`);
  }
  if (code?.startsWith('SQLITE_READONLY') === true) {
    return wrap(
      'STORE_UNAVAILABLE',
      `the database ${location} is read-only: this command writes to it (${message}); ` +
        'read-only commands (pool list, whois, events, ...) still work',
    );
  }
  if (code === 'SQLITE_CANTOPEN') {
    return wrap('STORE_UNAVAILABLE', `cannot open the database ${location}: ${message}`);
  }
  if (
    (code !== undefined && (NETWORK_CODES.has(code) || code.startsWith('08') || /^57P0[123]$/.test(code))) ||
    code?.startsWith('53') === true ||
    LOST.test(message)
  ) {
    return wrap(
      'STORE_UNAVAILABLE',
      `the database ${location} is unavailable: ${message}; nothing of this command was committed unless it said so`,
    );
  }
  return undefined;
}

/** Rethrow `e` as a store MacfleetError when it is one, else as it is. */
export function rethrowStoreError(e: unknown, location: string): never {
  throw classifyStoreError(e, location) ?? e;
}
