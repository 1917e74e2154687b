/**
 * Pools and allocations in the database: the persistence of src/pool. The `...InTx` functions run inside
 * a caller's transaction (the fleet inventory composes them with its own writes); `PoolStore` wraps each
 * in a transaction of its own and retries the rare lost race.
 *
 * Concurrency: every write that touches a pool's free list first locks the pool's row (PostgreSQL
 * `SELECT ... FOR UPDATE`; SQLite's write transaction is already exclusive), and `macs.mac` is the primary
 * key, so even a writer that bypassed the locks could not hand out a MAC twice.
 */
import { MacfleetError } from '../errors.js';
import { formatMac, type Mac, type MacRange } from '../mac/index.js';
import { macsOfTakes } from '../pool/next-fit.js';
import {
  checkCount,
  conflict,
  exhausted,
  keyMismatch,
  notHeld,
  type Holding,
  type HoldingState,
} from '../pool/pool-errors.js';
import {
  overlapsWithPools,
  poolCovers,
  poolSpans,
  validatePoolSpec,
  type PoolSpec,
  type PoolSpecInput,
} from '../pool/pool-spec.js';
import { subtractSpans, type Span } from '../pool/spans.js';
import { systemClock, type Clock } from '../random.js';
import { applyTakes, giveMacs, insertSpans, planTakes, takeMac } from './free-list.js';
import { chunks, isUniqueViolation, valuesPlaceholders } from './sql.js';
import type { SqlSession, SqlValue, Store } from './store.js';

