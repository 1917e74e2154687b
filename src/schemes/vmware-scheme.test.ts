import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMac, ouiOf, parseMacRange } from '../mac/index.js';
import { formatRangeCompact } from './address-set.js';
import {
  parseBiosUuid,
  vcenterOuiRange,
  vcenterOuiScheme,
  vcenterPrefixRange,
  vcenterRangesScheme,
  VMWARE_STATIC_RANGE,
  vmwareDefaultOffset,
  vmwareGeneratedMac,
} from './vmware-scheme.js';

describe('VMware schemes', () => {
  it('host-generated: 00:0c:29 + last three BIOS UUID bytes + offset, as real .vmx files show', () => {
    // uuid.bios and ethernetN.generatedAddress pairs from published .vmx files.
    const a = parseBiosUuid('56 4d b1 a3 c5 e2 0d 11-6e 51 ef b5 d7 59 7e 49');
    expect(formatMac(vmwareGeneratedMac(a, 0))).toBe('00:0c:29:59:7e:49');
    expect(formatMac(vmwareGeneratedMac(a, 10))).toBe('00:0c:29:59:7e:53');
    const b = parseBiosUuid('56 4d 89 e6 b3 6d 8f 4b-ec 83 0e e1 92 7c bf 81');
    expect([0, 1, 2].map((i) => formatMac(vmwareGeneratedMac(b, vmwareDefaultOffset(i))))).toEqual([
      '00:0c:29:7c:bf:81',
      '00:0c:29:7c:bf:8b',
      '00:0c:29:7c:bf:95',
    ]);
    const c = parseBiosUuid('564da39c-a617-38ff-0058-ff302615ff78');
    expect(formatMac(vmwareGeneratedMac(c, 10))).toBe('00:0c:29:15:ff:82');
  });

  it('host-generated addresses always stay in 00:0c:29', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.nat(10_000), (uuid, offset) => {
        expect(ouiOf(vmwareGeneratedMac(uuid, offset))).toBe(0x000c29);
      }),
    );
  });

  it('rejects malformed UUIDs with what was wrong', () => {
    expect(() => parseBiosUuid('56 4d b1')).toThrow(/6 hex digits, expected 32/);
    expect(() => parseBiosUuid('56 4d b1 a3 c5 e2 0d 11-6e 51 ef b5 d7 59 7e 4g')).toThrow(
      /"g" is not a hex digit/,
    );
  });

  it('vCenter OUI allocation: 00:50:56:(80+id):00:00..ff:ff, 16 random bits, ids 0..63', () => {
    expect(formatRangeCompact(vcenterOuiRange(0))).toBe('00-50-56-80-00-00..FF-FF');
    expect(formatRangeCompact(vcenterOuiRange(63))).toBe('00-50-56-BF-00-00..FF-FF');
    expect(vcenterOuiScheme(12).randomBits).toBe(16);
    expect(() => vcenterOuiRange(64)).toThrow(/0..63/);
  });

  it('vCenter prefix-based: 005026/23 covers 00:50:26 and 00:50:27 (the documented example)', () => {
    const r = vcenterPrefixRange('005026', 23);
    expect(formatMac(r.start)).toBe('00:50:26:00:00:00');
    expect(formatMac(r.end)).toBe('00:50:27:ff:ff:ff');
    expect(() => vcenterPrefixRange('005027', 23)).toThrow(/bits set beyond the prefix/);
    expect(() => vcenterPrefixRange('0050zz', 23)).toThrow(/hex digits/);
  });

  // The order vCenter walks a range in is undocumented: the model says which addresses, not which first.
  it('vCenter range-based: the ranges, as a self-checked draw with no assumed order', () => {
    const s = vcenterRangesScheme(
      [parseMacRange('02:50:68:00:00:00-02:50:68:00:00:01'), vcenterPrefixRange('025069', 24)],
      'range',
    );
    expect(s.kind).toBe('random');
    expect(s.nth).toBeUndefined();
    expect(s.sets).toHaveLength(2);
    expect(2 ** s.randomBits).toBeCloseTo(2 + 2 ** 24, 3);
    expect(s.distinctBeforeRepeat).toBe(Infinity);
  });

  it('static range is 00-50-56-00-00-00..3F-FF-FF', () => {
    expect(formatRangeCompact(VMWARE_STATIC_RANGE)).toBe('00-50-56-00-00-00..3F-FF-FF');
  });
});
