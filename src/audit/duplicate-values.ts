/**
 * In-memory duplicate detection over MACs as numbers (48-bit integers in a Float64Array): an LSD radix
 * sort on four 12-bit digits (all histograms built in the first pass), then one pass for equal
 * neighbours. Linear time, no strings, no hashing.
 */

/** Sort 48-bit integers ascending (returns a new array; the input is left untouched). */
export function sortMacValues(values: Float64Array): Float64Array {
  const n = values.length;
  // Two 24-bit halves; four passes of 12-bit digits keep each histogram (16 KiB) in L1 cache.
  let lo = new Uint32Array(n);
  let hi = new Uint32Array(n);
  const c0 = new Uint32Array(4096);
  const c1 = new Uint32Array(4096);
  const c2 = new Uint32Array(4096);
  const c3 = new Uint32Array(4096);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    const h = (v / 16777216) >>> 0;
    const l = (v - h * 16777216) >>> 0;
    hi[i] = h;
    lo[i] = l;
    c0[l & 4095]!++;
    c1[l >>> 12]!++;
    c2[h & 4095]!++;
    c3[h >>> 12]!++;
  }
  prefix(c0);
  prefix(c1);
  prefix(c2);
  prefix(c3);
  let lo2 = new Uint32Array(n);
  let hi2 = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const l = lo[i]!;
    const at = c0[l & 4095]!++;
    lo2[at] = l;
    hi2[at] = hi[i]!;
  }
  [lo, lo2, hi, hi2] = [lo2, lo, hi2, hi];
  for (let i = 0; i < n; i++) {
    const l = lo[i]!;
    const at = c1[l >>> 12]!++;
    lo2[at] = l;
    hi2[at] = hi[i]!;
  }
  [lo, lo2, hi, hi2] = [lo2, lo, hi2, hi];
  for (let i = 0; i < n; i++) {
    const h = hi[i]!;
    const at = c2[h & 4095]!++;
    lo2[at] = lo[i]!;
    hi2[at] = h;
  }
  [lo, lo2, hi, hi2] = [lo2, lo, hi2, hi];
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const h = hi[i]!;
    out[c3[h >>> 12]!++] = h * 16777216 + lo[i]!;
  }
  return out;
}

/** Exclusive prefix sums in place: counts become bucket start offsets. */
function prefix(count: Uint32Array): void {
  let sum = 0;
  for (let d = 0; d < count.length; d++) {
    const c = count[d]!;
    count[d] = sum;
    sum += c;
  }
}

/**
 * The values that occur more than once, each once, ascending.
 * @example duplicateMacValues(Float64Array.of(5, 1, 5, 2, 1, 5)) → Float64Array [1, 5]
 */
export function duplicateMacValues(values: Float64Array): Float64Array {
  const sorted = sortMacValues(values);
  const out: number[] = [];
  for (let i = 1; i < sorted.length; i++) {
    const v = sorted[i]!;
    if (v === sorted[i - 1] && (out.length === 0 || out[out.length - 1] !== v)) out.push(v);
  }
  return Float64Array.from(out);
}
