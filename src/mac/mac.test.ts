import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MacfleetError } from '../errors.js';
import {
  addToMac,
  canonicalMac,
  formatMac,
  isBroadcast,
  isLocal,
  isMulticast,
  isZero,
  MAC_COUNT,
  MAC_NOTATIONS,
  macFlags,
  macFromNumber,
  macFromOctets,
  octets,
  parseMac,
  safeParseMac,
  type Mac,
} from './mac.js';

const arbMac = fc.integer({ min: 0, max: MAC_COUNT - 1 }).map((n) => n as Mac);

function invalid(input: string): MacfleetError {
  try {
    parseMac(input);
  } catch (e) {
    expect(e).toBeInstanceOf(MacfleetError);
    return e as MacfleetError;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
}

describe('parseMac', () => {
  it('reads every notation of the same address', () => {
    const expected = macFromOctets([0x00, 0x03, 0xff, 0x12, 0x34, 0x56]);
    for (const text of [
      '00-03-FF-12-34-56',
      '00:03:ff:12:34:56',
      '00:03:FF:12:34:56',
      '0003.ff12.3456',
      '0003.FF12.3456',
      '0003FF123456',
      '0003ff123456',
      '  00-03-ff-12-34-56\t\n',
    ]) {
      expect(parseMac(text), text).toBe(expected);
    }
  });

  it('keeps all 48 bits exactly', () => {
    expect(parseMac('ff:ff:ff:ff:ff:ff')).toBe(MAC_COUNT - 1);
    expect(parseMac('00:00:00:00:00:01')).toBe(1);
    expect(parseMac('80:00:00:00:00:00')).toBe(2 ** 47);
  });

  it('names the bad digit and its position', () => {
    const e = invalid('00:03:fg:12:34:56');
    expect(e.code).toBe('INVALID_MAC');
    expect(e.message).toContain('bad hex digit "g" at position 8');
    expect(e.location.position).toBe(8);
  });

  it('counts positions in the input as given, leading spaces included', () => {
    expect(invalid('  0003FF12345z').location.position).toBe(14);
  });

  it('rejects mixed separators', () => {
    const e = invalid('00:03-ff:12:34:56');
    expect(e.message).toContain('mixed separators');
    expect(e.location.position).toBe(6);
  });

  it('rejects wrong lengths with the digit count', () => {
    expect(invalid('00:03:ff:12:34').message).toMatch(/wrong length: 14 characters with 10 hex digits/);
    expect(invalid('0003.ff12.345').message).toMatch(/wrong length/);
    expect(invalid('0003FF12345').message).toContain('11 hex digits');
    expect(invalid('').message).toContain('empty');
    expect(invalid('   ').message).toContain('empty');
  });

  it('rejects a separator in the wrong place and misplaced Cisco dots', () => {
    expect(invalid('000:03:ff:12:3456').message).toMatch(/expected ':' or '-' at position 3/);
    expect(invalid('00:03:ff:12:34:5/').message).toMatch(/bad hex digit "\/" at position 17/);
    expect(invalid('0003.ff12:3456').message).toMatch(/expected '\.' at position 10/);
    expect(invalid('00.03.ff.12.34.56').message).toMatch(/wrong length: 17 characters/);
  });

  it('safeParseMac returns a result instead of throwing', () => {
    expect(safeParseMac('00:15:5d:00:00:01')).toEqual({ success: true, data: parseMac('00155d000001') });
    const r = safeParseMac('nope');
    expect(r.success).toBe(false);
  });

  it('parse(format(x)) == x for every notation', () => {
    fc.assert(
      fc.property(arbMac, fc.constantFrom(...MAC_NOTATIONS), (mac, notation) => {
        expect(parseMac(formatMac(mac, notation))).toBe(mac);
      }),
      { numRuns: 2000 },
    );
  });

  it('parses the lower- and upper-case forms alike', () => {
    fc.assert(
      fc.property(arbMac, fc.constantFrom(...MAC_NOTATIONS), (mac, notation) => {
        const text = formatMac(mac, notation);
        expect(parseMac(text.toLowerCase())).toBe(mac);
        expect(parseMac(text.toUpperCase())).toBe(mac);
      }),
    );
  });

  it('rejects any string with a non-hex character in a digit slot, naming its position', () => {
    fc.assert(
      fc.property(
        arbMac,
        fc.constantFrom(...MAC_NOTATIONS),
        fc.nat(),
        fc.constantFrom(...'gGxz!# _+/é'),
        (mac, notation, at, bad) => {
          const text = formatMac(mac, notation);
          const digitSlots = [...text].flatMap((ch, i) => (/[0-9a-fA-F]/.test(ch) ? [i] : []));
          const slot = digitSlots[at % digitSlots.length]!;
          const broken = text.slice(0, slot) + bad + text.slice(slot + 1);
          const r = safeParseMac(broken);
          expect(r.success).toBe(false);
          if (!r.success && bad !== ' ') expect(r.error.location.position).toBe(slot + 1);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('never accepts arbitrary text unless it is exactly a MAC notation', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), (text) => {
        const r = safeParseMac(text);
        if (r.success) {
          const t = text.trim();
          expect(
            /^[0-9a-f]{2}([:-])[0-9a-f]{2}(\1[0-9a-f]{2}){4}$/i.test(t) ||
              /^[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}$/i.test(t) ||
              /^[0-9a-f]{12}$/i.test(t),
          ).toBe(true);
        } else {
          expect(r.error.code).toBe('INVALID_MAC');
        }
      }),
      { numRuns: 5000 },
    );
  });
});

describe('formatMac', () => {
  const mac = parseMac('00:03:ff:12:ab:56');
  it('formats each notation', () => {
    expect(formatMac(mac)).toBe('00:03:ff:12:ab:56');
    expect(formatMac(mac, 'hyphen')).toBe('00-03-FF-12-AB-56');
    expect(formatMac(mac, 'cisco')).toBe('0003.ff12.ab56');
    expect(formatMac(mac, 'bare')).toBe('0003FF12AB56');
    expect(canonicalMac('0003.FF12.AB56')).toBe('00:03:ff:12:ab:56');
  });
});

describe('octets and flags', () => {
  it('round-trips octets', () => {
    fc.assert(
      fc.property(arbMac, (mac) => {
        expect(macFromOctets(octets(mac))).toBe(mac);
      }),
    );
  });

  it('reads the I/G and U/L bits of the first octet', () => {
    expect(isMulticast(parseMac('01:00:5e:7f:00:0a'))).toBe(true);
    expect(isMulticast(parseMac('03:bf:c0:a8:00:0a'))).toBe(true);
    expect(isLocal(parseMac('03:bf:c0:a8:00:0a'))).toBe(true);
    expect(isLocal(parseMac('02:bf:c0:a8:00:0a'))).toBe(true);
    expect(isMulticast(parseMac('02:bf:c0:a8:00:0a'))).toBe(false);
    expect(isLocal(parseMac('00:15:5d:00:00:00'))).toBe(false);
    expect(macFlags(parseMac('ff:ff:ff:ff:ff:ff'))).toEqual({
      multicast: true,
      local: true,
      broadcast: true,
      zero: false,
    });
    expect(isZero(parseMac('00:00:00:00:00:00'))).toBe(true);
    expect(isBroadcast(parseMac('ff:ff:ff:ff:ff:fe'))).toBe(false);
  });

  it('checks numeric construction', () => {
    expect(() => macFromNumber(-1)).toThrow(MacfleetError);
    expect(() => macFromNumber(MAC_COUNT)).toThrow(/not a 48-bit MAC/);
    expect(() => macFromNumber(1.5)).toThrow(MacfleetError);
    expect(() => macFromOctets([1, 2, 3])).toThrow(/six octets/);
    expect(() => macFromOctets([1, 2, 3, 4, 5, 256])).toThrow(/six octets/);
    expect(formatMac(addToMac(parseMac('00:15:5d:05:14:ff'), 1))).toBe('00:15:5d:05:15:00');
    expect(() => addToMac(parseMac('ff:ff:ff:ff:ff:ff'), 1)).toThrow(MacfleetError);
  });
});
