import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { macFromNumber, type Mac } from '../mac/index.js';
import {
  formatRangeCompact,
  formatSet,
  intersectSets,
  octet4Set,
  rangeSet,
  setContains,
  setSize,
  type AddressSet,
} from './address-set.js';

// A small universe (OUI 00-03-FF, octets 4-6 limited) so brute force can check every member.
const OUI = 0x0003ff;
const at = (x: number, low16: number): Mac => macFromNumber(OUI * 2 ** 24 + x * 65536 + low16);
const LOWS = [0x3268, 0x3269, 0x0000];
const arbSet: fc.Arbitrary<AddressSet> = fc.oneof(
  fc.tuple(fc.nat(255), fc.nat(255), fc.constantFrom(...LOWS)).map(([a, b, low16]) => ({
    ...octet4Set(OUI, low16),
    from: Math.min(a, b),
    to: Math.max(a, b),
  })),
  fc.tuple(fc.nat(2 ** 24 - 1), fc.nat(2 ** 20)).map(([s, n]) =>
    rangeSet({
      start: macFromNumber(at(0, 0) + s),
      end: macFromNumber(Math.min(at(0, 0) + s + n, at(255, 0xffff))),
    }),
  ),
);
const probes = (a: AddressSet, b: AddressSet): Mac[] => {
  const out: Mac[] = [];
  for (const s of [a, b]) {
    if (s.kind === 'octet4') for (let x = 0; x < 256; x++) out.push(at(x, s.low16));
    else
      for (const d of [-1, 0, 1, 65535, 65536, 65537])
        for (const m of [s.range.start + d, s.range.end - d]) out.push(macFromNumber(Math.max(0, m)));
  }
  return out;
};

describe('address sets', () => {
  it('intersection contains exactly the common members', () => {
    fc.assert(
      fc.property(arbSet, arbSet, (a, b) => {
        const i = intersectSets(a, b);
        for (const m of probes(a, b)) {
          expect(i !== undefined && setContains(i, m)).toBe(setContains(a, m) && setContains(b, m));
        }
        if (i) expect(setSize(i)).toBeLessThanOrEqual(Math.min(setSize(a), setSize(b)));
      }),
    );
  });

  it('Virtual Server sets of NICs sharing octets 5-6 are identical; others are disjoint', () => {
    const a = octet4Set(OUI, 0x3268);
    expect(intersectSets(a, octet4Set(OUI, 0x3268))).toEqual(a);
    expect(intersectSets(a, octet4Set(OUI, 0x3269))).toBeUndefined();
    expect(formatSet(a)).toBe('00-03-FF-xx-32-68 (xx = 00..FF)');
    expect(setSize(a)).toBe(256);
  });

  it('formats ranges compactly from the first differing octet', () => {
    expect(formatRangeCompact({ start: at(5, 0x1400), end: at(5, 0x14ff) })).toBe('00-03-FF-05-14-00..FF');
    expect(formatRangeCompact({ start: at(5, 0x1400), end: at(5, 0x1400) })).toBe('00-03-FF-05-14-00');
    expect(formatRangeCompact({ start: macFromNumber(0), end: macFromNumber(2 ** 48 - 1) })).toBe(
      '00-00-00-00-00-00..FF-FF-FF-FF-FF-FF',
    );
  });
});
