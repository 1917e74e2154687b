import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { duplicateMacValues } from './duplicate-values.js';

const mac48 = fc.integer({ min: 0, max: 2 ** 48 - 1 });

describe('duplicateMacValues', () => {
  it('finds each repeated value once, ascending', () => {
    expect([...duplicateMacValues(Float64Array.of(5, 1, 5, 2, 1, 5))]).toEqual([1, 5]);
    expect([...duplicateMacValues(new Float64Array(0))]).toEqual([]);
  });

  it('handles a bucket far larger than the average (every value with the same last two octets)', () => {
    const xs: number[] = [];
    for (let i = 0; i < 5000; i++) xs.push((0x00155d00 + i) * 65536 + 0x1234);
    xs.push(xs[17]!, xs[4999]!, xs[17]!);
    expect([...duplicateMacValues(Float64Array.from(xs))]).toEqual([xs[17], xs[4999]]);
  });

  it('agrees with a Map count (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            mac48,
            fc.constantFrom(0, 1, 2 ** 48 - 1, 0x525400123456),
            // Few buckets, many remainders (and the reverse): values built from small sets of low and high parts.
            fc
              .tuple(fc.constantFrom(0, 1, 0xffff), fc.integer({ min: 0, max: 2 ** 32 - 1 }))
              .map(([lo, hi]) => hi * 65536 + lo),
            fc
              .tuple(fc.integer({ min: 0, max: 0xffff }), fc.constantFrom(0, 0x00155d05, 0xffffffff))
              .map(([lo, hi]) => hi * 65536 + lo),
          ),
          { maxLength: 400 },
        ),
        (xs) => {
          const counts = new Map<number, number>();
          for (const x of xs) counts.set(x, (counts.get(x) ?? 0) + 1);
          const want = [...counts]
            .filter(([, c]) => c > 1)
            .map(([v]) => v)
            .sort((a, b) => a - b);
          expect([...duplicateMacValues(Float64Array.from(xs))]).toEqual(want);
        },
      ),
    );
  });
});
