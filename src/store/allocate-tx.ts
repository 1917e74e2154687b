/**
 * Allocation in the database: next-fit over the pool's free list under its row lock, several requests
 * served by one walk (group commit), each all or nothing, idempotent by key.
 */
import { MacfleetError } from '../errors.js';
import type { Mac } from '../mac/index.js';
import { macsOfTakes, remaindersAfterTakes, type Take } from '../pool/next-fit.js';
import type { Span } from '../pool/spans.js';
import { checkCount, exhausted, keyMismatch } from '../pool/pool-errors.js';
import { applyTakes, planTakes, spanChanges, takeMac } from './free-list.js';
import { chunks, valuesPlaceholders } from './sql.js';
import type { SqlSession, SqlValue } from './store.js';
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
      const plan = await takeFromPool(tx, row, total, now);
      const macs = macsOfTakes(plan.takes) as Mac[];
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
      const one = served.length === 1 ? served[0]! : undefined;
      if (one !== undefined && tx.dialect === 'postgres' && singleChange(plan.takes)) {
        await writeSingleTake(tx, row.id, plan.takes[0]!, plan.cursor, one.owner, one.key, now);
      } else {
        await applyTakes(tx, row.id, plan.takes, plan.cursor);
        if (one !== undefined) await recordRuns(tx, row.id, macs, one.owner, one.key, now);
        else await recordRows(tx, row.id, rows, now);
      }
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
