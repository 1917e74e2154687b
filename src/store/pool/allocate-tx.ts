/**
 * Allocation in the database: next-fit over the pool's free list under its row lock, several requests
 * served by one walk (group commit), each all or nothing, idempotent by key.
 */
import { MacfleetError } from '../../errors.js';
import type { Mac } from '../../mac/index.js';
import { remaindersAfterTakes, type Take } from '../../pool/next-fit.js';
import {
  decide,
  macsOfServed,
  quarantineOver,
  refusalError,
  walkMacs,
  type Decision,
  type KeyRecord,
} from '../../pool/planner.js';
import { exhausted } from '../../pool/pool-errors.js';
import type { Span } from '../../pool/spans.js';
import { applyTakes, planTakes, spanChanges, takeMac } from './free-list.js';
import { chunks, valuesPlaceholders } from '../sql.js';
import type { SqlSession, SqlValue } from '../store.js';
import {
  EVENTS_FROM_INS,
  RETURNED,
  RUN_SERIES,
  endQuarantine,
  findPool,
  lockPoolForAllocation,
  poolSpec,
  quarantineCounts,
  type AllocationRow,
} from './pool-rows.js';

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

/** Allocate `count` MACs from a pool, all or nothing, in the caller's transaction. */
export async function allocateInTx(tx: SqlSession, input: AllocateInput, now: number): Promise<Allocation> {
  const [answer] = await allocateManyInTx(tx, input.pool, [input], now);
  if (answer instanceof MacfleetError) throw answer;
  return answer!;
}

/**
 * Serve several allocation requests from one pool in one walk of its free list: the planner
 * (src/pool/planner.ts) decides each request — replay, refusal or a share of the walk — and this
 * function reads what it needs and writes what it decided. Each request gets its own answer (an
 * Allocation, or the MacfleetError refusing it), in order. A pool error (no such pool) refuses them all
 * by throwing.
 */
export async function allocateManyInTx(
  tx: SqlSession,
  poolName: string | undefined,
  inputs: readonly AllocateInput[],
  now: number,
): Promise<(Allocation | MacfleetError)[]> {
  let row = await lockPoolForAllocation(tx, poolName);
  if (row.next_expiry !== null && quarantineOver(row.next_expiry, now)) {
    await endQuarantine(tx, row, await poolSpec(tx, row), now);
    row = { ...row, ...(await findPool(tx, row.name, false)) };
  }
  const state = { name: row.name, size: row.size, free: row.free_count, cursor: row.cursor };
  const { decisions, total } = decide(state, inputs, await keyRecords(tx, inputs));
  let walk: Mac[] = [];
  if (total > 0) {
    const plan = await takeFromPool(tx, row, total, now);
    walk = walkMacs(plan.takes);
    const served = decisions.filter((d): d is Decision & { kind: 'serve' } => d.kind === 'serve');
    for (const d of served) {
      if (d.key === null) continue;
      await tx.run(
        'INSERT INTO allocation_requests (request_key, pool_id, count, owner, macs, created_at) VALUES (?, ?, ?, ?, ?, ?)',
        [d.key, row.id, d.count, d.owner, JSON.stringify(macsOfServed(d, walk)), now],
      );
    }
    const one = served.length === 1 ? served[0]! : undefined;
    if (one !== undefined && tx.adapter.supportsDataModifyingCte && singleChange(plan.takes)) {
      await writeSingleTake(tx, row.id, plan.takes[0]!, plan.cursor, one.owner, one.key, now);
    } else {
      await applyTakes(tx, row.id, plan.takes, plan.cursor);
      if (one !== undefined) await recordRuns(tx, row.id, plan.takes, one.owner, one.key, now);
      else
        await recordRows(
          tx,
          row.id,
          served.flatMap((d) => macsOfServed(d, walk).map((mac) => [mac, d.owner, d.key])),
          now,
        );
    }
  }
  let quarantined: number | undefined;
  const answers: (Allocation | MacfleetError)[] = [];
  for (const d of decisions) {
    if (d.kind === 'serve') answers.push({ pool: row.name, macs: macsOfServed(d, walk), replayed: false });
    else if (d.kind === 'replay') answers.push({ pool: row.name, macs: [...d.macs], replayed: true });
    else if (d.kind === 'same-as') {
      const first = answers[d.index]!;
      answers.push(first instanceof MacfleetError ? first : { ...first, replayed: true });
    } else {
      if (d.refusal.kind === 'exhausted') quarantined ??= (await quarantineCounts(tx, row.id, now)).waiting;
      answers.push(refusalError(state, d.refusal, quarantined));
    }
  }
  return answers;
}

/**
 * What earlier requests with the keys of `inputs` got, and which of those MACs the key no longer holds
 * (released since: deleted, quarantined, or allocated again under another key).
 */
