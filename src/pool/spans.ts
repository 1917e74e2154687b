/**
 * Inclusive integer intervals (`Span`s) over the 48-bit MAC space: the arithmetic behind pools, their
 * exclusions and the run-length free list. Sorted span lists are disjoint and non-adjacent ("normal").
 */

export interface Span {
  readonly start: number;
  readonly end: number;
}

export const spanSize = (s: Span): number => s.end - s.start + 1;
export const spansSize = (spans: readonly Span[]): number => spans.reduce((n, s) => n + spanSize(s), 0);

/** Sort and merge overlapping or adjacent spans. */
export function normalizeSpans(spans: readonly Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  const out: Span[] = [];
  for (const s of sorted) {
    const last = out.at(-1);
    if (last !== undefined && s.start <= last.end + 1) {
      if (s.end > last.end) out[out.length - 1] = { start: last.start, end: s.end };
    } else {
      out.push({ start: s.start, end: s.end });
    }
  }
  return out;
}

/** `base` minus `minus`; both normal, result normal. */
export function subtractSpans(base: readonly Span[], minus: readonly Span[]): Span[] {
  const out: Span[] = [];
  let j = 0;
  for (const b of base) {
    let start = b.start;
    while (j < minus.length && minus[j]!.end < start) j++;
    let k = j;
    while (start <= b.end) {
      const m = minus[k];
      if (m === undefined || m.start > b.end) {
        out.push({ start, end: b.end });
        break;
      }
      if (m.start > start) out.push({ start, end: m.start - 1 });
      start = m.end + 1;
      k++;
    }
  }
  return out;
}

/** `a` ∩ `b`; both normal, result normal. */
export function intersectSpans(a: readonly Span[], b: readonly Span[]): Span[] {
  const out: Span[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    const start = Math.max(x.start, y.start);
    const end = Math.min(x.end, y.end);
    if (start <= end) out.push({ start, end });
    if (x.end < y.end) i++;
    else j++;
  }
  return out;
}

/** Index of the span of a normal list containing `x`, or -1 (binary search). */
export function indexOfSpanContaining(spans: readonly Span[], x: number): number {
  const i = firstSpanEndingAtOrAfter(spans, x);
  return i < spans.length && spans[i]!.start <= x ? i : -1;
}

/** Index of the first span whose end >= x (spans.length when none): where a next-fit walk starts. */
export function firstSpanEndingAtOrAfter(spans: readonly Span[], x: number): number {
  let lo = 0;
  let hi = spans.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (spans[mid]!.end < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** What is left of `span` after taking the sub-span `run` out of it (0, 1 or 2 spans). */
export function spanMinusRun(span: Span, run: Span): Span[] {
  const out: Span[] = [];
  if (span.start < run.start) out.push({ start: span.start, end: run.start - 1 });
  if (run.end < span.end) out.push({ start: run.end + 1, end: span.end });
  return out;
}
