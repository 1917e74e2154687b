/**
 * Times at the edge (issue 16): every time a user or a client gives (`--now`, `--since`, an API field)
 * is a real date within sane bounds before anything stores it, and every time read back is shown even
 * when a stored value is not one (a database written by an older macfleet, or by hand).
 */
import { MacfleetError } from './errors.js';

/** The earliest time macfleet accepts: 1970-01-01T00:00:00Z (ms since the epoch). */
export const MIN_TIME = 0;
/** The latest: 9999-12-31T23:59:59.999Z, the last instant ISO 8601's four-digit years can write. */
export const MAX_TIME = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

export const isSaneTime = (ms: number): boolean =>
  Number.isSafeInteger(ms) && ms >= MIN_TIME && ms <= MAX_TIME;

/**
 * An ISO 8601 time (`2026-11-23T09:00:00Z`, `2026-11-23`) or whole milliseconds since the epoch, within
 * MIN_TIME..MAX_TIME; INVALID_ARGUMENT naming `field` otherwise.
 */
export function parseTime(text: string, field: string): number {
  const t = text.trim();
  const ms = /^\d+$/.test(t) ? Number(t) : /^\d{4}-\d{2}-\d{2}/.test(t) ? Date.parse(t) : NaN;
  if (!isSaneTime(ms)) {
    throw new MacfleetError(
      'INVALID_ARGUMENT',
      `${field}: expected an ISO 8601 time (2026-11-23T09:00:00Z) or milliseconds since the epoch, ` +
        `between 1970-01-01 and 9999-12-31, got ${JSON.stringify(text)}`,
      { location: { field } },
    );
  }
  return ms;
}

/** ISO 8601 for a stored time; a value that is not a time is shown as such instead of throwing. */
export function isoTime(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? `(invalid time ${String(ms)})` : d.toISOString();
}
