/**
 * What a pool is: a name, inclusive MAC ranges, exclusions, a quarantine period, and whether it is the
 * default. Validation happens here, before anything is stored: ranges compare as 48-bit integers, no
 * range may hold a multicast (group) address or the all-zeros MAC, and pools do not overlap unless forced.
 */
import { inField, MacfleetError } from '../errors.js';
import {
  classifyMac,
  formatMac,
  formatMacRange,
  isMulticast,
  macFromNumber,
  NLB_MASKED_RANGE,
  NLB_UNICAST_RANGE,
  parseMacRange,
  prefixRange,
  type Mac,
  type MacRange,
} from '../mac/index.js';
import type { Random } from '../random.js';
import { intersectSpans, normalizeSpans, spansSize, subtractSpans, type Span } from './spans.js';

export const DEFAULT_QUARANTINE_MS = 24 * 60 * 60 * 1000;

/** Ranges that other software claims inside locally administered space: excluded from every pool by default. */
export const DEFAULT_EXCLUSIONS: readonly { readonly range: MacRange; readonly reason: string }[] = [
  { range: NLB_UNICAST_RANGE, reason: 'NLB unicast cluster MACs 02-BF-xx-xx-xx-xx' },
  {
    range: NLB_MASKED_RANGE,
    reason: 'NLB masked source MACs 02-01..02-20-xx-xx-xx-xx (host priorities 1..32)',
  },
];

export interface PoolSpec {
  readonly name: string;
  /** Normal (sorted, merged) ranges. */
  readonly ranges: readonly MacRange[];
  /** Normal exclusions, clipped to the ranges. */
  readonly exclusions: readonly MacRange[];
  readonly quarantineMs: number;
  readonly isDefault: boolean;
}

export interface PoolSpecInput {
  readonly name: string;
  /** Text ranges (`start-end`, `start..end`, `prefix/len`) or parsed ones. */
  readonly ranges: readonly (string | MacRange)[];
  readonly exclusions?: readonly (string | MacRange)[];
  /** Add DEFAULT_EXCLUSIONS (default true). */
  readonly defaultExclusions?: boolean;
  readonly quarantineMs?: number;
  readonly isDefault?: boolean;
}

const POOL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function checkPoolName(name: string): string {
  if (!POOL_NAME.test(name)) {
    throw new MacfleetError(
      'INVALID_ARGUMENT',
      `invalid pool name ${JSON.stringify(name)}: expected 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit`,
      { location: { field: 'name' } },
    );
  }
  return name;
}

const asMacRanges = (spans: readonly Span[]): MacRange[] =>
  spans.map((s) => ({ start: s.start as Mac, end: s.end as Mac }));

function parseRangeField(value: string | MacRange, field: string): MacRange {
  if (typeof value !== 'string') return value;
  return inField(field, () => parseMacRange(value));
}

/** Why a range cannot be handed out from, or undefined when it can. */
export function rangeProblem(r: MacRange): string | undefined {
  const firstOctet = (m: number): number => Math.floor(m / 2 ** 40);
  if (isMulticast(r.start) || firstOctet(r.start) !== firstOctet(r.end)) {
    const m = isMulticast(r.start) ? r.start : macFromNumber((firstOctet(r.start) + 1) * 2 ** 40);
    return `range ${formatMacRange(r)} holds multicast (group) addresses such as ${formatMac(m)}: the first octet must be even throughout`;
  }
  if (r.start === 0) return `range ${formatMacRange(r)} holds 00:00:00:00:00:00, which no adapter may carry`;
  return undefined;
}

/** Validate and normalize a pool definition. */
/** The longest quarantine a pool may have: 100 years (ms). */
export const MAX_QUARANTINE_MS = 100 * 365 * 86_400_000;

