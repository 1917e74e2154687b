import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { duplicateMacValues, sortMacValues } from './duplicate-values.js';

const mac48 = fc.integer({ min: 0, max: 2 ** 48 - 1 });

describe('duplicateMacValues', () => {
  it('finds each repeated value once, ascending', () => {
    expect([...duplicateMacValues(Float64Array.of(5, 1, 5, 2, 1, 5))]).toEqual([1, 5]);
    expect([...duplicateMacValues(new Float64Array(0))]).toEqual([]);
  });

  it('sorts 48-bit integers like a numeric sort (property)', () => {
    fc.assert(
      fc.property(fc.array(mac48, { maxLength: 300 }), (xs) => {
        expect([...sortMacValues(Float64Array.from(xs))]).toEqual([...xs].sort((a, b) => a - b));
      }),
    );
  });

  it('agrees with a Map count (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(mac48, fc.constantFrom(0, 1, 2 ** 48 - 1, 0x525400123456)), { maxLength: 300 }),
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
