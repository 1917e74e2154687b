/**
 * The Mac value: a 48-bit address held as a non-negative integer (exact in a double), so it compares,
 * sorts and ranges as a number. Parsing accepts every common notation; formatting is canonical.
 */
import { MacfleetError, type SafeResult } from '../errors.js';

declare const macBrand: unique symbol;
/** A 48-bit MAC address as an integer in [0, 2^48). */
export type Mac = number & { readonly [macBrand]: true };

export const MAC_COUNT = 2 ** 48;
export const MAX_MAC = (MAC_COUNT - 1) as Mac;
const TWO24 = 2 ** 24;

export const MAC_NOTATIONS = ['colon', 'hyphen', 'cisco', 'bare'] as const;
export type MacNotation = (typeof MAC_NOTATIONS)[number];

/** Brand a number as a Mac after checking it is an integer in range. */
export function macFromNumber(n: number): Mac {
  if (!Number.isInteger(n) || n < 0 || n >= MAC_COUNT) {
    throw new MacfleetError('INVALID_MAC', `not a 48-bit MAC value: ${n}`);
  }
  return n as Mac;
}

/** Build a Mac from six octets (each 0..255). */
export function macFromOctets(o: readonly number[]): Mac {
  if (o.length !== 6 || o.some((b) => !Number.isInteger(b) || b < 0 || b > 255)) {
    throw new MacfleetError('INVALID_MAC', `a MAC needs six octets 0..255, got [${o.join(', ')}]`);
  }
  return (((o[0]! << 16) | (o[1]! << 8) | o[2]!) * TWO24 + ((o[3]! << 16) | (o[4]! << 8) | o[5]!)) as Mac;
}

/** The six octets, most significant first. */
export function octets(mac: Mac): [number, number, number, number, number, number] {
  const hi = Math.floor(mac / TWO24);
  const lo = mac % TWO24;
  return [(hi >>> 16) & 255, (hi >>> 8) & 255, hi & 255, (lo >>> 16) & 255, (lo >>> 8) & 255, lo & 255];
}

/** The 24-bit OUI (first three octets). */
export const ouiOf = (mac: Mac): number => Math.floor(mac / TWO24);
/** The low 24 bits (last three octets). */
export const nicOf = (mac: Mac): number => mac % TWO24;

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 32;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}

const describe = (ch: string): string => (ch === ' ' ? 'a space' : JSON.stringify(ch));

function fail(input: string, message: string, position?: number): never {
  throw new MacfleetError(
    'INVALID_MAC',
    `invalid MAC ${JSON.stringify(input)}: ${message}`,
    position === undefined ? {} : { location: { position } },
  );
}

/**
 * Parse a MAC in any common notation: `00-03-FF-12-34-56`, `00:03:ff:12:34:56`, `0003.ff12.3456`,
 * `0003FF123456`; either case; surrounding whitespace ignored. Throws INVALID_MAC saying what and where
 * (positions are 1-based in the input as given).
 *
 * @example parseMac('00-15-5D-05-14-00') === parseMac('0015.5d05.1400')
 */
export function parseMac(input: string): Mac {
  let start = 0;
  let end = input.length;
  while (start < end && isSpace(input.charCodeAt(start))) start++;
  while (end > start && isSpace(input.charCodeAt(end - 1))) end--;
  const len = end - start;
  if (len === 0) fail(input, 'empty; expected 12 hex digits such as 00:15:5d:05:14:00');

  let hi = 0;
  let lo = 0;
  let digits = 0;
  let sep = -1; // char code of the first separator seen
  // The first non-hex character decides the notation; the length must then match it.
  let firstOther = start;
  while (firstOther < end && hexValue(input.charCodeAt(firstOther)) >= 0) firstOther++;
  const marker = firstOther < end ? input.charCodeAt(firstOther) : -1;
  const notation: 'sep' | 'cisco' | 'bare' =
    marker === -1 ? 'bare' : marker === 58 || marker === 45 ? 'sep' : marker === 46 ? 'cisco' : 'bare';
  const expectedLength = notation === 'sep' ? 17 : notation === 'cisco' ? 14 : 12;
  if (marker !== -1 && notation === 'bare') {
    fail(
      input,
      `bad hex digit ${describe(input[firstOther]!)} at position ${firstOther + 1}`,
      firstOther + 1,
    );
  }
  if (len !== expectedLength) {
    let d = 0;
    for (let i = start; i < end; i++) if (hexValue(input.charCodeAt(i)) >= 0) d++;
    fail(
      input,
      `wrong length: ${len} characters with ${d} hex digits; expected 12 hex digits, as 00:03:ff:12:34:56, ` +
        `00-03-FF-12-34-56, 0003.ff12.3456 or 0003FF123456`,
    );
  }

  for (let i = start; i < end; i++) {
    const k = i - start; // 0-based index in the trimmed text
    const c = input.charCodeAt(i);
    const isSepSlot = notation === 'sep' ? k % 3 === 2 : notation === 'cisco' ? k === 4 || k === 9 : false;
    if (isSepSlot) {
      if (notation === 'cisco') {
        if (c !== 46) fail(input, `expected '.' at position ${i + 1}, found ${describe(input[i]!)}`, i + 1);
      } else if (c === 58 || c === 45) {
        if (sep === -1) sep = c;
        else if (c !== sep)
          fail(
            input,
            `mixed separators: ${JSON.stringify(String.fromCharCode(sep))} and ${JSON.stringify(input[i]!)} (position ${i + 1})`,
            i + 1,
          );
      } else {
        fail(input, `expected ':' or '-' at position ${i + 1}, found ${describe(input[i]!)}`, i + 1);
      }
      continue;
    }
    const v = hexValue(c);
    if (v < 0) fail(input, `bad hex digit ${describe(input[i]!)} at position ${i + 1}`, i + 1);
    if (digits < 6) hi = hi * 16 + v;
    else lo = lo * 16 + v;
    digits++;
  }
  return (hi * TWO24 + lo) as Mac;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12 || c === 0xa0 || c === 0xfeff;
}