export function validatePoolSpec(input: PoolSpecInput): PoolSpec {
  const name = checkPoolName(input.name);
  if (input.ranges.length === 0) {
    throw new MacfleetError(
      'INVALID_RANGE',
      `pool ${name}: at least one range is needed (--range <start>-<end> or <prefix>/<len>)`,
      {
        location: { field: 'range' },
      },
    );
  }
  const ranges = input.ranges.map((r, i) => parseRangeField(r, `range ${i + 1}`));
  for (const [i, r] of ranges.entries()) {
    const problem = rangeProblem(r);
    if (problem !== undefined)
      throw new MacfleetError('INVALID_RANGE', `pool ${name}: ${problem}`, {
        location: { field: `range ${i + 1}` },
      });
  }
  const quarantineMs = input.quarantineMs ?? DEFAULT_QUARANTINE_MS;
  // A quarantine longer than a century is a typo, and its end would not be a date anyone can show.
  if (!Number.isSafeInteger(quarantineMs) || quarantineMs < 0 || quarantineMs > MAX_QUARANTINE_MS) {
    throw new MacfleetError(
      'INVALID_ARGUMENT',
      `pool ${name}: quarantine must be a whole number of milliseconds from 0 to 100 years, got ${quarantineMs}`,
      {
        location: { field: 'quarantine' },
      },
    );
  }
  const userExclusions = (input.exclusions ?? []).map((r, i) => parseRangeField(r, `exclusion ${i + 1}`));
  const defaults = input.defaultExclusions === false ? [] : DEFAULT_EXCLUSIONS.map((d) => d.range);
  const normalRanges = normalizeSpans(ranges);
  const exclusions = intersectSpans(normalizeSpans([...userExclusions, ...defaults]), normalRanges);
  const spec: PoolSpec = {
    name,
    ranges: asMacRanges(normalRanges),
    exclusions: asMacRanges(exclusions),
    quarantineMs,
    isDefault: input.isDefault ?? false,
  };
  if (poolSize(spec) === 0) {
    throw new MacfleetError(
      'INVALID_RANGE',
      `pool ${name}: the exclusions cover every address of its ranges; nothing could be handed out`,
    );
  }
  return spec;
}

/** The addresses a pool can hand out: its ranges minus its exclusions (normal spans). */
export const poolSpans = (spec: Pick<PoolSpec, 'ranges' | 'exclusions'>): Span[] =>
  subtractSpans(spec.ranges, spec.exclusions);

/** How many addresses a pool can hand out. */
export const poolSize = (spec: Pick<PoolSpec, 'ranges' | 'exclusions'>): number => spansSize(poolSpans(spec));

/** Whether a pool may hand out `mac` (inside a range, outside every exclusion). */
export function poolCovers(spec: Pick<PoolSpec, 'ranges' | 'exclusions'>, mac: number): boolean {
  return (
    spec.ranges.some((r) => mac >= r.start && mac <= r.end) &&
    !spec.exclusions.some((r) => mac >= r.start && mac <= r.end)
  );
}

/** The ranges of `spec` that overlap ranges of other pools: [] means the pool may be created. */
export function overlapsWithPools(
  spec: Pick<PoolSpec, 'name' | 'ranges'>,
  others: readonly Pick<PoolSpec, 'name' | 'ranges'>[],
): { readonly pool: string; readonly range: MacRange; readonly overlap: MacRange }[] {
  const out: { pool: string; range: MacRange; overlap: MacRange }[] = [];
  for (const other of others) {
    if (other.name === spec.name) continue;
    for (const r of spec.ranges) {
      for (const o of intersectSpans([r], normalizeSpans(other.ranges))) {
        out.push({ pool: other.name, range: r, overlap: { start: o.start as Mac, end: o.end as Mac } });
      }
    }
  }
  return out;
}

// Locally administered prefixes in common use, never picked at random by `init`.
const KNOWN_LOCAL_PREFIXES: readonly MacRange[] = [
  parseMacRange('02:00:4c:00:00:00/24'), // Microsoft Loopback Adapter
  parseMacRange('02:42:00:00:00:00/16'), // Docker bridge networks
  parseMacRange('0a:00:27:00:00:00/24'), // VirtualBox host-only adapters
  ...DEFAULT_EXCLUSIONS.map((d) => d.range),
];

/**
 * A random block of `2^(48-bits)` locally administered unicast addresses, like vCenter's per-instance id:
 * two independent installations almost never pick the same block. Skips blocks that other software uses.
 * @example randomLocalPrefix(seededRandom(1)) → { start: 9a:3c:11:00:00:00, end: 9a:3c:11:ff:ff:ff }
 */
export function randomLocalPrefix(random: Random, bits = 24): MacRange {
  if (!Number.isInteger(bits) || bits < 8 || bits > 46) {
    throw new MacfleetError('INVALID_ARGUMENT', `prefix length must be 8..46 bits, got ${bits}`, {
      location: { field: 'prefix' },
    });
  }
  for (let attempt = 0; attempt < 1000; attempt++) {
    const hi = random.nextUint32() % 2 ** 16;
    const lo = random.nextUint32();
    const value = ((hi & 0xfcff) | 0x0200) * 2 ** 32 + lo; // first octet: local bit set, multicast bit clear
    const size = 2 ** (48 - bits);
    const range = prefixRange(macFromNumber(Math.floor(value / size) * size), bits);
    const clash = KNOWN_LOCAL_PREFIXES.some((k) => range.start <= k.end && k.start <= range.end);
    if (!clash && classifyMac(range.start).kind === 'unknown' && classifyMac(range.end).kind === 'unknown')
      return range;
  }
  throw new MacfleetError(
    'INTERNAL',
    'could not draw a free locally administered prefix (is the random source broken?)',
  );
}
