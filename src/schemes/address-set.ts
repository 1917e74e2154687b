/**
 * The address sets a hypervisor scheme draws from. Most are contiguous ranges; Virtual Server's are not:
 * a host NIC ending in yy-zz yields 00-03-FF-xx-yy-zz for every xx, 256 addresses 2^16 apart. Both shapes
 * intersect exactly (no enumeration), so collision reports name precisely what two hosts share.
 */
import { formatMac, macFromNumber, rangeIntersection, type Mac, type MacRange } from '../mac/index.js';

const TWO16 = 0x1_0000;
const TWO24 = 0x100_0000;

export type AddressSet =
  | { readonly kind: 'range'; readonly range: MacRange }
  /** oui-XX-low16 for XX in from..to (both inclusive, 0..255): Virtual Server's per-NIC set. */
  | {
      readonly kind: 'octet4';
      readonly oui: number;
      readonly low16: number;
      readonly from: number;
      readonly to: number;
    };

export const rangeSet = (range: MacRange): AddressSet => ({ kind: 'range', range });

/** The 256 addresses oui-00-yy-zz .. oui-FF-yy-zz. */
export const octet4Set = (oui: number, low16: number): AddressSet => ({
  kind: 'octet4',
  oui,
  low16,
  from: 0,
  to: 255,
});

/** The address of an octet4 set with 4th octet `x`. */
export const octet4Mac = (oui: number, x: number, low16: number): Mac =>
  macFromNumber(oui * TWO24 + x * TWO16 + low16);

export function setSize(s: AddressSet): number {
  return s.kind === 'range' ? s.range.end - s.range.start + 1 : s.to - s.from + 1;
}

/** Lowest and highest address of a set. */
export function setBounds(s: AddressSet): MacRange {
  return s.kind === 'range'
    ? s.range
    : { start: octet4Mac(s.oui, s.from, s.low16), end: octet4Mac(s.oui, s.to, s.low16) };
}

export function setContains(s: AddressSet, mac: Mac): boolean {
  if (s.kind === 'range') return mac >= s.range.start && mac <= s.range.end;
  const x = Math.floor((mac % TWO24) / TWO16);
  return Math.floor(mac / TWO24) === s.oui && mac % TWO16 === s.low16 && x >= s.from && x <= s.to;
}

/** Restrict an octet4 set to the members inside a range (they form one run of 4th-octet values). */
function octet4WithinRange(s: Extract<AddressSet, { kind: 'octet4' }>, r: MacRange): AddressSet | undefined {
  const base = s.oui * TWO24 + s.low16;
  // Smallest x with base + x*2^16 >= r.start, largest with <= r.end.
  const lo = Math.max(s.from, Math.ceil((r.start - base) / TWO16));
  const hi = Math.min(s.to, Math.floor((r.end - base) / TWO16));
  return lo <= hi ? { ...s, from: lo, to: hi } : undefined;
}

/** The exact intersection of two sets, or undefined when they are disjoint. */
export function intersectSets(a: AddressSet, b: AddressSet): AddressSet | undefined {
  if (a.kind === 'range' && b.kind === 'range') {
    const r = rangeIntersection(a.range, b.range);
    return r && rangeSet(r);
  }
  if (a.kind === 'octet4' && b.kind === 'octet4') {
    if (a.oui !== b.oui || a.low16 !== b.low16) return undefined;
    const from = Math.max(a.from, b.from);
    const to = Math.min(a.to, b.to);
    return from <= to ? { ...a, from, to } : undefined;
  }
  if (a.kind === 'octet4') return b.kind === 'range' ? octet4WithinRange(a, b.range) : undefined;
  return b.kind === 'octet4' ? octet4WithinRange(b, a.range) : undefined;
}

/** Every pairwise intersection of two lists of sets. */
export function intersectSetLists(a: readonly AddressSet[], b: readonly AddressSet[]): AddressSet[] {
  const out: AddressSet[] = [];
  for (const x of a) {
    for (const y of b) {
      const i = intersectSets(x, y);
      if (i) out.push(i);
    }
  }
  return out;
}

const HEX = (n: number): string => n.toString(16).toUpperCase().padStart(2, '0');

/**
 * Windows-style text of a set, compact where the ends share leading octets:
 * `00-15-5D-05-14-00..FF`, `02-00-00-00-00-00..02-00-00-FF-FF-FF` stays whole when octet 3 differs,
 * `00-03-FF-xx-32-68 (xx = 00..FF)` for an octet4 set.
 */
export function formatSet(s: AddressSet): string {
  if (s.kind === 'octet4') {
    const tail = `${HEX(s.low16 >> 8)}-${HEX(s.low16 & 255)}`;
    const oui = formatMac(octet4Mac(s.oui, 0, 0), 'hyphen').slice(0, 8);
    if (s.from === s.to) return `${oui}-${HEX(s.from)}-${tail}`;
    return `${oui}-xx-${tail} (xx = ${HEX(s.from)}..${HEX(s.to)})`;
  }
  return formatRangeCompact(s.range);
}

/** `00-15-5D-05-14-00..FF`: the end written from the first octet where it differs from the start. */
export function formatRangeCompact(r: MacRange): string {
  const a = formatMac(r.start, 'hyphen');
  if (r.start === r.end) return a;
  const b = formatMac(r.end, 'hyphen');
  let i = 0;
  while (i < 17 && a.slice(i, i + 3) === b.slice(i, i + 3)) i += 3;
  return `${a}..${b.slice(i)}`;
}

/** JSON form: canonical colon-lower ends, size, and for octet4 sets the 4th-octet interval. */
export function setToJson(s: AddressSet): Record<string, unknown> {
  const { start, end } = setBounds(s);
  const base = { text: formatSet(s), first: formatMac(start), last: formatMac(end), count: setSize(s) };
  return s.kind === 'range'
    ? { kind: 'range', ...base }
    : { kind: 'octet4', ...base, octet4: [s.from, s.to] };
}
