/**
 * The one place where error codes become HTTP statuses, and errors become RFC 9457 problem details
 * (`application/problem+json`): `type`, `title`, `status`, `detail`, `instance`, plus macfleet's own
 * members `code`, `requestId` and, when known, the field, file, line or position at fault. A response
 * never carries a stack trace; an unexpected error is logged and answered with a generic 500.
 */
import { ERROR_CODES, MacfleetError, type ErrorCode, type ErrorLocation } from '../errors.js';

export const STATUS_BY_CODE: Readonly<Record<ErrorCode, number>> = {
  INVALID_ARGUMENT: 400,
  USAGE: 400,
  PARSE_ERROR: 400,
  // Well-formed requests whose values are not acceptable MACs or ranges.
  INVALID_MAC: 422,
  INVALID_RANGE: 422,
  // A file the server was asked to read (an uploaded scan) could not be read.
  IO_ERROR: 422,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  MAC_CONFLICT: 409,
  RANGE_OVERLAP: 409,
  POOL_EXHAUSTED: 409,
  VM_RUNNING: 409,
  STALE_FILE: 409,
  STALE_PLAN: 409,
  // A replayed key whose MACs were released, a VM in the wrong state, a file outside the scanned roots.
  ALLOCATION_RELEASED: 409,
  WRONG_STATE: 409,
  UNSAFE_PATH: 409,
  PAYLOAD_TOO_LARGE: 413,
  // A request past a limit (more MACs in one allocation than allowed).
  LIMIT_EXCEEDED: 422,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  TIMEOUT: 503,
  STORE_UNAVAILABLE: 503,
  // Another writer held the database past the wait; the disk is full or a file could not be written.
  STORE_LOCKED: 503,
  IO_FAILED: 503,
};

export const statusFor = (code: ErrorCode): number => STATUS_BY_CODE[code];

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  413: 'Content too large',
  422: 'Unprocessable content',
  429: 'Too many requests',
  500: 'Internal server error',
  503: 'Service unavailable',
};

export interface Problem extends ErrorLocation {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance: string;
  readonly code: ErrorCode;
  readonly requestId: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

/** The problem type URI of a code (a URN: stable, and fetching it is never expected). */
export const problemType = (code: ErrorCode): string =>
  `urn:macfleet:problem:${code.toLowerCase().replaceAll('_', '-')}`;

export function problemOf(error: MacfleetError, instance: string, requestId: string): Problem {
  const status = statusFor(error.code);
  const details = error.details;
  return {
    type: problemType(error.code),
    title: TITLES[status] ?? 'Error',
    status,
    detail: error.message,
    instance,
    code: error.code,
    requestId,
    ...error.location,
    ...(Object.keys(details).length === 0 ? {} : { details }),
  };
}

/** Database errors that mean "the store is not there" rather than a bug. */
function storeUnavailable(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const code = 'code' in e ? String(e.code) : '';
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE', '57P01', '57P03', '53300'].includes(
      code,
    ) ||
    code.startsWith('08') ||
    code === 'SQLITE_BUSY' ||
    code === 'SQLITE_IOERR' ||
    code === 'SQLITE_FULL' ||
    code === 'SQLITE_CANTOPEN' ||
    code === 'SQLITE_READONLY' ||
    (e instanceof Error && /database connection is not open|Connection terminated/i.test(e.message))
  );
}

/** Any thrown value as a MacfleetError: its own, a store outage (503), or a generic internal error. */
export function asMacfleetError(e: unknown): MacfleetError {
  if (e instanceof MacfleetError)
    return ERROR_CODES.includes(e.code) ? e : new MacfleetError('INTERNAL', 'internal error');
  if (storeUnavailable(e))
    return new MacfleetError('STORE_UNAVAILABLE', 'the store is unavailable; try again', { cause: e });
  return new MacfleetError('INTERNAL', 'internal error; the server log has the details', { cause: e });
}
