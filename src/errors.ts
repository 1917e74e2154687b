/**
 * The one error type of macfleet. Every failure carries a stable string `code` that the CLI maps to an
 * exit status and the API to an HTTP status, in one place each.
 */
export const ERROR_CODES = [
  'INVALID_MAC',
  'INVALID_ARGUMENT',
  'INVALID_RANGE',
  'PARSE_ERROR',
  'USAGE',
  'IO_ERROR',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'MAC_CONFLICT',
  'RANGE_OVERLAP',
  'POOL_EXHAUSTED',
  'VM_RUNNING',
  'STALE_FILE',
  /** A plan made on an inventory version that has moved on (confirm again after reviewing the new plan). */
  'STALE_PLAN',
  'INTERNAL',
  // The store (issue 16): a replayed key whose MACs were released; the database unreachable or locked.
  'ALLOCATION_RELEASED',
  'STORE_UNAVAILABLE',
  'STORE_LOCKED',
  'LIMIT_EXCEEDED',
  /** Output (or a file) could not be written: disk full, closed pipe. */
  'IO_FAILED',
  /** The VM is in a state the operation does not apply to (save a stopped VM): a refusal. */
  'WRONG_STATE',
  /** A file reached through a symlink leading outside the scanned roots: never written through. */
  'UNSAFE_PATH',
  // The HTTP API (src/api/problem.ts maps every code to a status).
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'RATE_LIMITED',
  'PAYLOAD_TOO_LARGE',
  'TIMEOUT',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Where a problem is: a file, a line/column in it, a field (dotted path or XML path), a character position. */
export interface ErrorLocation {
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly field?: string;
  readonly position?: number;
}

export class MacfleetError extends Error {
  override readonly name = 'MacfleetError';
  readonly code: ErrorCode;
  readonly location: ErrorLocation;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: ErrorCode,
    message: string,
    options: { location?: ErrorLocation; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.location = options.location ?? {};
    this.details = options.details ?? {};
  }

  /** A plain object for JSON output: `{ code, message, ...location }`. */
  toJSON(): { code: ErrorCode; message: string } & ErrorLocation {
    return { code: this.code, message: this.message, ...this.location };
  }
}

export const isMacfleetError = (e: unknown): e is MacfleetError => e instanceof MacfleetError;

/** Zod-style result for callers that prefer values to exceptions. */
export type SafeResult<T> = { success: true; data: T } | { success: false; error: MacfleetError };

/**
 * Run `fn`; a MacfleetError it throws is re-thrown with `field` prefixed to its message and set as its
 * location's field, so the user learns which option or key held the bad value.
 *
 * @example inField('--range', () => parseMacRange(text))
 */
export function inField<T>(field: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof MacfleetError) {
      throw new MacfleetError(e.code, `${field}: ${e.message}`, {
        location: { ...e.location, field },
        details: { ...e.details },
        cause: e,
      });
    }
    throw e;
  }
}
