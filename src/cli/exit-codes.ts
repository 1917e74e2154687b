/** The one place where error codes become process exit statuses (DESIGN.md). */
import type { ErrorCode } from '../errors.js';

export const EXIT = {
  ok: 0,
  /** The command ran and found what it reports (scan findings, collide overlaps). */
  findings: 1,
  badInput: 2,
  refused: 3,
  /** The environment failed the command: store unreachable or locked, disk full, output unwritable, a request timed out. */
  unavailable: 4,
  internal: 70,
} as const;

const BY_CODE: Record<ErrorCode, number> = {
  INVALID_MAC: EXIT.badInput,
  INVALID_ARGUMENT: EXIT.badInput,
  INVALID_RANGE: EXIT.badInput,
  PARSE_ERROR: EXIT.badInput,
  USAGE: EXIT.badInput,
  IO_ERROR: EXIT.badInput,
  NOT_FOUND: EXIT.refused,
  ALREADY_EXISTS: EXIT.refused,
  MAC_CONFLICT: EXIT.refused,
  RANGE_OVERLAP: EXIT.refused,
  POOL_EXHAUSTED: EXIT.refused,
  VM_RUNNING: EXIT.refused,
  STALE_FILE: EXIT.refused,
  STALE_PLAN: EXIT.refused,
  INTERNAL: EXIT.internal,
  ALLOCATION_RELEASED: EXIT.refused,
  STORE_UNAVAILABLE: EXIT.unavailable,
  STORE_LOCKED: EXIT.unavailable,
  LIMIT_EXCEEDED: EXIT.badInput,
  IO_FAILED: EXIT.unavailable,
  WRONG_STATE: EXIT.refused,
  UNSAFE_PATH: EXIT.refused,
  UNAUTHENTICATED: EXIT.refused,
  FORBIDDEN: EXIT.refused,
  RATE_LIMITED: EXIT.refused,
  PAYLOAD_TOO_LARGE: EXIT.badInput,
  TIMEOUT: EXIT.unavailable,
};

export const exitCodeFor = (code: ErrorCode): number => BY_CODE[code];
