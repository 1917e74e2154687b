/** Reading and locking pool rows, their specs and utilisation: shared by allocation and the other pool operations. */
import { MacfleetError } from '../../errors.js';
import type { Mac, MacRange } from '../../mac/index.js';
import type { PoolSpec } from '../../pool/pool-spec.js';
import { giveMacs } from './free-list.js';
import type { SqlSession } from '../store.js';

export interface PoolRow {
  id: number;
  name: string;
  is_default: number;
  quarantine_ms: number;
  cursor: number;
  size: number;
  free_count: number;
  created_at: number;
  [k: string]: unknown;
}

/** A pool with its utilisation. */
export interface PoolInfo {
  readonly name: string;
  readonly isDefault: boolean;
  readonly ranges: readonly MacRange[];
  readonly exclusions: readonly MacRange[];
  readonly quarantineMs: number;
  readonly size: number;
  readonly used: number;
  readonly free: number;
  readonly quarantined: number;
  /** Where the next allocation starts looking. */
  readonly cursor: Mac;
  readonly createdAt: number;
}

export const POOL_COLUMNS = 'id, name, is_default, quarantine_ms, cursor, size, free_count, created_at';

export async function poolSpec(tx: SqlSession, row: PoolRow): Promise<PoolSpec> {
  const parts = await tx.all<{ kind: string; start_mac: number; end_mac: number }>(
    'SELECT kind, start_mac, end_mac FROM pool_ranges WHERE pool_id = ? ORDER BY start_mac',
    [row.id],
  );
  const of = (kind: string): MacRange[] =>
    parts.filter((p) => p.kind === kind).map((p) => ({ start: p.start_mac as Mac, end: p.end_mac as Mac }));
  return {
    name: row.name,
    ranges: of('range'),
    exclusions: of('exclude'),
    quarantineMs: row.quarantine_ms,
    isDefault: row.is_default === 1,
  };
}

export async function poolNames(tx: SqlSession): Promise<string> {
  const rows = await tx.all<{ name: string }>('SELECT name FROM pools ORDER BY name');
  return rows.length === 0
    ? 'there are no pools yet (macfleet init, or macfleet pool create)'
    : `pools: ${rows.map((r) => r.name).join(', ')}`;
}

/** The pool's row, locked for the rest of the transaction when `lock`. */
export async function findPool(tx: SqlSession, name: string | undefined, lock: boolean): Promise<PoolRow> {
  const suffix = lock ? tx.adapter.forUpdate() : '';
  const row =
    name === undefined
      ? await tx.get<PoolRow>(`SELECT ${POOL_COLUMNS} FROM pools WHERE is_default = 1${suffix}`)
      : await tx.get<PoolRow>(`SELECT ${POOL_COLUMNS} FROM pools WHERE name = ?${suffix}`, [name]);
  if (row === undefined) {
    throw new MacfleetError(
      'NOT_FOUND',
      name === undefined
        ? `no default pool: pass --pool <name> or run macfleet init; ${await poolNames(tx)}`
        : `no pool named ${JSON.stringify(name)}; ${await poolNames(tx)}`,
      { location: { field: 'pool' } },
    );
  }
  return row;
}

export interface AllocationRow extends PoolRow {
  /** The earliest end of a quarantine in the pool, or null. */
  next_expiry: number | null;
  /** How many range pairs overlap another pool's (forced overlaps); 0 almost always. */
  overlapped: number;
}

/** The pool's row, locked, with what allocation needs to know in the same round trip. */
export async function lockPoolForAllocation(
  tx: SqlSession,
  name: string | undefined,
): Promise<AllocationRow> {
  const extra =
    "(SELECT MIN(q.quarantine_until) FROM macs q WHERE q.pool_id = pools.id AND q.state = 'quarantined') AS next_expiry, " +
    "(SELECT COUNT(*) FROM pool_ranges a JOIN pool_ranges b ON b.pool_id <> a.pool_id AND b.kind = 'range' AND b.start_mac <= a.end_mac AND a.start_mac <= b.end_mac WHERE a.pool_id = pools.id AND a.kind = 'range') AS overlapped";
  const row =
    name === undefined
      ? await tx.get<AllocationRow>(
          `SELECT ${POOL_COLUMNS}, ${extra} FROM pools WHERE is_default = 1${tx.adapter.forUpdate()}`,
        )
      : await tx.get<AllocationRow>(
          `SELECT ${POOL_COLUMNS}, ${extra} FROM pools WHERE name = ?${tx.adapter.forUpdate()}`,
          [name],
        );
  return row ?? { ...(await findPool(tx, name, false)), next_expiry: null, overlapped: 0 };
}

export async function quarantineCounts(
  tx: SqlSession,
  poolId: number,
  now: number,
): Promise<{ waiting: number; over: number }> {
  const row = await tx.get<{ waiting: number | null; over: number | null }>(
    "SELECT SUM(CASE WHEN quarantine_until > ? THEN 1 ELSE 0 END) AS waiting, SUM(CASE WHEN quarantine_until <= ? THEN 1 ELSE 0 END) AS over FROM macs WHERE pool_id = ? AND state = 'quarantined'",
    [now, now, poolId],
  );
  return { waiting: row?.waiting ?? 0, over: row?.over ?? 0 };
}

export async function poolInfo(tx: SqlSession, row: PoolRow, now: number): Promise<PoolInfo> {
  const spec = await poolSpec(tx, row);
  const q = await quarantineCounts(tx, row.id, now);
  const free = row.free_count + q.over;
  return {
    name: row.name,
    isDefault: row.is_default === 1,
    ranges: spec.ranges,
    exclusions: spec.exclusions,
    quarantineMs: row.quarantine_ms,
    size: row.size,
    used: row.size - free - q.waiting,
    free,
    quarantined: q.waiting,
    cursor: row.cursor as Mac,
    createdAt: row.created_at,
  };
}

/** Return the pool's MACs whose quarantine has ended to its free list; true when there were some. */
export async function endQuarantine(
  tx: SqlSession,
  row: PoolRow,
  spec: PoolSpec,
  now: number,
): Promise<boolean> {
  const over = await tx.all<{ mac: number }>(
    "DELETE FROM macs WHERE pool_id = ? AND state = 'quarantined' AND quarantine_until <= ? RETURNING mac",
    [row.id, now],
  );
  if (over.length === 0) return false;
  await giveMacs(
    tx,
    row.id,
    spec,
    over.map((r) => r.mac),
  );
  return true;
}

export const RETURNED = 'mac, pool_id, owner, request_key, since';
export const EVENTS_FROM_INS =
  "INSERT INTO mac_events (mac, event, pool_id, owner, request_key, at) SELECT mac, 'allocated', pool_id, owner, request_key, since FROM ins";
export const RUN_SERIES =
  'WITH RECURSIVE r(m) AS (SELECT CAST(? AS BIGINT) UNION ALL SELECT m + 1 FROM r WHERE m < CAST(? AS BIGINT))';

export async function insertEvent(
  tx: SqlSession,
  mac: number,
  event: string,
  poolId: number | null,
  owner: string | null,
  key: string | null,
  at: number,
): Promise<void> {
  await tx.run(
    'INSERT INTO mac_events (mac, event, pool_id, owner, request_key, at) VALUES (?, ?, ?, ?, ?, ?)',
    [mac, event, poolId, owner, key, at],
  );
}
