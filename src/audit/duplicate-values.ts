/**
 * In-memory duplicate detection over MACs as numbers (48-bit integers in a Float64Array): an LSD radix
 * sort on three 16-bit digits, then one pass for equal neighbours. Linear time, no strings, no hashing;
 * 10 million MACs take a fraction of a second.
 */

/** Sort 48-bit integers ascending (returns a new array; the input is left untouched). */
export function sortMacValues(values: Float64Array): Float64Array {
  const n = values.length;
  let lo = new Uint32Array(n);
  let hi = new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    const h = Math.floor(v / 4294967296);
    hi[i] = h;
    lo[i] = v - h * 4294967296;
  }
  let lo2 = new Uint32Array(n);
  let hi2 = new Uint16Array(n);
  const count = new Uint32Array(65536);
  for (let pass = 0; pass < 3; pass++) {
    count.fill(0);
    for (let i = 0; i < n; i++) count[digit(pass, lo[i]!, hi[i]!)]!++;
    let sum = 0;
    for (let d = 0; d < 65536; d++) {
      const c = count[d]!;
      count[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const l = lo[i]!;
      const h = hi[i]!;
      const at = count[digit(pass, l, h)]!++;
      lo2[at] = l;
      hi2[at] = h;
    }
    [lo, lo2] = [lo2, lo];
    [hi, hi2] = [hi2, hi];
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = hi[i]! * 4294967296 + lo[i]!;
  return out;
}

const digit = (pass: number, lo: number, hi: number): number =>
  pass === 0 ? lo & 0xffff : pass === 1 ? lo >>> 16 : hi;

/**
 * The values that occur more than once, each once, ascending.
 * @example duplicateMacValues(Float64Array.of(5, 1, 5, 2, 1, 5)) → Float64Array [1, 5]
 */
export function duplicateMacValues(values: Float64Array): Float64Array {
  const sorted = sortMacValues(values);
  const out: number[] = [];
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i] === sorted[i - 1] && (out.length === 0 || out[out.length - 1] !== sorted[i]))
      out.push(sorted[i]!);
  }
  return Float64Array.from(out);
}
