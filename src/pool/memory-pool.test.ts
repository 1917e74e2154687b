import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MacfleetError } from '../errors.js';
import { formatMac, macFromNumber, type Mac } from '../mac/index.js';
import { MemoryPool } from './memory-pool.js';
import { poolCovers, validatePoolSpec } from './pool-spec.js';

const BASE = 0x0a1b2c000000;
const m = (offset: number): Mac => macFromNumber(BASE + offset);

const specArb = fc
  .record({
    ranges: fc.array(fc.tuple(fc.nat(300), fc.nat(40)), { minLength: 1, maxLength: 3 }),
    exclusions: fc.array(fc.tuple(fc.nat(340), fc.nat(10)), { maxLength: 3 }),
    quarantineMs: fc.constantFrom(0, 1000, 60_000),
  })
  .filter(({ ranges, exclusions }) => {
    // At least one address must remain.
    const covered = new Set<number>();
    for (const [s, l] of ranges) for (let i = s; i <= s + l; i++) covered.add(i);
    for (const [s, l] of exclusions) for (let i = s; i <= s + l; i++) covered.delete(i);
    return covered.size > 0;
  })
  .map(({ ranges, exclusions, quarantineMs }) =>
    validatePoolSpec({
      name: 'p',
      ranges: ranges.map(([s, l]) => ({ start: m(s), end: m(s + l) })),
      exclusions: exclusions.map(([s, l]) => ({ start: m(s), end: m(s + l) })),
      quarantineMs,
    }),
  );

type Op =
  | { kind: 'allocate'; count: number; key: string | null }
  | { kind: 'reserve'; offset: number }
  | { kind: 'release'; pick: number }
  | { kind: 'wait'; ms: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('allocate' as const),
      count: fc.integer({ min: 1, max: 40 }),
      key: fc.option(fc.constantFrom('k1', 'k2', 'k3'), { freq: 3 }),
    }),
    weight: 5,
  },
  { arbitrary: fc.record({ kind: fc.constant('reserve' as const), offset: fc.nat(360) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }), weight: 3 },
  {
    arbitrary: fc.record({
      kind: fc.constant('wait' as const),
      ms: fc.constantFrom(10, 999, 1000, 30_000, 60_000),
    }),
    weight: 1,
  },
);

describe('MemoryPool (property)', () => {
  it('never hands out a held, excluded, quarantined or outside MAC, and is exhausted exactly at its free size', () => {
    fc.assert(
      fc.property(specArb, fc.array(opArb, { maxLength: 60 }), (spec, ops) => {
        const pool = new MemoryPool(spec);
        const covered: number[] = [];
        for (let i = 0; i <= 400; i++) if (poolCovers(spec, m(i))) covered.push(m(i));
        // The model: who holds what, and when quarantined MACs come back.
        const held = new Map<number, { quarantineUntil: number | null }>();
        const keys = new Map<string, Mac[]>();
        // Keys one of whose MACs was released: never replayed again (issue 16 #1).
        const released = new Set<string>();
        let now = 1_000_000;
        const expire = (): void => {
          for (const [mac, h] of held)
            if (h.quarantineUntil !== null && h.quarantineUntil <= now) held.delete(mac);
        };
        for (const op of ops) {
          expire();
          if (op.kind === 'wait') now += op.ms;
          else if (op.kind === 'allocate') {
            const previous = op.key === null ? undefined : keys.get(op.key);
            const freeNow = covered.filter((c) => !held.has(c)).length;
            let got: Mac[];
            try {
              got = pool.allocate({ count: op.count, key: op.key }, now);
            } catch (e) {
              expect(e).toBeInstanceOf(MacfleetError);
              const code = (e as MacfleetError).code;
              if (previous !== undefined) {
                const gone = op.key !== null && released.has(op.key);
                expect(code).toBe(
                  previous.length === op.count && gone ? 'ALLOCATION_RELEASED' : 'ALREADY_EXISTS',
                );
              } else {
                expect(code).toBe('POOL_EXHAUSTED');
                expect(op.count).toBeGreaterThan(freeNow);
              }
              continue;
            }
            if (previous !== undefined) {
              expect(op.key !== null && released.has(op.key)).toBe(false);
              expect(got).toEqual(previous);
              continue;
            }
            expect(op.count).toBeLessThanOrEqual(freeNow);
            expect(got).toHaveLength(op.count);
            expect(new Set(got).size).toBe(got.length);
            for (const mac of got) {
              expect(poolCovers(spec, mac), formatMac(mac)).toBe(true);
              expect(held.has(mac), `${formatMac(mac)} handed out while held`).toBe(false);
              held.set(mac, { quarantineUntil: null });
            }
            if (op.key !== null) keys.set(op.key, got);
          } else if (op.kind === 'reserve') {
            const mac = m(op.offset);
            if (held.has(mac)) {
              expect(() => pool.reserve(mac, 'x', now)).toThrow(/already/);
            } else {
              pool.reserve(mac, 'x', now);
              held.set(mac, { quarantineUntil: null });
            }
          } else {
            const active = [...held].filter(([, h]) => h.quarantineUntil === null);
            if (active.length === 0) continue;
            const [mac] = active[op.pick % active.length]!;
            for (const [key, macs] of keys) if (macs.includes(mac as Mac)) released.add(key);
            pool.release(mac as Mac, now);
            if (spec.quarantineMs === 0) held.delete(mac);
            else held.set(mac, { quarantineUntil: now + spec.quarantineMs });
          }
          const stats = pool.stats(now);
          expire();
          expect(stats.free).toBe(covered.filter((c) => !held.has(c)).length);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('walks forward from the cursor: a released MAC is not handed out again before the others', () => {
    const pool = new MemoryPool(
      validatePoolSpec({ name: 'p', ranges: [{ start: m(0), end: m(9) }], quarantineMs: 0 }),
    );
    expect(pool.allocate({ count: 3 }, 0)).toEqual([m(0), m(1), m(2)]);
    pool.release(m(1), 0);
    expect(pool.allocate({ count: 7 }, 0)).toEqual([3, 4, 5, 6, 7, 8, 9].map(m));
    expect(pool.allocate({ count: 1 }, 0)).toEqual([m(1)]);
    expect(() => pool.allocate({ count: 1 }, 0)).toThrow(
      /pool p is exhausted: 1 requested, 0 free of 10 addresses/,
    );
  });

  it('keeps a released MAC in quarantine until its period ends', () => {
    const pool = new MemoryPool(
      validatePoolSpec({ name: 'q', ranges: [{ start: m(0), end: m(1) }], quarantineMs: 1000 }),
    );
    pool.allocate({ count: 2 }, 0);
    pool.release(m(0), 0);
    expect(() => pool.allocate({}, 999)).toThrow(
      expect.objectContaining({ code: 'POOL_EXHAUSTED' }) as Error,
    );
    expect(pool.allocate({}, 1000)).toEqual([m(0)]);
  });
});
