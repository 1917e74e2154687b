import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyMac, formatMacRange, isLocal, isMulticast, parseMac, parseMacRange } from '../mac/index.js';
import { seededRandom } from '../random.js';
import {
  DEFAULT_EXCLUSIONS,
  overlapsWithPools,
  poolCovers,
  poolSize,
  randomLocalPrefix,
  validatePoolSpec,
} from './pool-spec.js';
import { normalizeSpans, subtractSpans, intersectSpans } from './spans.js';

describe('validatePoolSpec', () => {
  it('normalizes ranges and clips exclusions, NLB ranges left out by default', () => {
    const spec = validatePoolSpec({ name: 'p', ranges: ['02:00:00:00:00:00/8'] });
    expect(spec.exclusions.map((r) => formatMacRange(r))).toEqual([
      '02:01:00:00:00:00-02:20:ff:ff:ff:ff',
      '02:bf:00:00:00:00-02:bf:ff:ff:ff:ff',
    ]);
    expect(poolCovers(spec, parseMac('02:bf:0a:00:00:01'))).toBe(false);
    expect(poolCovers(spec, parseMac('02:14:0a:00:00:01'))).toBe(false);
    expect(poolCovers(spec, parseMac('02:21:0a:00:00:01'))).toBe(true);
    expect(
      poolSize(validatePoolSpec({ name: 'p', ranges: ['02:00:00:00:00:00/8'], defaultExclusions: false })),
    ).toBe(2 ** 40);
    expect(DEFAULT_EXCLUSIONS).toHaveLength(2);
  });

  it('refuses what cannot be handed out, saying why', () => {
    expect(() => validatePoolSpec({ name: 'p', ranges: ['01:00:00:00:00:00/24'] })).toThrow(
      /multicast \(group\) addresses such as 01:00:00:00:00:00/,
    );
    expect(() => validatePoolSpec({ name: 'p', ranges: ['02:ff:ff:ff:ff:00-04:00:00:00:00:10'] })).toThrow(
      /such as 03:00:00:00:00:00/,
    );
    expect(() => validatePoolSpec({ name: 'p', ranges: ['00:00:00:00:00:00/40'] })).toThrow(
      /00:00:00:00:00:00, which no adapter/,
    );
    expect(() => validatePoolSpec({ name: 'p', ranges: ['0a:00:00:00:00:09-0a:00:00:00:00:01'] })).toThrow(
      /range 1: range start 0a:00:00:00:00:09 is above its end/,
    );
    expect(() => validatePoolSpec({ name: 'p', ranges: [] })).toThrow(/at least one range/);
    expect(() => validatePoolSpec({ name: 'bad name', ranges: ['0a:00:00:00:00:00/40'] })).toThrow(
      /invalid pool name/,
    );
    expect(() =>
      validatePoolSpec({ name: 'p', ranges: ['0a:00:00:00:00:00/40'], exclusions: ['0a:00:00:00:00:00/40'] }),
    ).toThrow(/nothing could be handed out/);
    expect(() => validatePoolSpec({ name: 'p', ranges: ['0a:00:00:00:00:00/40'], quarantineMs: -1 })).toThrow(
      /quarantine/,
    );
  });

  it('finds overlaps with other pools', () => {
    const a = validatePoolSpec({ name: 'a', ranges: ['0a:00:00:00:00:00-0a:00:00:00:00:ff'] });
    const b = validatePoolSpec({ name: 'b', ranges: ['0a:00:00:00:00:f0-0a:00:00:00:01:ff'] });
    const c = validatePoolSpec({ name: 'c', ranges: ['0a:00:00:00:02:00/40'] });
    expect(overlapsWithPools(b, [a, c]).map((o) => [o.pool, formatMacRange(o.overlap)])).toEqual([
      ['a', '0a:00:00:00:00:f0-0a:00:00:00:00:ff'],
    ]);
    expect(overlapsWithPools(c, [a, b])).toEqual([]);
  });
});

describe('randomLocalPrefix', () => {
  it('always draws a locally administered unicast block no other software claims', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 8, max: 40 }), (seed, bits) => {
        const r = randomLocalPrefix(seededRandom(seed), bits);
        expect(r.end - r.start + 1).toBe(2 ** (48 - bits));
        expect(isLocal(r.start) && !isMulticast(r.start)).toBe(true);
        expect(classifyMac(r.start).kind).toBe('unknown');
        for (const d of DEFAULT_EXCLUSIONS) expect(r.end < d.range.start || r.start > d.range.end).toBe(true);
        expect(() => validatePoolSpec({ name: 'p', ranges: [r] })).not.toThrow();
      }),
    );
  });
  it('refuses silly lengths', () => {
    expect(() => randomLocalPrefix(seededRandom(1), 4)).toThrow(/8..46/);
  });
});

describe('span arithmetic (property)', () => {
  const spans = fc.array(
    fc.tuple(fc.nat(200), fc.nat(20)).map(([s, l]) => ({ start: s, end: s + l })),
    { maxLength: 8 },
  );
  const members = (list: readonly { start: number; end: number }[]): Set<number> => {
    const out = new Set<number>();
    for (const s of list) for (let i = s.start; i <= s.end; i++) out.add(i);
    return out;
  };
  it('normalize, subtract and intersect agree with sets', () => {
    fc.assert(
      fc.property(spans, spans, (a, b) => {
        const na = normalizeSpans(a);
        const nb = normalizeSpans(b);
        na.forEach((s, i) => i > 0 && expect(s.start).toBeGreaterThan(na[i - 1]!.end + 1));
        const sa = members(a);
        const sb = members(b);
        expect(members(na)).toEqual(sa);
        expect(members(subtractSpans(na, nb))).toEqual(new Set([...sa].filter((x) => !sb.has(x))));
        expect(members(intersectSpans(na, nb))).toEqual(new Set([...sa].filter((x) => sb.has(x))));
      }),
    );
  });
});

it('parses the exclusions as the NLB documentation gives them', () => {
  expect(parseMacRange('02:bf:00:00:00:00/16')).toEqual(DEFAULT_EXCLUSIONS[0]!.range);
});

it('refuses a quarantine whose end no date could show (issue 16 #2)', () => {
  const spec = { name: 'q', ranges: ['0a:00:00:00:00:00/40'] };
  expect(() => validatePoolSpec({ ...spec, quarantineMs: 99_999_999_999 * 86_400_000 })).toThrow(
    /quarantine must be a whole number of milliseconds from 0 to 100 years/,
  );
  expect(validatePoolSpec({ ...spec, quarantineMs: 10 * 365 * 86_400_000 }).quarantineMs).toBe(
    315_360_000_000,
  );
});
