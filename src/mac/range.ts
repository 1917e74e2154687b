/**
 * Inclusive MAC ranges, compared as 48-bit integers (never octet by octet). Text forms:
 * `start-end` (either MAC in any notation, including hyphenated), `start..end`, and `prefix/len`.
 */
import { MacfleetError } from '../errors.js';
import {
  formatMac,
  MAC_COUNT,
  macFromNumber,
  parseMac,
  safeParseMac,
  type Mac,
  type MacNotation,
} from './mac.js';

export interface MacRange {
  readonly start: Mac;
  readonly end: Mac;
}

/** A checked range: start <= end. */
export function macRange(start: Mac, end: Mac): MacRange {
  if (start > end) {
    throw new MacfleetError(
      'INVALID_RANGE',
      `range start ${formatMac(start)} is above its end ${formatMac(end)}`,
    );
  }
  return { start, end };
}

export const rangeSize = (r: MacRange): number => r.end - r.start + 1;
export const rangeContains = (r: MacRange, mac: Mac): boolean => mac >= r.start && mac <= r.end;

/** The overlap of two ranges, or undefined. */
export function rangeIntersection(a: MacRange, b: MacRange): MacRange | undefined {
  const start = Math.max(a.start, b.start);
  const end = Math.min(a.end, b.end);
  return start <= end ? { start: start as Mac, end: end as Mac } : undefined;
}

/** The range covered by a prefix: `02:00:00:00:00:00/24` → 02:00:00:00:00:00 .. 02:00:00:ff:ff:ff. */
export function prefixRange(base: Mac, bits: number): MacRange {
  if (!Number.isInteger(bits) || bits < 0 || bits > 48) {
    throw new MacfleetError('INVALID_RANGE', `prefix length must be 0..48, got ${bits}`);
  }
  const size = 2 ** (48 - bits);
  const start = Math.floor(base / size) * size;
  if (start !== base) {
    throw new MacfleetError(
      'INVALID_RANGE',
      `${formatMac(base)}/${bits} has bits set beyond the prefix; did you mean ${formatMac(start as Mac)}/${bits}?`,
    );
  }
  return { start: base, end: macFromNumber(start + size - 1) };
}

/**
 * Parse `start-end`, `start..end` or `prefix/len`. Hyphenated MACs are fine: the separating hyphen is
 * the one that splits the text into two valid MACs.
 */
export function parseMacRange(input: string): MacRange {
  const text = input.trim();
  const slash = text.indexOf('/');
  if (slash >= 0) {
    const bits = text.slice(slash + 1).trim();
    if (!/^\d{1,2}$/.test(bits)) {
      throw new MacfleetError(
        'INVALID_RANGE',
        `invalid range ${JSON.stringify(input)}: prefix length ${JSON.stringify(bits)} is not 0..48`,
      );
    }
    return prefixRange(parseMac(text.slice(0, slash)), Number(bits));
  }
  const dots = text.indexOf('..');
  if (dots >= 0) return macRange(parseMac(text.slice(0, dots)), parseMac(text.slice(dots + 2)));
  for (let i = text.indexOf('-'); i >= 0; i = text.indexOf('-', i + 1)) {
    const a = safeParseMac(text.slice(0, i));
    const b = safeParseMac(text.slice(i + 1));
    if (a.success && b.success) return macRange(a.data, b.data);
  }
  throw new MacfleetError(
    'INVALID_RANGE',
    `invalid range ${JSON.stringify(input)}: expected <start>-<end> (e.g. 02:00:00:00:00:00-02:00:00:00:ff:ff) or <prefix>/<len>`,
  );
}

export function formatMacRange(r: MacRange, notation: MacNotation = 'colon'): string {
  return `${formatMac(r.start, notation)}-${formatMac(r.end, notation)}`;
}

/** The whole 48-bit space. */
export const FULL_RANGE: MacRange = { start: 0 as Mac, end: (MAC_COUNT - 1) as Mac };
