/**
 * Birthday bounds for random MAC schemes: the probability that at least one address repeats among N
 * adapters drawing uniformly from a space of D addresses, P = 1 - prod_{i<N} (1 - i/D), computed in
 * log space. Exact summation up to a million terms; beyond, Euler–Maclaurin on ln(1 - x/D), whose error
 * is far below double precision for the smooth region we use it in.
 *
 * @example collisionProbability(4823, 2 ** 24) ≈ 0.5000 (24 random bits: 50% at about 4,823 adapters)
 */
import { MacfleetError } from '../errors.js';

const EXACT_TERMS = 1_000_000;

function checkArgs(n: number, space: number): void {
  if (!Number.isInteger(n) || n < 0) {
    throw new MacfleetError('INVALID_ARGUMENT', `adapter count must be a non-negative integer, got ${n}`, {
      location: { field: 'adapters' },
    });
  }
  if (!Number.isInteger(space) || space < 1) {
    throw new MacfleetError('INVALID_ARGUMENT', `address space must be a positive integer, got ${space}`);
  }
}

/** ln prod_{i<n} (1 - i/space): the log-probability that n uniform draws are all distinct. */
function logAllDistinct(n: number, space: number): number {
  if (n > space) return -Infinity;
  if (n <= EXACT_TERMS) {
    let sum = 0;
    for (let i = 1; i < n; i++) sum += Math.log1p(-i / space);
    return sum;
  }
  // Past ~sqrt(space)*39 the probability is 1 - e^-745 (= 1 in doubles); avoid ln(0) near n = space.
  if ((n * (n - 1)) / (2 * space) > 745) return -Infinity;
  // sum_{i=0}^{n-1} f(i), f(x) = ln(1 - x/D): integral - (f(n) - f(0))/2 + (f'(n) - f'(0))/12.
  const d = space;
  const fn = Math.log1p(-n / d);
  const integral = -(d - n) * fn - n;
  const dfn = -1 / (d - n);
  const df0 = -1 / d;
  return integral - fn / 2 + (dfn - df0) / 12;
}

/** P(at least one repeated address among `n` adapters drawing uniformly from `space` addresses). */
export function collisionProbability(n: number, space: number): number {
  checkArgs(n, space);
  if (n < 2) return 0;
  return -Math.expm1(logAllDistinct(n, space));
}

/** The smallest number of adapters at which the collision probability reaches `p` (0 < p < 1). */
export function adaptersForProbability(p: number, space: number): number {
  if (!(p > 0 && p < 1)) {
    throw new MacfleetError('INVALID_ARGUMENT', `probability must be strictly between 0 and 1, got ${p}`);
  }
  checkArgs(0, space);
  let lo = 2; // P(lo - 1) < p is kept as the invariant (P(1) = 0)
  let hi = 2;
  while (collisionProbability(hi, space) < p) {
    lo = hi + 1;
    hi = Math.min(hi * 2, space + 1);
  }
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (collisionProbability(mid, space) >= p) hi = mid;
    else lo = mid + 1;
  }
  return hi;
}

/**
 * P(at least one address of host B equals one of host A's), A holding `a` distinct addresses and B
 * drawing `b` uniformly from the same `space`: 1 - (1 - a/D)^b. Collisions inside A or inside B are not
 * counted (that is collisionProbability for each host).
 */
export function crossCollisionProbability(a: number, b: number, space: number): number {
  checkArgs(a, space);
  checkArgs(b, space);
  if (a >= space && b > 0) return 1;
  return -Math.expm1(b * Math.log1p(-a / space));
}
