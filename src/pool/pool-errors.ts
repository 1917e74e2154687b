/** The refusals of the allocator, worded the same whether the pool lives in memory or in a database. */
import { MacfleetError } from '../errors.js';
import { formatMac, type Mac } from '../mac/index.js';
import { isoTime } from '../time.js';

export const HOLDING_STATES = ['allocated', 'reserved', 'in_use', 'quarantined'] as const;
export type HoldingState = (typeof HOLDING_STATES)[number];

/** Who holds a MAC now. */
export interface Holding {
  readonly mac: Mac;
  readonly state: HoldingState;
  readonly pool: string | null;
  readonly owner: string | null;
  /** When this holding began (ms since the epoch). */
  readonly since: number;
  /** For `quarantined`: when the MAC may be handed out again. */
  readonly quarantineUntil: number | null;
}

export function describeHolding(h: Holding): string {
  const owner = h.owner === null ? '' : ` by ${JSON.stringify(h.owner)}`;
  const pool = h.pool === null ? '' : ` (pool ${h.pool})`;
  if (h.state === 'quarantined') {
    return `quarantined${pool} until ${isoTime(h.quarantineUntil ?? 0)}, released${owner}`;
  }
  return `${h.state.replace('_', ' ')}${owner}${pool} since ${isoTime(h.since)}`;
}

export function exhausted(
  pool: string,
  size: number,
  free: number,
  requested: number,
  quarantined: number,
): MacfleetError {
  return new MacfleetError(
    'POOL_EXHAUSTED',
    `pool ${pool} is exhausted: ${requested} requested, ${free} free of ${size} addresses` +
      (quarantined > 0 ? ` (${quarantined} more in quarantine)` : ''),
    { details: { pool, size, free, requested, quarantined } },
  );
}

export function conflict(mac: Mac, holder: Holding): MacfleetError {
  return new MacfleetError('MAC_CONFLICT', `${formatMac(mac)} is already ${describeHolding(holder)}`, {
    details: { mac: formatMac(mac), holder: { ...holder, mac: formatMac(holder.mac) } },
  });
}

export function notHeld(mac: Mac): MacfleetError {
  return new MacfleetError(
    'NOT_FOUND',
    `${formatMac(mac)} is not allocated, reserved or in use: nothing to release`,
    {
      details: { mac: formatMac(mac) },
    },
  );
}

export function keyMismatch(
  key: string,
  pool: string,
  count: number,
  wanted: { pool: string; count: number },
): MacfleetError {
  return new MacfleetError(
    'ALREADY_EXISTS',
    `idempotency key ${JSON.stringify(key)} was used for ${count} MAC(s) from pool ${pool}; ` +
      `this request asks for ${wanted.count} from pool ${wanted.pool}: use a new key`,
    { location: { field: 'key' } },
  );
}

export function badCount(count: number): MacfleetError {
  return new MacfleetError('INVALID_ARGUMENT', `count must be a whole number >= 1, got ${count}`, {
    location: { field: 'count' },
  });
}

export function tooMany(count: number, limit: number): MacfleetError {
  return new MacfleetError(
    'LIMIT_EXCEEDED',
    `count ${count} is more than one request may allocate (${limit}); allocate in several requests`,
    { location: { field: 'count' }, details: { count, limit } },
  );
}

/**
 * Issue 16: a key whose MACs were released (and may now be someone else's) is never replayed; the
 * caller learns which MACs went and allocates under a new key.
 */
export function keyReleased(key: string, count: number, released: readonly string[]): MacfleetError {
  const shown = released.slice(0, 5).join(', ') + (released.length > 5 ? `, ... (${released.length})` : '');
  return new MacfleetError(
    'ALLOCATION_RELEASED',
    `idempotency key ${JSON.stringify(key)} got ${count} MAC(s), and ${released.length} of them ` +
      `(${shown}) were released since: they are no longer this key's and are not handed back; ` +
      'allocate with a new key',
    { location: { field: 'key' }, details: { key, released } },
  );
}