interface PoolRow {
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

export interface AllocateInput {
  /** Pool name; the default pool when omitted. */
  readonly pool?: string | undefined;
  readonly count?: number | undefined;
  readonly owner?: string | null | undefined;
  /** Idempotency key: the same key returns the same MACs, never new ones. */
  readonly key?: string | null | undefined;
}

export interface Allocation {
  readonly pool: string;
  readonly macs: readonly Mac[];
  /** True when an earlier request with the same key answered. */
  readonly replayed: boolean;
}

export interface MacEvent {
  readonly event: string;
  readonly pool: string | null;
  readonly owner: string | null;
  readonly key: string | null;
  readonly at: number;
}

export interface Whois {
  readonly mac: Mac;
  readonly holding: Holding | null;
  /** Pools whose ranges hold the MAC, and whether their exclusions leave it out. */
  readonly pools: readonly { readonly name: string; readonly excluded: boolean }[];
  readonly history: readonly MacEvent[];
}

const POOL_COLUMNS = 'id, name, is_default, quarantine_ms, cursor, size, free_count, created_at';

async function poolSpec(tx: SqlSession, row: PoolRow): Promise<PoolSpec> {
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

async function poolNames(tx: SqlSession): Promise<string> {
  const rows = await tx.all<{ name: string }>('SELECT name FROM pools ORDER BY name');
  return rows.length === 0
    ? 'there are no pools yet (macfleet init, or macfleet pool create)'
    : `pools: ${rows.map((r) => r.name).join(', ')}`;
}

/** The pool's row, locked for the rest of the transaction when `lock`. */
export async function findPool(tx: SqlSession, name: string | undefined, lock: boolean): Promise<PoolRow> {
  const suffix = lock ? tx.forUpdate : '';
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

interface AllocationRow extends PoolRow {
  /** The earliest end of a quarantine in the pool, or null. */
  next_expiry: number | null;
  /** How many range pairs overlap another pool's (forced overlaps); 0 almost always. */
  overlapped: number;
}

/** The pool's row, locked, with what allocation needs to know in the same round trip. */
async function lockPoolForAllocation(tx: SqlSession, name: string | undefined): Promise<AllocationRow> {
  const extra =
    "(SELECT MIN(q.quarantine_until) FROM macs q WHERE q.pool_id = pools.id AND q.state = 'quarantined') AS next_expiry, " +
    "(SELECT COUNT(*) FROM pool_ranges a JOIN pool_ranges b ON b.pool_id <> a.pool_id AND b.kind = 'range' AND b.start_mac <= a.end_mac AND a.start_mac <= b.end_mac WHERE a.pool_id = pools.id AND a.kind = 'range') AS overlapped";
  const row =
    name === undefined
      ? await tx.get<AllocationRow>(
          `SELECT ${POOL_COLUMNS}, ${extra} FROM pools WHERE is_default = 1${tx.forUpdate}`,
        )
      : await tx.get<AllocationRow>(
          `SELECT ${POOL_COLUMNS}, ${extra} FROM pools WHERE name = ?${tx.forUpdate}`,
          [name],
        );
  return row ?? { ...(await findPool(tx, name, false)), next_expiry: null, overlapped: 0 };
}

async function quarantineCounts(
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

async function poolInfo(tx: SqlSession, row: PoolRow, now: number): Promise<PoolInfo> {
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
async function endQuarantine(tx: SqlSession, row: PoolRow, spec: PoolSpec, now: number): Promise<boolean> {
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

const RETURNED = 'mac, pool_id, owner, request_key, since';
const EVENTS_FROM_INS =
  "INSERT INTO mac_events (mac, event, pool_id, owner, request_key, at) SELECT mac, 'allocated', pool_id, owner, request_key, since FROM ins";
const RUN_SERIES =
  'WITH RECURSIVE r(m) AS (SELECT CAST(? AS BIGINT) UNION ALL SELECT m + 1 FROM r WHERE m < CAST(? AS BIGINT))';

async function insertEvent(
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

/** Create a pool: validated, not overlapping other pools unless `force`, MACs already in use left out. */
export async function createPoolInTx(
  tx: SqlSession,
  input: PoolSpecInput,
  options: { force?: boolean; now: number },
): Promise<PoolInfo> {
  const spec = validatePoolSpec(input);
  // Pool creation is rare: serialize it whole, so two overlapping pools cannot pass the check at once.
  if (tx.dialect === 'postgres') await tx.run("SELECT pg_advisory_xact_lock(hashtext('macfleet:pools'))");
  if ((await tx.get('SELECT id FROM pools WHERE name = ?', [spec.name])) !== undefined) {
    throw new MacfleetError('ALREADY_EXISTS', `a pool named ${spec.name} already exists`, {
      location: { field: 'name' },
    });
  }
  const others: PoolSpec[] = [];
  for (const row of await tx.all<PoolRow>(`SELECT ${POOL_COLUMNS} FROM pools ORDER BY name`))
    others.push(await poolSpec(tx, row));
  const overlaps = overlapsWithPools(spec, others);
  if (overlaps.length > 0 && options.force !== true) {
    const o = overlaps[0]!;
    throw new MacfleetError(
      'RANGE_OVERLAP',
      `pool ${spec.name}: range ${formatMac(o.range.start)}-${formatMac(o.range.end)} overlaps pool ${o.pool} on ` +
        `${formatMac(o.overlap.start)}-${formatMac(o.overlap.end)}` +
        (overlaps.length > 1 ? ` (and ${overlaps.length - 1} more overlap(s))` : '') +
        '; pass --force to create it anyway',
      {
        details: {
          overlaps: overlaps.map((x) => ({
            pool: x.pool,
            start: formatMac(x.overlap.start),
            end: formatMac(x.overlap.end),
          })),
        },
      },
    );
  }
  if (spec.isDefault) await tx.run('UPDATE pools SET is_default = 0 WHERE is_default = 1');
  const spans = poolSpans(spec);
  // MACs already recorded anywhere (reservations, imported inventory, overlapping pools) are not free.
  const held: Span[] = [];
  for (const s of spans) {
    for (const r of await tx.all<{ mac: number }>(
      'SELECT mac FROM macs WHERE mac >= ? AND mac <= ? ORDER BY mac',
      [s.start, s.end],
    )) {
      held.push({ start: r.mac, end: r.mac });
    }
  }
  const free = subtractSpans(spans, held);
  const size = spans.reduce((n, s) => n + s.end - s.start + 1, 0);
  const freeCount = free.reduce((n, s) => n + s.end - s.start + 1, 0);
  await tx.run(
    'INSERT INTO pools (name, is_default, quarantine_ms, cursor, size, free_count, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    [
      spec.name,
      spec.isDefault ? 1 : 0,
      spec.quarantineMs,
      spec.ranges[0]!.start,
      size,
      freeCount,
      options.now,
    ],
  );
  const row = await findPool(tx, spec.name, false);
  for (const [kind, list] of [
    ['range', spec.ranges],
    ['exclude', spec.exclusions],
  ] as const) {
    for (const r of list)
      await tx.run('INSERT INTO pool_ranges (pool_id, kind, start_mac, end_mac) VALUES (?, ?, ?, ?)', [
        row.id,
        kind,
        r.start,
        r.end,
      ]);
  }
  await insertSpans(tx, row.id, free);
  for (const h of held)
    await tx.run('UPDATE macs SET pool_id = ? WHERE mac = ? AND pool_id IS NULL', [row.id, h.start]);
  return poolInfo(tx, row, options.now);
}

/** Allocate `count` MACs from a pool, all or nothing, in the caller's transaction. */
export async function allocateInTx(tx: SqlSession, input: AllocateInput, now: number): Promise<Allocation> {
  const [answer] = await allocateManyInTx(tx, input.pool, [input], now);
  if (answer instanceof MacfleetError) throw answer;
  return answer!;
}

/**
 * Serve several allocation requests from one pool in one walk of its free list: each request is all or
 * nothing and gets its own answer (an Allocation, or the MacfleetError refusing it), in order. A pool
 * error (no such pool) refuses them all by throwing.
 */
export async function allocateManyInTx(
  tx: SqlSession,
  poolName: string | undefined,
  inputs: readonly AllocateInput[],
  now: number,
): Promise<(Allocation | MacfleetError)[]> {
  let row = await lockPoolForAllocation(tx, poolName);
  const answers: (Allocation | MacfleetError | undefined)[] = inputs.map(() => undefined);
  const fresh: { index: number; count: number; owner: string | null; key: string | null }[] = [];
  const keyed = new Map<string, { count: number; index: number }>();
  for (const [index, input] of inputs.entries()) {
    const count = input.count ?? 1;
    const key = input.key ?? null;
    try {
      checkCount(count);
      if (key !== null) {
        const inBatch = keyed.get(key);
        const previous =
          inBatch === undefined
            ? await tx.get<{ pool_id: number; count: number; macs: string }>(
                'SELECT pool_id, count, macs FROM allocation_requests WHERE request_key = ?',
                [key],
              )
            : undefined;
        if (inBatch !== undefined) {
          if (inBatch.count !== count)
            throw keyMismatch(key, row.name, inBatch.count, { pool: row.name, count });
          answers[index] = { pool: row.name, macs: [], replayed: true }; // filled in below
          continue;
        }
        if (previous !== undefined) {
          if (previous.pool_id !== row.id || previous.count !== count) {
            const other = await tx.get<{ name: string }>('SELECT name FROM pools WHERE id = ?', [
              previous.pool_id,
            ]);
            throw keyMismatch(key, other?.name ?? '?', previous.count, { pool: row.name, count });
          }
          answers[index] = { pool: row.name, macs: JSON.parse(previous.macs) as Mac[], replayed: true };
          continue;
        }
        keyed.set(key, { count, index });
      }
      fresh.push({ index, count, owner: input.owner ?? null, key });
    } catch (e) {
      if (!(e instanceof MacfleetError)) throw e;
      answers[index] = e;
    }
  }
  if (fresh.length > 0) {
    if (row.next_expiry !== null && row.next_expiry <= now) {
      await endQuarantine(tx, row, await poolSpec(tx, row), now);
      row = { ...row, ...(await findPool(tx, row.name, false)) };
    }
    // First come, first served: a request that does not fit is refused, later smaller ones may still fit.
    let free = row.free_count;
    const served = fresh.filter((f) => {
      if (f.count <= free) {
        free -= f.count;
        return true;
      }
      return false;
    });
    let quarantined: number | undefined;
    for (const f of fresh) {
      if (served.includes(f)) continue;
      quarantined ??= (await quarantineCounts(tx, row.id, now)).waiting;
      answers[f.index] = exhausted(row.name, row.size, row.free_count, f.count, quarantined);
    }
    const total = served.reduce((n, f) => n + f.count, 0);
    if (total > 0) {
      const macs = await takeFromPool(tx, row, total, now);
      let at = 0;
      const rows: SqlValue[][] = [];
      for (const f of served) {
        const mine = macs.slice(at, at + f.count);
        at += f.count;
        answers[f.index] = { pool: row.name, macs: mine, replayed: false };
        if (served.length > 1) for (const mac of mine) rows.push([mac, f.owner, f.key]);
        if (f.key !== null) {
          await tx.run(
            'INSERT INTO allocation_requests (request_key, pool_id, count, owner, macs, created_at) VALUES (?, ?, ?, ?, ?, ?)',
            [f.key, row.id, f.count, f.owner, JSON.stringify(mine), now],
          );
        }
      }
      if (served.length === 1) await recordRuns(tx, row.id, macs, served[0]!.owner, served[0]!.key, now);
      else await recordRows(tx, row.id, rows, now);
    }
  }
  // Replays of a key first used earlier in this same group.
  for (const [index, input] of inputs.entries()) {
    const a = answers[index];
    if (
      a instanceof MacfleetError ||
      a === undefined ||
      !a.replayed ||
      a.macs.length > 0 ||
      input.key == null
    )
      continue;
    const first = answers[keyed.get(input.key)!.index];
    answers[index] =
      first instanceof MacfleetError || first === undefined ? first! : { ...first, replayed: true };
  }
  return answers as (Allocation | MacfleetError)[];
}

/** Take `count` MACs off the pool's free list by next-fit (the caller checked they are there). */
async function takeFromPool(tx: SqlSession, row: AllocationRow, count: number, now: number): Promise<Mac[]> {
  for (;;) {
    const plan = await planTakes(tx, row.id, row.cursor, count);
    // A pool that overlaps another (created with --force) may list MACs the other pool handed out: those
    // leave the free list here and the walk starts again. Pools without overlaps skip the check.
    const stale: number[] = [];
    for (const t of row.overlapped > 0 ? plan.takes : []) {
      const rows = await tx.all<{ mac: number }>('SELECT mac FROM macs WHERE mac >= ? AND mac <= ?', [
        t.run.start,
        t.run.end,
      ]);
      stale.push(...rows.map((r) => r.mac));
    }
    if (stale.length === 0) {
      await applyTakes(tx, row.id, plan.takes, plan.cursor);
      return macsOfTakes(plan.takes) as Mac[];
    }
    for (const mac of stale) await takeMac(tx, row.id, mac);
    row = { ...row, ...(await findPool(tx, row.name, false)) };
    if (row.free_count < count) {
      throw exhausted(
        row.name,
        row.size,
        row.free_count,
        count,
        (await quarantineCounts(tx, row.id, now)).waiting,
      );
    }
  }
}

/** Record one request's MACs: one statement per contiguous run (a million MACs in one run is one insert). */
async function recordRuns(
  tx: SqlSession,
  poolId: number,
  macs: readonly number[],
  owner: string | null,
  key: string | null,
  now: number,
): Promise<void> {
  let i = 0;
  while (i < macs.length) {
    let j = i;
    while (j + 1 < macs.length && macs[j + 1] === macs[j]! + 1) j++;
    const params = [macs[i]!, macs[j]!, poolId, owner, key, now];
    const select =
      "SELECT m, 'allocated', CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS BIGINT) FROM r";
    if (tx.dialect === 'postgres') {
      // One round trip while the pool's lock is held: the history rows come from the inserted ones.
      await tx.run(
        `${RUN_SERIES}, ins AS (INSERT INTO macs (mac, state, pool_id, owner, request_key, since) ${select} RETURNING ${RETURNED}) ${EVENTS_FROM_INS}`,
        params,
      );
    } else {
      await tx.run(
        `${RUN_SERIES} INSERT INTO macs (mac, state, pool_id, owner, request_key, since) ${select}`,
        params,
      );
      await tx.run(
        `${RUN_SERIES} INSERT INTO mac_events (mac, event, pool_id, owner, request_key, at) ${select}`,
        params,
      );
    }
    i = j + 1;
  }
}

/** Record the MACs of several requests: multi-row inserts of [mac, owner, key]. */
async function recordRows(
  tx: SqlSession,
  poolId: number,
  rows: readonly SqlValue[][],
  now: number,
): Promise<void> {
  for (const part of chunks(rows, 500)) {
    const values = valuesPlaceholders(part.length, 6);
    const params = part.flatMap(([mac, owner, key]) => [mac!, 'allocated', poolId, owner!, key!, now]);
    if (tx.dialect === 'postgres') {
      await tx.run(
        `WITH ins AS (INSERT INTO macs (mac, state, pool_id, owner, request_key, since) VALUES ${values} RETURNING ${RETURNED}) ${EVENTS_FROM_INS}`,
        params,
      );
    } else {
      await tx.run(
        `INSERT INTO macs (mac, state, pool_id, owner, request_key, since) VALUES ${values}`,
        params,
      );
      await tx.run(
        `INSERT INTO mac_events (mac, event, pool_id, owner, request_key, at) VALUES ${values}`,
        params,
      );
    }
  }
}

interface MacRow {
  mac: number;
  state: HoldingState;
  pool_id: number | null;
  pool: string | null;
  owner: string | null;
  since: number;
  quarantine_until: number | null;
  [k: string]: unknown;
}

const toHolding = (r: MacRow): Holding => ({
  mac: r.mac as Mac,
  state: r.state,
  pool: r.pool,
  owner: r.owner,
  since: r.since,
  quarantineUntil: r.quarantine_until,
});

async function macRow(tx: SqlSession, mac: number, lock = false): Promise<MacRow | undefined> {
  return tx.get<MacRow>(
    `SELECT m.mac, m.state, m.pool_id, p.name AS pool, m.owner, m.since, m.quarantine_until FROM macs m LEFT JOIN pools p ON p.id = m.pool_id WHERE m.mac = ?${lock ? tx.forUpdate.replace('UPDATE', 'UPDATE OF m') : ''}`,
    [mac],
  );
}

/**
 * Record a specific MAC as reserved (or in use by an adapter the fleet knows): MAC_CONFLICT naming the
 * holder when anyone holds it. Pools that could hand it out drop it from their free lists.
 */
export async function reserveInTx(
  tx: SqlSession,
  mac: Mac,
  owner: string | null,
  now: number,
  state: 'reserved' | 'in_use' = 'reserved',
): Promise<Holding> {
  const pools = await tx.all<PoolRow>(
    `SELECT ${POOL_COLUMNS} FROM pools WHERE id IN (SELECT pool_id FROM pool_ranges WHERE kind = 'range' AND start_mac <= ? AND end_mac >= ?) ORDER BY id${tx.forUpdate}`,
    [mac, mac],
  );
  const existing = await macRow(tx, mac, true);
  if (existing !== undefined) {
    if (existing.state !== 'quarantined' || (existing.quarantine_until ?? 0) > now)
      throw conflict(mac, toHolding(existing));
    await tx.run('DELETE FROM macs WHERE mac = ?', [mac]);
  }
  let poolId: number | null = null;
  for (const row of pools) {
    const spec = await poolSpec(tx, row);
    if (!poolCovers(spec, mac)) continue;
    poolId ??= row.id;
    await takeMac(tx, row.id, mac);
  }
  await tx.run(
    'INSERT INTO macs (mac, state, pool_id, owner, request_key, since) VALUES (?, ?, ?, ?, NULL, ?)',
    [mac, state, poolId, owner, now],
  );
  await insertEvent(tx, mac, state, poolId, owner, null, now);
  return toHolding((await macRow(tx, mac))!);
}

/** Release a held MAC: into its pool's quarantine, or straight back to the free list when the pool has none. */
export async function releaseInTx(tx: SqlSession, mac: Mac, now: number): Promise<Holding> {
  const first = await macRow(tx, mac);
  if (first === undefined || first.state === 'quarantined') throw notHeld(mac);
  // Lock order everywhere: the pool's row, then the MAC's.
  const pool = first.pool_id === null ? undefined : await findPool(tx, first.pool ?? undefined, true);
  const row = await macRow(tx, mac, true);
  if (row === undefined || row.state === 'quarantined') throw notHeld(mac);
  await insertEvent(tx, mac, 'released', row.pool_id, row.owner, null, now);
  if (pool === undefined || pool.quarantine_ms === 0) {
    await tx.run('DELETE FROM macs WHERE mac = ?', [mac]);
    if (pool !== undefined) await giveMacs(tx, pool.id, await poolSpec(tx, pool), [mac]);
    return { ...toHolding(row), state: 'quarantined', since: now, quarantineUntil: now };
  }
  const until = now + pool.quarantine_ms;
  await tx.run("UPDATE macs SET state = 'quarantined', since = ?, quarantine_until = ? WHERE mac = ?", [
    now,
    until,
    mac,
  ]);
  return { ...toHolding(row), state: 'quarantined', since: now, quarantineUntil: until };
}

/** Who holds a MAC, which pools could hand it out, and everything that happened to it. */
export async function whoisInTx(tx: SqlSession, mac: Mac): Promise<Whois> {
  const row = await macRow(tx, mac);
  const pools: { name: string; excluded: boolean }[] = [];
  for (const p of await tx.all<PoolRow>(
    `SELECT ${POOL_COLUMNS} FROM pools WHERE id IN (SELECT pool_id FROM pool_ranges WHERE kind = 'range' AND start_mac <= ? AND end_mac >= ?) ORDER BY name`,
    [mac, mac],
  )) {
    pools.push({ name: p.name, excluded: !poolCovers(await poolSpec(tx, p), mac) });
  }
  const history = await tx.all<{
    event: string;
    pool: string | null;
    owner: string | null;
    key: string | null;
    at: number;
  }>(
    'SELECT e.event, p.name AS pool, e.owner, e.request_key AS "key", e.at FROM mac_events e LEFT JOIN pools p ON p.id = e.pool_id WHERE e.mac = ? ORDER BY e.id',
    [mac],
  );
  return { mac, holding: row === undefined ? null : toHolding(row), pools, history };
}

interface PendingAllocation {
  readonly input: AllocateInput;
  readonly resolve: (a: Allocation) => void;
  readonly reject: (e: unknown) => void;
}

const MAX_GROUP = 256;

/** Retry a transaction that lost a race another process won (unique key, deadlock, serialization). */
async function retrying<T>(fn: () => Promise<T>, attempts = 8): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      const code = typeof e === 'object' && e !== null && 'code' in e ? e.code : undefined;
      const retriable = isUniqueViolation(e) || code === '40P01' || code === '40001';
      if (!retriable || i >= attempts) throw e;
    }
  }
}

/** Pools and allocations over a Store, one transaction per call. */
export class PoolStore {
  constructor(
    readonly store: Store,
    private readonly clock: Clock = systemClock,
  ) {}

  createPool(input: PoolSpecInput, options: { force?: boolean } = {}): Promise<PoolInfo> {
    return this.store.transaction((tx) => createPoolInTx(tx, input, { ...options, now: this.clock.now() }));
  }

  listPools(): Promise<PoolInfo[]> {
    const now = this.clock.now();
    return this.store.transaction(
      async (tx) => {
        const out: PoolInfo[] = [];
        for (const row of await tx.all<PoolRow>(`SELECT ${POOL_COLUMNS} FROM pools ORDER BY name`))
          out.push(await poolInfo(tx, row, now));
        return out;
      },
      { mode: 'read' },
    );
  }

  showPool(name?: string): Promise<PoolInfo> {
    const now = this.clock.now();
    return this.store.transaction(async (tx) => poolInfo(tx, await findPool(tx, name, false), now), {
      mode: 'read',
    });
  }

  /**
   * Allocate. Calls made while an allocation from the same pool is being committed are grouped into the
   * next transaction (group commit): each keeps its own all-or-nothing answer, and one commit (one
   * fsync, one hold of the pool's lock) serves them all.
   */
  allocate(input: AllocateInput): Promise<Allocation> {
    return new Promise((resolve, reject) => {
      const k = input.pool ?? '';
      let group = this.#groups.get(k);
      if (group === undefined) {
        group = { running: false, queue: [] };
        this.#groups.set(k, group);
      }
      group.queue.push({ input, resolve, reject });
      if (!group.running) {
        group.running = true;
        queueMicrotask(() => void this.#drain(k));
      }
    });
  }

  readonly #groups = new Map<string, { running: boolean; queue: PendingAllocation[] }>();

  async #drain(k: string): Promise<void> {
    const group = this.#groups.get(k)!;
    while (group.queue.length > 0) {
      const batch = group.queue.splice(0, MAX_GROUP);
      try {
        const answers = await this.store.transaction((tx) =>
          allocateManyInTx(
            tx,
            k === '' ? undefined : k,
            batch.map((p) => p.input),
            this.clock.now(),
          ),
        );
        answers.forEach((a, i) => (a instanceof MacfleetError ? batch[i]!.reject(a) : batch[i]!.resolve(a)));
      } catch {
        // The group's transaction failed as a whole (a lost race, a dropped connection): each on its own.
        for (const p of batch) {
          await retrying(() =>
            this.store.transaction((tx) => allocateInTx(tx, p.input, this.clock.now())),
          ).then(p.resolve, p.reject);
        }
      }
    }
    group.running = false;
  }

  reserve(mac: Mac, owner: string | null, state: 'reserved' | 'in_use' = 'reserved'): Promise<Holding> {
    return retrying(() =>
      this.store.transaction((tx) => reserveInTx(tx, mac, owner, this.clock.now(), state)),
    );
  }

  release(mac: Mac): Promise<Holding> {
    return retrying(() => this.store.transaction((tx) => releaseInTx(tx, mac, this.clock.now())));
  }

  whois(mac: Mac): Promise<Whois> {
    return this.store.transaction((tx) => whoisInTx(tx, mac), { mode: 'read' });
  }
}
