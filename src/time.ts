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
  if (isSaneTime(ms)) return isoString(ms);
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? `(invalid time ${String(ms)})` : d.toISOString();
}

const two = (n: number): string => (n < 10 ? `0${n}` : String(n));

/**
 * `new Date(ms).toISOString()`, computed: V8 formats a date through printf, about 7,000 instructions
 * each (callgrind), and an API answer may carry dozens. Times outside MIN_TIME..MAX_TIME, or not whole
 * milliseconds, go to `Date` (which throws for what is not a time at all).
 */
export function isoString(ms: number): string {
  if (!isSaneTime(ms)) return new Date(ms).toISOString();
  const days = Math.floor(ms / 86_400_000);
  let rest = ms - days * 86_400_000;
  const hour = Math.floor(rest / 3_600_000);
  rest -= hour * 3_600_000;
  const minute = Math.floor(rest / 60_000);
  rest -= minute * 60_000;
  const second = Math.floor(rest / 1000);
  const milli = rest - second * 1000;
  // Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant, "chrono-compatible low-level date
  // algorithms", civil_from_days): eras of 400 years, years starting on 1 March.
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const millis = milli < 10 ? `00${milli}` : milli < 100 ? `0${milli}` : String(milli);
  return `${year}-${two(month)}-${two(day)}T${two(hour)}:${two(minute)}:${two(second)}.${millis}Z`;
}
