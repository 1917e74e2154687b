/**
 * The run-length free list of a pool, in the `pool_free` table: one row per maximal span of free MACs.
 * Every function runs inside the caller's transaction, after the caller locked the pool's row, and keeps
 * `pools.free_count` equal to the sum of the spans. Finding free MACs is an index seek on
 * (pool_id, end_mac): the cost does not grow with the number of MACs allocated.
 */
import { MacfleetError } from '../../errors.js';
import {
  cursorAfter,
  forwardSteps,
  remaindersAfterTakes,
  takeFromSteps,
  wrappedSteps,
  type Take,
  type WalkStep,
} from '../../pool/next-fit.js';
import { poolCovers, type PoolSpec } from '../../pool/pool-spec.js';
import { spanMinusRun, spanSize, type Span } from '../../pool/spans.js';
import { chunks, valuesPlaceholders } from '../sql.js';
import type { SqlSession, SqlValue } from '../store.js';

interface SpanRow {
  readonly start_mac: number;
  readonly end_mac: number;
  [k: string]: unknown;
}
const toSpan = (r: SpanRow): Span => ({ start: r.start_mac, end: r.end_mac });

/**
 * Next-fit from `cursor`: fetch the walk's spans page by page until `count` MACs are covered, and plan
 * the takes. The caller checked `free_count >= count`.
 */
export async function planTakes(
  tx: SqlSession,
  poolId: number,
  cursor: number,
  count: number,
): Promise<{ takes: Take[]; cursor: number }> {
  const steps: WalkStep[] = [];
  let covered = 0;
  let page = 16;
  let after = cursor - 1; // end_mac > after
  let containing: Span | undefined;
  let first = true;
  for (;;) {
    const rows = await tx.all<SpanRow>(
      'SELECT start_mac, end_mac FROM pool_free WHERE pool_id = ? AND end_mac > ? ORDER BY end_mac LIMIT ?',
      [poolId, after, page],
    );
    const spans = rows.map(toSpan);
    if (first && spans[0] !== undefined && spans[0].start < cursor) containing = spans[0];
    first = false;
    for (const step of forwardSteps(spans, cursor)) {
      steps.push(step);
      covered += spanSize(step.usable);
    }
    if (covered >= count || rows.length < page) break;
    after = spans.at(-1)!.end;
    page = Math.min(page * 4, 4096);
  }
  if (covered < count) {
    // Wrap around: spans ending before the cursor, then the head of the cursor's own span.
    after = -1;
    page = 16;
    for (;;) {
      const rows = await tx.all<SpanRow>(
        'SELECT start_mac, end_mac FROM pool_free WHERE pool_id = ? AND end_mac > ? AND end_mac < ? ORDER BY end_mac LIMIT ?',
        [poolId, after, cursor, page],
      );
      const spans = rows.map(toSpan);
      const last = rows.length < page;
      for (const step of wrappedSteps(spans, last ? containing : undefined, cursor)) {
        steps.push(step);
        covered += spanSize(step.usable);
      }
      if (covered >= count || last) break;
      after = spans.at(-1)!.end;
      page = Math.min(page * 4, 4096);
    }
  }
  const { takes, missing } = takeFromSteps(steps, count);
  if (missing > 0) {
    throw new MacfleetError(
      'INTERNAL',
      `the free list of pool #${poolId} holds fewer MACs than its free count says (${missing} missing)`,
    );
  }
  return { takes, cursor: cursorAfter(takes, cursor) };
}

/** Replace stored spans by what remains of them after the takes; lowers free_count, moves the cursor. */
export async function applyTakes(
  tx: SqlSession,
  poolId: number,
  takes: readonly Take[],
  cursor?: number,
): Promise<void> {
  let taken = 0;
  for (const { span, remaining } of remaindersAfterTakes(takes)) {
    for (const [sql, params] of spanChanges(poolId, span, remaining)) await tx.run(sql, params);
    taken += spanSize(span) - remaining.reduce((n, r) => n + spanSize(r), 0);
  }
  if (cursor === undefined) {
    await tx.run('UPDATE pools SET free_count = free_count - ? WHERE id = ?', [taken, poolId]);
  } else {
    await tx.run('UPDATE pools SET free_count = free_count - ?, cursor = ? WHERE id = ?', [
      taken,
      cursor,
      poolId,
    ]);
  }
}

/**
 * The statements that turn stored `span` into `remaining`, in the order they must run: the existing row
 * is updated (or deleted) first, then any second piece inserted.
 */
export function spanChanges(poolId: number, span: Span, remaining: readonly Span[]): [string, SqlValue[]][] {
  const out: [string, SqlValue[]][] = [];
  const tail = remaining.find((r) => r.end === span.end) ?? remaining.at(-1);
  if (tail === undefined)
    out.push(['DELETE FROM pool_free WHERE pool_id = ? AND end_mac = ?', [poolId, span.end]]);
  else {
    out.push([
      'UPDATE pool_free SET start_mac = ?, end_mac = ? WHERE pool_id = ? AND end_mac = ?',
      [tail.start, tail.end, poolId, span.end],
    ]);
  }
  for (const r of remaining) {
    if (r !== tail)
      out.push([
        'INSERT INTO pool_free (pool_id, start_mac, end_mac) VALUES (?, ?, ?)',
        [poolId, r.start, r.end],
      ]);
  }
  return out;
}