async function keyRecords(tx: SqlSession, inputs: readonly AllocateInput[]): Promise<Map<string, KeyRecord>> {
  const out = new Map<string, KeyRecord>();
  for (const key of new Set(inputs.map((i) => i.key ?? null))) {
    if (key === null) continue;
    const previous = await tx.get<{ pool: string; count: number; macs: string }>(
      'SELECT p.name AS pool, r.count, r.macs FROM allocation_requests r JOIN pools p ON p.id = r.pool_id WHERE r.request_key = ?',
      [key],
    );
    if (previous === undefined) continue;
    const macs = JSON.parse(previous.macs) as Mac[];
    out.set(key, {
      pool: previous.pool,
      count: previous.count,
      macs,
      released: await releasedOf(tx, key, macs),
    });
  }
  return out;
}

async function releasedOf(tx: SqlSession, key: string, macs: readonly Mac[]): Promise<Mac[]> {
  const held = new Set<number>();
  const HELD = "request_key = ? AND state <> 'quarantined' AND mac >= ? AND mac <= ?";
  let counted = 0;
  const runs = runsOf(macs);
  for (const r of runs) {
    const c = await tx.get<{ n: number }>(`SELECT COUNT(*) AS n FROM macs WHERE ${HELD}`, [
      key,
      r.start,
      r.end,
    ]);
    counted += Number(c?.n ?? 0);
  }
  if (counted === macs.length) return [];
  for (const r of runs) {
    for (const h of await tx.all<{ mac: number }>(`SELECT mac FROM macs WHERE ${HELD}`, [
      key,
      r.start,
      r.end,
    ]))
      held.add(h.mac);
  }
  return macs.filter((m) => !held.has(m));
}

/** Consecutive MACs as runs (a million MACs taken in one piece are one run). */
function runsOf(macs: readonly number[]): Span[] {
  const runs: Span[] = [];
  for (const m of [...macs].sort((a, b) => a - b)) {
    const last = runs.at(-1);
    if (last !== undefined && last.end === m - 1) runs[runs.length - 1] = { start: last.start, end: m };
    else if (last === undefined || last.end < m) runs.push({ start: m, end: m });
  }
  return runs;
}

/** Take `count` MACs off the pool's free list by next-fit (the caller checked they are there). */
async function takeFromPool(
  tx: SqlSession,
  row: AllocationRow,
  count: number,
  now: number,
): Promise<{ takes: Take[]; cursor: number }> {
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
    if (stale.length === 0) return plan;
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

// One take that leaves at most one span: a single UPDATE or DELETE of the free list. (Splitting a span
// in two needs an UPDATE then an INSERT in that order: parts of one statement would see the old row.)
const singleChange = (takes: readonly Take[]): boolean =>
  takes.length === 1 && remaindersAfterTakes(takes).every((r) => r.remaining.length <= 1);

/**
 * PostgreSQL, one request served from one span (the usual case): the free-list change, the pool's count
 * and cursor, the MACs and their history in a single statement, so the pool's lock is held for as few
 * round trips as possible.
 */
async function writeSingleTake(
  tx: SqlSession,
  poolId: number,
  take: Take,
  cursor: number,
  owner: string | null,
  key: string | null,
  now: number,
): Promise<void> {
  const [{ span, remaining }] = remaindersAfterTakes([take]) as [{ span: Span; remaining: Span[] }];
  const changes = spanChanges(poolId, span, remaining);
  const taken = take.run.end - take.run.start + 1;
  const ctes = changes.map(([sql], i) => `f${i} AS (${sql})`).join(', ');
  await tx.run(
    `${RUN_SERIES}, ${ctes}, p AS (UPDATE pools SET free_count = free_count - ?, cursor = ? WHERE id = ?), ` +
      `ins AS (INSERT INTO macs (mac, state, pool_id, owner, request_key, since) SELECT m, 'allocated', CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS BIGINT) FROM r RETURNING ${RETURNED}) ${EVENTS_FROM_INS}`,
    [
      take.run.start,
      take.run.end,
      ...changes.flatMap(([, params]) => params),
      taken,
      cursor,
      poolId,
      poolId,
      owner,
      key,
      now,
    ],
  );
}

/** Record one request's MACs: one statement per contiguous run (a million MACs in one run is one insert). */
async function recordRuns(
  tx: SqlSession,
  poolId: number,
  takes: readonly Take[],
  owner: string | null,
  key: string | null,
  now: number,
): Promise<void> {
  const select =
    "SELECT m, 'allocated', CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS BIGINT) FROM r";
  for (const { run } of takes) {
    const params = [run.start, run.end, poolId, owner, key, now];
    if (tx.adapter.supportsDataModifyingCte) {
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
    if (tx.adapter.supportsDataModifyingCte) {
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
