import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMac, macFromNumber, parseIpv4, parseMac, type Mac, type MacRange } from '../mac/index.js';
import { formatRangeCompact } from './address-set.js';
import {
  hyperVAllocate,
  hyperVNextFree,
  hyperVPool,
  hyperVPoolFromIpv4,
  hyperVScheme,
} from './hyper-v-scheme.js';

const BASE = 0x00155d000000;
const arbPool = fc
  .tuple(fc.integer({ min: 0, max: 0xffff00 }), fc.integer({ min: 1, max: 300 }))
  .map(([s, n]): MacRange => ({ start: macFromNumber(BASE + s), end: macFromNumber(BASE + s + n - 1) }));

/** Brute force: walk the pool cyclically from the cursor. */
function reference(pool: MacRange, cursor: Mac | undefined, used: Set<Mac>): Mac | undefined {
  const all: Mac[] = [];
  for (let m: number = pool.start; m <= pool.end; m++) all.push(m as Mac);
  const from = cursor === undefined ? 0 : all.indexOf(cursor) + 1;
  for (let i = 0; i < all.length; i++) {
    const m = all[(from + i) % all.length]!;
    if (!used.has(m)) return m;
  }
  return undefined;
}

describe('Hyper-V scheme', () => {
  it('derives the pool from IPv4 octets 3 and 4: 10.1.5.20 → 00-15-5D-05-14-00..FF', () => {
    const pool = hyperVPoolFromIpv4(parseIpv4('10.1.5.20'));
    expect(formatRangeCompact(pool)).toBe('00-15-5D-05-14-00..FF');
    expect(hyperVPoolFromIpv4(parseIpv4('10.2.5.20'))).toEqual(pool);
    expect(formatMac(hyperVPoolFromIpv4(parseIpv4('192.168.254.250')).end)).toBe('00:15:5d:fe:fa:ff');
  });

  it('accepts an explicit Set-VMHost pool and rejects min > max or multicast ends', () => {
    const p = hyperVPool(parseMac('00-15-5D-FE-F0-00'), parseMac('00-15-5D-FE-FF-FF'));
    expect(hyperVScheme(p).sets).toHaveLength(1);
    expect(() => hyperVPool(parseMac('00-15-5D-FE-FF-FF'), parseMac('00-15-5D-FE-F0-00'))).toThrow(
      /above MacAddressMaximum/,
    );
    expect(() => hyperVPool(parseMac('01-15-5D-00-00-00'), parseMac('01-15-5D-00-00-FF'))).toThrow(
      /multicast/,
    );
  });

  it('next free = the first address after the cursor, cyclically, that is not in use', () => {
    fc.assert(
      fc.property(
        arbPool,
        fc.nat(),
        fc.array(fc.nat(), { maxLength: 300 }),
        fc.boolean(),
        (pool, c, usedIdx, noCursor) => {
          const size = pool.end - pool.start + 1;
          const cursor = noCursor ? undefined : ((pool.start + (c % size)) as Mac);
          const used = new Set(usedIdx.map((i) => (pool.start + (i % size)) as Mac));
          const got = hyperVNextFree(pool, cursor, used);
          expect(got).toBe(reference(pool, cursor, used));
          if (got !== undefined) {
            expect(got >= pool.start && got <= pool.end).toBe(true);
            expect(used.has(got)).toBe(false);
          }
        },
      ),
    );
  });

  it('wraps to the start after the maximum and reuses released addresses', () => {
    const pool = hyperVPoolFromIpv4(parseIpv4('10.1.5.20'));
    const first = hyperVAllocate(pool, undefined, new Set(), 256);
    expect(new Set(first).size).toBe(256);
    expect(first[0]).toBe(pool.start);
    const inUse = new Set(first);
    expect(hyperVNextFree(pool, first[255], inUse)).toBeUndefined();
    inUse.delete(first[10]!);
    expect(hyperVNextFree(pool, first[255], inUse)).toBe(first[10]);
    expect(hyperVNextFree(pool, pool.end, new Set())).toBe(pool.start);
    // A cursor outside the pool (the pool was changed) restarts at the minimum.
    expect(hyperVNextFree(pool, parseMac('00-15-5D-99-99-99'), new Set())).toBe(pool.start);
  });

  it('allocate hands out distinct free addresses in cursor order and stops when exhausted', () => {
    fc.assert(
      fc.property(arbPool, fc.nat(400), fc.array(fc.nat(), { maxLength: 50 }), (pool, count, usedIdx) => {
        const size = pool.end - pool.start + 1;
        const used = new Set(usedIdx.map((i) => (pool.start + (i % size)) as Mac));
        const got = hyperVAllocate(pool, undefined, used, count);
        expect(got.length).toBe(Math.min(count, size - used.size));
        expect(new Set(got).size).toBe(got.length);
        for (const m of got) expect(used.has(m)).toBe(false);
      }),
    );
  });

  it('nth is the n-th address of the pool and refuses past its end', () => {
    const s = hyperVScheme(hyperVPoolFromIpv4(parseIpv4('10.1.5.20')));
    expect(formatMac(s.nth!(255))).toBe('00:15:5d:05:14:ff');
    expect(() => s.nth!(256)).toThrow(expect.objectContaining({ code: 'POOL_EXHAUSTED' }));
  });
});