/** Remove one MAC from the free list if it is there; true when it was. */
export async function takeMac(tx: SqlSession, poolId: number, mac: number): Promise<boolean> {
  const row = await tx.get<SpanRow>(
    'SELECT start_mac, end_mac FROM pool_free WHERE pool_id = ? AND end_mac >= ? ORDER BY end_mac LIMIT 1',
    [poolId, mac],
  );
  if (row === undefined || row.start_mac > mac) return false;
  await applyTakes(tx, poolId, [{ span: toSpan(row), run: { start: mac, end: mac } }]);
  return true;
}

/**
 * Give MACs back to the free list (quarantine over, or released without quarantine). MACs the pool does
 * not cover, or that are already free, are skipped. Consecutive MACs are merged into runs first, so a bulk
 * release costs per run, not per MAC.
 */
export async function giveMacs(
  tx: SqlSession,
  poolId: number,
  spec: PoolSpec,
  macs: readonly number[],
): Promise<void> {
  const sorted = [...new Set(macs)].filter((m) => poolCovers(spec, m)).sort((a, b) => a - b);
  const runs: Span[] = [];
  for (const m of sorted) {
    const last = runs.at(-1);
    if (last !== undefined && last.end === m - 1) runs[runs.length - 1] = { start: last.start, end: m };
    else runs.push({ start: m, end: m });
  }
  let given = 0;
  for (const run of runs) {
    // Parts of the run that are somehow already free are left alone (forced pool overlaps).
    const overlapping = (
      await tx.all<SpanRow>(
        'SELECT start_mac, end_mac FROM pool_free WHERE pool_id = ? AND end_mac >= ? AND start_mac <= ? ORDER BY end_mac',
        [poolId, run.start, run.end],
      )
    ).map(toSpan);
    let pieces: Span[] = [run];
    for (const o of overlapping) {
      pieces = pieces.flatMap((p) =>
        p.end < o.start || p.start > o.end
          ? [p]
          : spanMinusRun(p, { start: Math.max(p.start, o.start), end: Math.min(p.end, o.end) }),
      );
    }
    for (const piece of pieces) {
      const before = await tx.get<SpanRow>(
        'SELECT start_mac, end_mac FROM pool_free WHERE pool_id = ? AND end_mac = ?',
        [poolId, piece.start - 1],
      );
      const after = await tx.get<SpanRow>(
        'SELECT start_mac, end_mac FROM pool_free WHERE pool_id = ? AND start_mac = ?',
        [poolId, piece.end + 1],
      );
      if (before !== undefined)
        await tx.run('DELETE FROM pool_free WHERE pool_id = ? AND end_mac = ?', [poolId, before.end_mac]);
      if (after !== undefined)
        await tx.run('DELETE FROM pool_free WHERE pool_id = ? AND end_mac = ?', [poolId, after.end_mac]);
      await tx.run('INSERT INTO pool_free (pool_id, start_mac, end_mac) VALUES (?, ?, ?)', [
        poolId,
        before?.start_mac ?? piece.start,
        after?.end_mac ?? piece.end,
      ]);
      given += spanSize(piece);
    }
  }
  if (given > 0) await tx.run('UPDATE pools SET free_count = free_count + ? WHERE id = ?', [given, poolId]);
}

/** Write a fresh pool's free list (spans already normal). */
export async function insertSpans(tx: SqlSession, poolId: number, spans: readonly Span[]): Promise<void> {
  for (const part of chunks(spans, 1000)) {
    await tx.run(
      `INSERT INTO pool_free (pool_id, start_mac, end_mac) VALUES ${valuesPlaceholders(part.length, 3)}`,
      part.flatMap((s) => [poolId, s.start, s.end]),
    );
  }
}

/**
 * Check a pool's free list against the rest of the database; returns the problems found (none when
 * consistent). For tests and `db check`-style diagnostics: it reads the whole list.
 */
export async function verifyFreeList(tx: SqlSession, poolId: number): Promise<string[]> {
  const problems: string[] = [];
  const spans = (
    await tx.all<SpanRow>('SELECT start_mac, end_mac FROM pool_free WHERE pool_id = ? ORDER BY start_mac', [
      poolId,
    ])
  ).map(toSpan);
  let sum = 0;
  spans.forEach((s, i) => {
    sum += spanSize(s);
    const prev = spans[i - 1];
    if (prev !== undefined && s.start <= prev.end + 1)
      problems.push(`spans ${prev.start}-${prev.end} and ${s.start}-${s.end} overlap or touch`);
  });
  const pool = await tx.get<{ free_count: number }>('SELECT free_count FROM pools WHERE id = ?', [poolId]);
  if (pool?.free_count !== sum) problems.push(`free_count ${pool?.free_count} but the spans hold ${sum}`);
  const held = await tx.get<{ n: number }>(
    'SELECT COUNT(*) AS n FROM macs m JOIN pool_free f ON m.mac >= f.start_mac AND m.mac <= f.end_mac WHERE f.pool_id = ?',
    [poolId],
  );
  if ((held?.n ?? 0) > 0) problems.push(`${held?.n} held MAC(s) are also on the free list`);
  return problems;
}
