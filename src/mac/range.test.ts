import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMac, MAC_COUNT, MAC_NOTATIONS, parseMac, type Mac } from './mac.js';
import {
  formatMacRange,
  parseMacRange,
  prefixRange,
  rangeContains,
  rangeIntersection,
  rangeSize,
} from './range.js';

describe('MAC ranges', () => {
  it('parses start-end in every notation, including hyphenated MACs', () => {
    const r = parseMacRange('00-15-5D-05-14-00-00-15-5D-05-14-FF');
    expect(formatMacRange(r)).toBe('00:15:5d:05:14:00-00:15:5d:05:14:ff');
    expect(rangeSize(r)).toBe(256);
    expect(parseMacRange('00:15:5d:05:14:00..00:15:5d:05:14:ff')).toEqual(r);
    expect(parseMacRange('00155D051400-00155D0514FF')).toEqual(r);
  });

  it('parses prefix/len and refuses host bits', () => {
    const r = parseMacRange('02:00:00:00:00:00/24');
    expect(formatMac(r.end)).toBe('02:00:00:ff:ff:ff');
    expect(rangeSize(prefixRange(parseMac('00:00:00:00:00:00'), 0))).toBe(MAC_COUNT);
    expect(() => parseMacRange('02:00:00:00:00:01/24')).toThrow(/did you mean 02:00:00:00:00:00\/24/);
    expect(() => parseMacRange('02:00:00:00:00:00/49')).toThrow(/0\.\.48/);
  });

  it('compares as 48-bit integers: a start above the end is refused', () => {
    expect(() => parseMacRange('00:50:56:3f:ff:ff-00:50:56:00:00:00')).toThrow(/above its end/);
    expect(() => parseMacRange('nonsense')).toThrow(/expected <start>-<end>/);
  });

  it('round-trips and intersects consistently', () => {
    const arbMac = fc.integer({ min: 0, max: MAC_COUNT - 1 }).map((n) => n as Mac);
    fc.assert(
      fc.property(arbMac, arbMac, arbMac, arbMac, fc.constantFrom(...MAC_NOTATIONS), (a, b, c, d, n) => {
        const r1 = { start: Math.min(a, b) as Mac, end: Math.max(a, b) as Mac };
        const r2 = { start: Math.min(c, d) as Mac, end: Math.max(c, d) as Mac };
        expect(parseMacRange(formatMacRange(r1, n))).toEqual(r1);
        const x = rangeIntersection(r1, r2);
        for (const m of [a, b, c, d]) {
          expect(x !== undefined && rangeContains(x, m)).toBe(rangeContains(r1, m) && rangeContains(r2, m));
        }
      }),
    );
  });
});
