/**
 * Next-fit: the free-MAC search. Allocation starts at the pool's cursor (just past the last MAC handed
 * out), walks the free list forward and wraps around once, so a MAC released a moment ago is the last
 * to come back (DHCP and ARP caches still remember it). The walk visits free *spans*, never allocated
 * MACs one by one: a 99.99%-full pool costs the same as an empty one.
 *
 * The same functions drive the planner (planner.ts, run by the in-memory pool) and the database free list
 * (store/pool/free-list.ts), which fetches the spans of the walk page by page.
 */
import { spanSize, type Span } from './spans.js';

/** A free span as the walk sees it: `span` is the stored span, `usable` the part the walk may take. */
export interface WalkStep {
  readonly span: Span;
  readonly usable: Span;
}

/**
 * The first leg of the walk: free spans ending at or after the cursor, in order; the span containing the
 * cursor is usable only from the cursor on.
 */
export function forwardSteps(spans: readonly Span[], cursor: number): WalkStep[] {
  return spans.map((span) => ({ span, usable: { start: Math.max(span.start, cursor), end: span.end } }));
}

/**
 * The second leg, after wrapping: spans ending before the cursor, then the part before the cursor of the
 * span that contains it (if any).
 */
export function wrappedSteps(
  spansBefore: readonly Span[],
  containing: Span | undefined,
  cursor: number,
): WalkStep[] {
  const steps = spansBefore.map((span) => ({ span, usable: span }));
  if (containing !== undefined && containing.start < cursor) {
    steps.push({ span: containing, usable: { start: containing.start, end: cursor - 1 } });
  }
  return steps;
}

/** A contiguous run of MACs taken from one stored span. */
export interface Take {
  readonly span: Span;
  readonly run: Span;
}

/**
 * Take up to `count` MACs greedily from the steps, in order. Returns the runs and how many are still
 * missing (0 when satisfied). Two takes never come from the same stored span: the first leg and the wrap
 * leg meet inside the cursor's span only when the whole span is taken, which the caller merges.
 */
export function takeFromSteps(steps: readonly WalkStep[], count: number): { takes: Take[]; missing: number } {
  const takes: Take[] = [];
  let missing = count;
  for (const step of steps) {
    if (missing === 0) break;
    const n = Math.min(missing, spanSize(step.usable));
    if (n <= 0) continue;
    takes.push({ span: step.span, run: { start: step.usable.start, end: step.usable.start + n - 1 } });
    missing -= n;
  }
  return { takes, missing };
}

/**
 * Group takes by stored span and compute, per span, what remains free. A span can appear twice (the
 * cursor's span, forward from the cursor and again after the wrap).
 */
export function remaindersAfterTakes(takes: readonly Take[]): { span: Span; remaining: Span[] }[] {
  const bySpan = new Map<number, { span: Span; runs: Span[] }>();
  for (const t of takes) {
    const entry = bySpan.get(t.span.end) ?? { span: t.span, runs: [] };
    entry.runs.push(t.run);
    bySpan.set(t.span.end, entry);
  }
  return [...bySpan.values()].map(({ span, runs }) => {
    const sorted = [...runs].sort((a, b) => a.start - b.start);
    const remaining: Span[] = [];
    let start = span.start;
    for (const r of sorted) {
      if (r.start > start) remaining.push({ start, end: r.start - 1 });
      start = r.end + 1;
    }
    if (start <= span.end) remaining.push({ start, end: span.end });
    return { span, remaining };
  });
}

/** The MACs of the runs, in allocation order. */
export function macsOfTakes(takes: readonly Take[]): number[] {
  const out: number[] = [];
  for (const t of takes) for (let m = t.run.start; m <= t.run.end; m++) out.push(m);
  return out;
}

/** The cursor after an allocation: just past the last MAC handed out. */
export const cursorAfter = (takes: readonly Take[], previous: number): number => {
  const last = takes.at(-1);
  return last === undefined ? previous : last.run.end + 1;
};