/** parseMac without throwing. */
export function safeParseMac(input: string): SafeResult<Mac> {
  try {
    return { success: true, data: parseMac(input) };
  } catch (e) {
    if (e instanceof MacfleetError) return { success: false, error: e };
    throw e;
  }
}

const HEX_LOWER = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const HEX_UPPER = HEX_LOWER.map((h) => h.toUpperCase());

/**
 * Format a MAC. `colon` (default, canonical: 00:15:5d:05:14:00), `hyphen` (Windows: 00-15-5D-05-14-00),
 * `cisco` (0015.5d05.1400), `bare` (00155D051400, as Hyper-V and .vmc files write it).
 */
export function formatMac(mac: Mac, notation: MacNotation = 'colon'): string {
  const hi = Math.floor(mac / TWO24);
  const lo = mac % TWO24;
  const a = hi >>> 16;
  const b = (hi >>> 8) & 255;
  const c = hi & 255;
  const d = lo >>> 16;
  const e = (lo >>> 8) & 255;
  const f = lo & 255;
  switch (notation) {
    case 'colon':
      return `${HEX_LOWER[a]}:${HEX_LOWER[b]}:${HEX_LOWER[c]}:${HEX_LOWER[d]}:${HEX_LOWER[e]}:${HEX_LOWER[f]}`;
    case 'hyphen':
      return `${HEX_UPPER[a]}-${HEX_UPPER[b]}-${HEX_UPPER[c]}-${HEX_UPPER[d]}-${HEX_UPPER[e]}-${HEX_UPPER[f]}`;
    case 'cisco':
      return `${HEX_LOWER[a]}${HEX_LOWER[b]}.${HEX_LOWER[c]}${HEX_LOWER[d]}.${HEX_LOWER[e]}${HEX_LOWER[f]}`;
    case 'bare':
      return `${HEX_UPPER[a]}${HEX_UPPER[b]}${HEX_UPPER[c]}${HEX_UPPER[d]}${HEX_UPPER[e]}${HEX_UPPER[f]}`;
  }
}

/** Canonical colon-lower text of a MAC given in any notation. */
export const canonicalMac = (input: string): string => formatMac(parseMac(input));

/** I/G bit: group (multicast or broadcast) address. */
export const isMulticast = (mac: Mac): boolean => ((ouiOf(mac) >>> 16) & 1) === 1;
/** U/L bit: locally administered. */
export const isLocal = (mac: Mac): boolean => ((ouiOf(mac) >>> 16) & 2) === 2;
export const isBroadcast = (mac: Mac): boolean => mac === MAX_MAC;
export const isZero = (mac: Mac): boolean => mac === 0;
/** A MAC a NIC may carry: individual (not multicast/broadcast) and not all zeros. */
export const isAssignableUnicast = (mac: Mac): boolean => !isMulticast(mac) && !isZero(mac);

export interface MacFlags {
  readonly multicast: boolean;
  readonly local: boolean;
  readonly broadcast: boolean;
  readonly zero: boolean;
}

export function macFlags(mac: Mac): MacFlags {
  return { multicast: isMulticast(mac), local: isLocal(mac), broadcast: isBroadcast(mac), zero: isZero(mac) };
}

/** The MAC `n` addresses after `mac` (n may be negative); throws if it leaves the 48-bit space. */
export function addToMac(mac: Mac, n: number): Mac {
  return macFromNumber(mac + n);
}
