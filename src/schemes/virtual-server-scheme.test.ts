import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMac, macFromNumber, octets, ouiOf, parseMac } from '../mac/index.js';
import { seededRandom } from '../random.js';
import { setContains } from './address-set.js';
import { schemeCollisionProbability } from './scheme.js';
import {
  parseVsNic,
  virtualServerCountersOf,
  virtualServerMac,
  virtualServerMacs,
  virtualServerScheme,
  virtualServerSets,
  type VsNic,
} from './virtual-server-scheme.js';

const rnd = seededRandom(7);
const hy = (m: number): string => formatMac(macFromNumber(m), 'hyphen');
const arbNic = fc.record({
  mac: fc.integer({ min: 0, max: 2 ** 48 - 1 }).map(macFromNumber),
  kind: fc.constantFrom<VsNic['kind']>('physical', 'physical', 'loopback', 'bridge'),
});
const arbHost = fc
  .array(arbNic, { minLength: 1, maxLength: 6 })
  .filter((n) => n.some((x) => x.kind === 'physical'));

describe('Virtual Server scheme (KB 888030)', () => {
  it('reproduces the Resource Kit example: NIC 00-16-31-53-32-68 → 00-03-FF-xx-32-68, counter XORed into 0x53', () => {
    const nics = [parseVsNic('00-16-31-53-32-68')];
    expect(virtualServerMacs(nics, 0, 3, rnd).map(hy)).toEqual([
      '00-03-FF-53-32-68',
      '00-03-FF-52-32-68',
      '00-03-FF-51-32-68',
    ]);
    expect(hy(virtualServerMac(nics, 255, rnd))).toBe('00-03-FF-AC-32-68');
  });

  it('skips loopback and bridge adapters and moves to the next adapter after 256, then wraps to the first', () => {
    const nics = [
      parseVsNic('02-00-4C-4F-4F-50,loopback'),
      parseVsNic('00-16-31-53-32-68'),
      parseVsNic('00-11-22-33-44-55,bridge'),
      parseVsNic('00-1A-A0-07-99-01'),
    ];
    expect(hy(virtualServerMac(nics, 0, rnd))).toBe('00-03-FF-53-32-68');
    expect(hy(virtualServerMac(nics, 256, rnd))).toBe('00-03-FF-07-99-01');
    expect(hy(virtualServerMac(nics, 257, rnd))).toBe('00-03-FF-06-99-01');
    expect(hy(virtualServerMac(nics, 512, rnd))).toBe('00-03-FF-53-32-68');
  });

  it('draws random last three octets (from the injected Random) when no adapter is eligible', () => {
    const nics = [parseVsNic('02-00-4C-4F-4F-50,loopback')];
    const a = virtualServerMacs(nics, 0, 50, seededRandom(1));
    expect(a).toEqual(virtualServerMacs(nics, 0, 50, seededRandom(1)));
    expect(new Set(a).size).toBe(50);
    for (const m of a) expect(ouiOf(m)).toBe(0x0003ff);
    expect(virtualServerScheme(nics, rnd).kind).toBe('random');
  });

  it('parses the nic notation and rejects unknown kinds and bad MACs', () => {
    expect(parseVsNic(' 0016.3153.3268 , Bridge ')).toEqual({
      mac: parseMac('00-16-31-53-32-68'),
      kind: 'bridge',
    });
    expect(() => parseVsNic('00-16-31-53-32-68,wifi')).toThrow(/"loopback" or "bridge"/);
    expect(() => parseVsNic('00-16-31-53-32-6Z')).toThrow(expect.objectContaining({ code: 'INVALID_MAC' }));
  });

  it('stays inside the documented sets: 00-03-FF, octets 5-6 of the adapter in use', () => {
    fc.assert(
      fc.property(arbHost, fc.nat(10_000_000), (nics, n) => {
        const mac = virtualServerMac(nics, n, rnd);
        expect(ouiOf(mac)).toBe(0x0003ff);
        expect(virtualServerSets(nics).some((s) => setContains(s, mac))).toBe(true);
        const eligible = nics.filter((x) => x.kind === 'physical');
        const src = octets(eligible[Math.floor(n / 256) % eligible.length]!.mac);
        const o = octets(mac);
        expect([o[3] ^ (n % 256), o[4], o[5]]).toEqual([src[3], src[4], src[5]]);
      }),
    );
  });

  it('nth is periodic over 256 x eligible adapters and counters-of inverts it', () => {
    fc.assert(
      fc.property(arbHost, fc.nat(100_000), (nics, n) => {
        const cycle = 256 * nics.filter((x) => x.kind === 'physical').length;
        const mac = virtualServerMac(nics, n, rnd);
        expect(virtualServerMac(nics, n + cycle, rnd)).toBe(mac);
        expect(virtualServerCountersOf(nics, mac)).toContain(n % cycle);
        for (const c of virtualServerCountersOf(nics, mac)) expect(virtualServerMac(nics, c, rnd)).toBe(mac);
      }),
    );
  });

  it('hands out 256 x adapters distinct addresses before repeating itself, unless adapters share octets 5-6', () => {
    const two = [parseVsNic('00-16-31-53-32-68'), parseVsNic('00-1A-A0-07-99-01')];
    const all = virtualServerMacs(two, 0, 512, rnd);
    expect(new Set(all).size).toBe(512);
    const s = virtualServerScheme(two, rnd);
    expect(s.distinctBeforeRepeat).toBe(512);
    expect(schemeCollisionProbability(s, 512)).toBe(0);
    expect(schemeCollisionProbability(s, 513)).toBe(1);
    const clash = [parseVsNic('00-16-31-53-32-68'), parseVsNic('00-1A-A0-07-32-68')];
    expect(virtualServerScheme(clash, rnd).distinctBeforeRepeat).toBe(256);
    expect(virtualServerSets(clash)).toHaveLength(1);
  });

  it('rejects a negative or fractional counter', () => {
    expect(() => virtualServerMac([parseVsNic('00-16-31-53-32-68')], -1, rnd)).toThrow(/non-negative/);
    expect(() => virtualServerMac([parseVsNic('00-16-31-53-32-68')], 1.5, rnd)).toThrow(/non-negative/);
  });
});
