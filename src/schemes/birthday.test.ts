import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { adaptersForProbability, collisionProbability, crossCollisionProbability } from './birthday.js';

describe('birthday bounds', () => {
  it('24 random bits reach 50% at 4,823 adapters; 365 days at 23 people', () => {
    expect(adaptersForProbability(0.5, 2 ** 24)).toBe(4823);
    expect(collisionProbability(4822, 2 ** 24)).toBeLessThan(0.5);
    expect(collisionProbability(4823, 2 ** 24)).toBeGreaterThanOrEqual(0.5);
    expect(adaptersForProbability(0.5, 365)).toBe(23);
    expect(collisionProbability(23, 365)).toBeCloseTo(0.507297, 6);
    expect(adaptersForProbability(0.5, 2 ** 23)).toBe(3411);
  });

  it('is 0 below two adapters, 1 past the space, and monotone', () => {
    expect(collisionProbability(0, 10)).toBe(0);
    expect(collisionProbability(1, 10)).toBe(0);
    expect(collisionProbability(11, 10)).toBe(1);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.nat(5_000), (bits, n) => {
        const p = collisionProbability(n, 2 ** bits);
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThanOrEqual(1);
        expect(collisionProbability(n + 1, 2 ** bits)).toBeGreaterThanOrEqual(p);
      }),
    );
  });

  it('the Euler–Maclaurin branch continues the exact sum without a jump', () => {
    const d = 2 ** 48;
    const exact = collisionProbability(1_000_000, d);
    const approx = collisionProbability(1_000_001, d);
    expect(approx).toBeGreaterThan(exact);
    expect((approx - exact) / exact).toBeLessThan(1e-5);
    // Classic approximation 1 - exp(-n(n-1)/2D) agrees closely far from saturation.
    const n = 5_000_000;
    expect(collisionProbability(n, d)).toBeCloseTo(-Math.expm1(-(n * (n - 1)) / (2 * d)), 6);
    expect(adaptersForProbability(0.5, d)).toBe(19_753_663);
  });

  it('cross-host odds: 1 - (1 - a/D)^b', () => {
    expect(crossCollisionProbability(100, 100, 2 ** 16)).toBeCloseTo(1 - (1 - 100 / 65536) ** 100, 12);
    expect(crossCollisionProbability(0, 100, 2 ** 16)).toBe(0);
    expect(crossCollisionProbability(2 ** 16, 1, 2 ** 16)).toBe(1);
  });

  it('rejects nonsense', () => {
    expect(() => collisionProbability(-1, 10)).toThrow(/non-negative/);
    expect(() => adaptersForProbability(1, 10)).toThrow(/between 0 and 1/);
  });
});
