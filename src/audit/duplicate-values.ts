/**
 * In-memory duplicate detection over MACs as numbers (48-bit integers in a Float64Array), without
 * strings or hashing: one counting pass and one scatter pass partition the values into 65,536 buckets
 * by their low 16 bits (the bits that vary most in real fleets: the last octets), leaving a 32-bit
 * remainder per value in a Uint32Array; each bucket (about n/65,536 values, cache-resident) is then
 * sorted natively and scanned for equal neighbours. Bucket + remainder identify a value exactly, so
 * equal remainders within a bucket are exactly the duplicates. About 0.6 s for 10 million MACs on this
 * machine, half the time of the four-pass LSD radix sort it replaced.
 */

const LOW = 65536;

/**
 * The values that occur more than once, each once, ascending.
 * @example duplicateMacValues(Float64Array.of(5, 1, 5, 2, 1, 5)) → Float64Array [1, 5]
 */
export function duplicateMacValues(values: Float64Array): Float64Array {
  const n = values.length;
  // bounds[b] .. bounds[b + 1] is bucket b once the counts are summed.
  const bounds = new Uint32Array(LOW + 1);
  const low = new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    const b = v - ((v / LOW) >>> 0) * LOW;
    low[i] = b;
    bounds[b + 1]!++;
  }
  for (let b = 1; b <= LOW; b++) bounds[b]! += bounds[b - 1]!;
  const next = bounds.slice(0, LOW);
  const high = new Uint32Array(n);
  for (let i = 0; i < n; i++) high[next[low[i]!]!++] = (values[i]! / LOW) >>> 0;

  const out: number[] = [];
  for (let b = 0; b < LOW; b++) {
    const start = bounds[b]!;
    const end = bounds[b + 1]!;
    if (end - start < 2) continue;
    const bucket = high.subarray(start, end).sort();
    let last = -1; // the remainder last reported, so a value seen three times is reported once
    for (let i = 1; i < bucket.length; i++) {
      const h = bucket[i]!;
      if (h === bucket[i - 1] && h !== last) {
        out.push(h * LOW + b);
        last = h;
      }
    }
  }
  return Float64Array.from(out).sort();
}
