// The planner, run by MemoryPool, against a brute-force pool that shares no code with it (a sorted
// array of free MACs): the same MACs in the same order, the same refusals, the same free counts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BruteForcePool } from '../../test/helpers/brute-force-pool.js';
import { MacfleetError } from '../errors.js';
import { macFromNumber, type Mac } from '../mac/index.js';
import { MemoryPool } from './memory-pool.js';
import { validatePoolSpec } from './pool-spec.js';
import { decide, MAX_ALLOCATION, type KeyRecord } from './planner.js';

const BASE = 0x0a1b2c000000;
const m = (offset: number): Mac => macFromNumber(BASE + offset);

const setup = fc
  .record({
    ranges: fc.array(fc.tuple(fc.nat(200), fc.nat(30)), { minLength: 1, maxLength: 3 }),
    exclusions: fc.array(fc.tuple(fc.nat(230), fc.nat(8)), { maxLength: 3 }),
    quarantineMs: fc.constantFrom(0, 1000, 60_000),
  })
  .map(({ ranges, exclusions, quarantineMs }) => {
    const covered = new Set<number>();
    for (const [s, l] of ranges) for (let i = s; i <= s + l; i++) covered.add(BASE + i);
    for (const [s, l] of exclusions) for (let i = s; i <= s + l; i++) covered.delete(BASE + i);
    return { ranges, exclusions, quarantineMs, covered: [...covered] };
  })
  .filter((s) => s.covered.length > 0);

type Op =
  | { kind: 'allocate'; count: number; key: string | null }
  | { kind: 'reserve'; offset: number }
  | { kind: 'release'; pick: number }
  | { kind: 'wait'; ms: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('allocate' as const),
      count: fc.oneof(fc.integer({ min: 1, max: 30 }), fc.constantFrom(0, -1, 2.5, MAX_ALLOCATION + 1)),
      key: fc.option(fc.constantFrom('k1', 'k2', 'k3'), { freq: 2 }),
    }),
    weight: 6,
  },
  { arbitrary: fc.record({ kind: fc.constant('reserve' as const), offset: fc.nat(240) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }), weight: 3 },
  {
    arbitrary: fc.record({ kind: fc.constant('wait' as const), ms: fc.constantFrom(10, 999, 1000, 60_000) }),
    weight: 1,
  },
);

const codeOr = <T>(fn: () => T): T | string => {
  try {
    return fn();
  } catch (e) {
    if (e instanceof MacfleetError) return e.code;
    throw e;
  }
};

describe('allocation planner against a brute-force pool', () => {
  it('hands out the same MACs in the same order and refuses the same requests', () => {
    fc.assert(
      fc.property(setup, fc.array(opArb, { maxLength: 80 }), (s, ops) => {
        const spec = validatePoolSpec({
          name: 'p',
          ranges: s.ranges.map(([a, l]) => ({ start: m(a), end: m(a + l) })),
          exclusions: s.exclusions.map(([a, l]) => ({ start: m(a), end: m(a + l) })),
          quarantineMs: s.quarantineMs,
        });
        const pool = new MemoryPool(spec);
        const model = new BruteForcePool(
          s.covered,
          BASE + Math.min(...s.ranges.map(([a]) => a)),
          s.quarantineMs,
        );
        const held: number[] = [];
        let now = 1_000_000;
        for (const [step, op] of ops.entries()) {
          const at = `step ${step}: ${JSON.stringify(op)}`;
          if (op.kind === 'wait') now += op.ms;
          else if (op.kind === 'allocate') {
            const want = model.allocate(op.count, op.key, now);
            const got = codeOr(() => pool.allocate({ count: op.count, key: op.key }, now));
            expect(got, at).toEqual(want);
            if (Array.isArray(want)) held.push(...want.filter((x) => !held.includes(x)));
          } else if (op.kind === 'reserve') {
            const want = model.reserve(BASE + op.offset, now);
            expect(
              codeOr(() => pool.reserve(m(op.offset), 'r', now) ?? 'ok'),
              at,
            ).toBe(want);
            if (want === 'ok') held.push(BASE + op.offset);
          } else if (held.length > 0) {
            const [mac] = held.splice(op.pick % held.length, 1) as [number];
            const want = model.release(mac, now);
            expect(
              codeOr(() => pool.release(mac as Mac, now) ?? 'ok'),
              at,
            ).toBe(want);
          }
          const stats = pool.stats(now);
          const expected = model.stats(now);
          expect({ free: stats.free, quarantined: stats.quarantined }, at).toEqual(expected);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('issue 16 #1: a replayed key whose MAC was released and handed to someone else is refused', () => {
    const pool = new MemoryPool(
      validatePoolSpec({ name: 't', ranges: [{ start: m(0x900), end: m(0x900) }], quarantineMs: 0 }),
    );
    expect(pool.allocate({ owner: 'alice', key: 'a1' }, 0)).toEqual([m(0x900)]);
    pool.release(m(0x900), 0);
    expect(pool.allocate({ owner: 'bob', key: 'b1' }, 0)).toEqual([m(0x900)]);
    expect(() => pool.allocate({ owner: 'alice', key: 'a1' }, 0)).toThrow(
      expect.objectContaining({ code: 'ALLOCATION_RELEASED' }) as Error,
    );
    // bob's own replay still answers.
    expect(pool.allocate({ owner: 'bob', key: 'b1' }, 0)).toEqual([m(0x900)]);
  });

  it('decides a group first come, first served, all or nothing per request', () => {
    const keys = new Map<string, KeyRecord>([
      ['old', { pool: 'g', count: 2, macs: [m(1), m(2)], released: [] }],
      ['gone', { pool: 'g', count: 1, macs: [m(3)], released: [m(3)] }],
    ]);
    const { decisions, total } = decide(
      { name: 'g', size: 10, free: 5, cursor: 0 },
      [
        { count: 3, key: 'a' },
        { count: 4 },
        { count: 2, owner: 'b' },
        { count: 3, key: 'a' },
        { count: 2, key: 'old' },
        { count: 1, key: 'gone' },
        { count: 3, key: 'old' },
      ],
      keys,
    );
    expect(decisions.map((d) => (d.kind === 'refuse' ? d.refusal.kind : d.kind))).toEqual([
      'serve',
      'exhausted',
      'serve',
      'same-as',
      'replay',
      'key-released',
      'key-mismatch',
    ]);
    expect(total).toBe(5);
  });
});
