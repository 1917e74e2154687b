import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyMac, formatMac, isMulticast } from '../mac/index.js';
import { seededRandom } from '../random.js';
import { formatRangeCompact, setContains } from './address-set.js';
import { proxmoxRange, proxmoxScheme } from './proxmox-scheme.js';
import {
  libvirtScheme,
  qemuNextMac,
  qemuScheme,
  qemuSequentialMac,
  QEMU_SEQUENTIAL_COUNT,
} from './qemu-scheme.js';
import { randomMacOf, schemeCollisionProbability, schemeSize, type Scheme } from './scheme.js';
import { virtualBoxScheme } from './virtualbox-scheme.js';
import { xapiScheme, xapiVifMac, xenScheme } from './xen-scheme.js';

describe('QEMU sequential', () => {
  it('52:54:00:12:34:56, 57, ... then ff forever after 169 NICs', () => {
    expect([0, 1, 2].map((n) => formatMac(qemuSequentialMac(n)))).toEqual([
      '52:54:00:12:34:56',
      '52:54:00:12:34:57',
      '52:54:00:12:34:58',
    ]);
    expect(QEMU_SEQUENTIAL_COUNT).toBe(169);
    expect(formatMac(qemuSequentialMac(168))).toBe('52:54:00:12:34:fe');
    expect(formatMac(qemuSequentialMac(169))).toBe('52:54:00:12:34:ff');
    expect(formatMac(qemuSequentialMac(5000))).toBe('52:54:00:12:34:ff');
    expect(schemeCollisionProbability(qemuScheme(), 170)).toBe(0);
    expect(schemeCollisionProbability(qemuScheme(), 171)).toBe(1);
  });

  it('next MAC is the lowest free last octet, as after device_del', () => {
    expect(formatMac(qemuNextMac(new Set([0x56, 0x58])))).toBe('52:54:00:12:34:57');
    const full = new Set(Array.from({ length: 169 }, (_, i) => 0x56 + i));
    expect(formatMac(qemuNextMac(full))).toBe('52:54:00:12:34:ff');
  });
});

const RANDOM: [string, Scheme, string, number][] = [
  ['libvirt', libvirtScheme(), '52-54-00-00-00-00..FF-FF-FF', 24],
  ['xen', xenScheme(), '00-16-3E-00-00-00..7F-FF-FF', 23],
  ['virtualbox', virtualBoxScheme(), '08-00-27-00-00-00..FF-FF-FF', 24],
  ['proxmox', proxmoxScheme(), 'BC-24-11-00-00-00..FF-FF-FF', 24],
];

describe.each(RANDOM)('%s random scheme', (_name, scheme, range, bits) => {
  it(`covers ${range} with ${bits} random bits`, () => {
    expect(scheme.kind).toBe('random');
    expect(scheme.randomBits).toBe(bits);
    expect(schemeSize(scheme)).toBe(2 ** bits);
    expect(scheme.sets.map((s) => (s.kind === 'range' ? formatRangeCompact(s.range) : '')).join()).toBe(
      range,
    );
  });

  it('every drawn address stays inside the range and is a unicast address', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const mac = randomMacOf(scheme, seededRandom(seed));
        expect(setContains(scheme.sets[0]!, mac)).toBe(true);
        expect(isMulticast(mac)).toBe(false);
      }),
    );
  });
});

describe('Proxmox mac_prefix', () => {
  it('leaves every hex digit after the prefix random', () => {
    expect(formatRangeCompact(proxmoxRange('BC:24:1'))).toBe('BC-24-10-00-00-00..1F-FF-FF-FF');
    expect(proxmoxScheme('BC:24:1').randomBits).toBe(28);
    expect(proxmoxScheme('02:00:00:00').randomBits).toBe(16);
  });

  it('rejects malformed or multicast prefixes', () => {
    expect(() => proxmoxRange('BC-24-11')).toThrow(/colon-separated/);
    expect(() => proxmoxRange('01:00:5E')).toThrow(/multicast/);
  });
});

describe('Xen: libxl and XAPI are two schemes', () => {
  it('XAPI derives VIF MACs from mac_seed with MD5 (xapi_vif_helpers.ml gen_mac), locally administered', async () => {
    const { createHash } = await import('node:crypto');
    const md5 = (b: Buffer): Buffer => createHash('md5').update(b).digest();
    // The reference: OCaml's chain (dev*2) Digest.string seed, then bytes 0-3 and 1-2 of its MD5.
    const reference = (seed: string, dev: number): string => {
      let h = md5(Buffer.from(seed));
      for (let i = 0; i < dev * 2; i++) h = md5(h);
      const d2 = md5(h);
      const b = [h[0]!, h[1]!, h[2]!, h[3]!, d2[1]!, d2[2]!];
      b[0] = (b[0]! | 2) & 0xfe;
      return b.map((x) => x.toString(16).padStart(2, '0')).join(':');
    };
    const seed = '8b7c0b4e-2f1a-4b6e-9d3c-0a1b2c3d4e5f';
    for (const dev of [0, 1, 2, 7]) expect(formatMac(xapiVifMac(seed, dev))).toBe(reference(seed, dev));
    // A cloned mac_seed repeats every VIF MAC; another seed does not.
    expect(xapiVifMac(seed, 0)).toBe(xapiVifMac(seed, 0));
    expect(xapiVifMac(`${seed}x`, 0)).not.toBe(xapiVifMac(seed, 0));
    expect(classifyMac(xapiVifMac(seed, 0)).kind).not.toBe('xen');
    expect(Math.floor(xapiVifMac(seed, 0) / 2 ** 40) & 3).toBe(2);
  });

  it('libxl: 00:16:3e with 23 random bits; XAPI space: 46 locally administered bits', () => {
    expect(xenScheme().randomBits).toBe(23);
    expect(xapiScheme().randomBits).toBe(46);
    expect(xapiScheme().sets).toHaveLength(64);
  });
});
