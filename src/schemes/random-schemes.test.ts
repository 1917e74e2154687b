import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMac, isMulticast } from '../mac/index.js';
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
import { xenScheme } from './xen-scheme.js';

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
