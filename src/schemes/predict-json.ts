/**
 * `macfleet predict ... --json` as data: the one place the prediction documents are built, for the
 * CLI (`predict <scheme> --json`) and the API (`POST /api/v1/predict`).
 */
import { formatMac, parseMacRange, type Mac, type MacRange } from '../mac/index.js';
import type { Random } from '../random.js';
import { adaptersForProbability } from './birthday.js';
import { setBounds } from './address-set.js';
import { qemuSequentialMac } from './qemu-scheme.js';
import { schemeCollisionProbability, schemeSize, type Scheme } from './scheme.js';
import { virtualServerMac, type VsNic } from './virtual-server-scheme.js';
import {
  parseBiosUuid,
  vcenterOuiScheme,
  vcenterPrefixRange,
  vcenterRangesScheme,
  vmwareDefaultOffset,
  vmwareGeneratedMac,
  vmwareStaticScheme,
} from './vmware-scheme.js';

/** Virtual Server: the MACs of allocations `start`, `start + 1`, ... (colon-lower). */
export const virtualServerPrediction = (
  nics: readonly VsNic[],
  count: number,
  start: number,
  random: Random,
): { n: number; mac: Mac }[] =>
  Array.from({ length: count }, (_, i) => ({ n: start + i, mac: virtualServerMac(nics, start + i, random) }));

/** QEMU without a MAC: the NICs `start`, `start + 1`, ... of one process. */
export const qemuPrediction = (count: number, start: number): Mac[] =>
  Array.from({ length: count }, (_, i) => qemuSequentialMac(start + i));

/** A single range (Hyper-V's pool): `{first, last, count}`. */
export const rangeJson = (r: MacRange) => ({
  first: formatMac(r.start),
  last: formatMac(r.end),
  count: r.end - r.start + 1,
});

/** A random-prefix scheme: its range, random bits and the birthday odds for `adapters` adapters. */
export function randomSchemeJson(scheme: Scheme, adapters: number) {
  const { start, end } = setBounds(scheme.sets[0]!);
  const count = end - start + 1;
  return {
    scheme: scheme.name,
    first: formatMac(start),
    last: formatMac(end),
    count,
    randomBits: scheme.randomBits,
    adapters,
    collisionProbability: schemeCollisionProbability(scheme, adapters),
    adaptersFor50Percent: count >= 2 ? adaptersForProbability(0.5, 2 ** scheme.randomBits) : 1,
  };
}

/** What `predict vmware` is asked: exactly one of a BIOS UUID or a vCenter / static scheme. */
export type VmwarePredictInput =
  | { readonly uuid: string; readonly offset?: number | undefined; readonly count: number }
  | { readonly instanceId: number }
  | { readonly prefix: string; readonly prefixLength: number }
  | { readonly ranges: readonly string[] }
  | { readonly static: true };

/** The vCenter or static scheme of a `predict vmware` request (not the UUID form). */
export function vmwareScheme(input: Exclude<VmwarePredictInput, { uuid: string }>): Scheme {
  if ('instanceId' in input) return vcenterOuiScheme(input.instanceId);
  if ('static' in input) return vmwareStaticScheme();
  if ('ranges' in input)
    return vcenterRangesScheme(
      input.ranges.map((r) => parseMacRange(r)),
      'range',
    );
  return vcenterRangesScheme([vcenterPrefixRange(input.prefix, input.prefixLength)], 'prefix');
}

/** `predict vmware --uuid ... --json`: host-generated MACs of one adapter (`offset`) or `count` of them. */
export function vmwareGeneratedJson(input: Extract<VmwarePredictInput, { uuid: string }>) {
  const uuid = parseBiosUuid(input.uuid);
  const rows =
    input.offset !== undefined
      ? [{ adapter: null, offset: input.offset }]
      : Array.from({ length: input.count }, (_, i) => ({ adapter: i, offset: vmwareDefaultOffset(i) }));
  return {
    scheme: 'vmware-generated',
    uuid: input.uuid,
    addresses: rows.map((r) => ({ ...r, mac: formatMac(vmwareGeneratedMac(uuid, r.offset)) })),
  };
}

/** `predict vmware --json`. */
export function vmwarePredictionJson(input: VmwarePredictInput) {
  return 'uuid' in input ? vmwareGeneratedJson(input) : vmwareSchemeJson(input);
}

/** `predict vmware --json` for a vCenter or static scheme. */
export function vmwareSchemeJson(input: Exclude<VmwarePredictInput, { uuid: string }>) {
  const scheme = vmwareScheme(input);
  const ranges = scheme.sets.map(setBounds);
  return {
    scheme: scheme.name,
    first: formatMac(ranges[0]!.start),
    last: formatMac(ranges[ranges.length - 1]!.end),
    count: schemeSize(scheme),
    randomBits: scheme.randomBits,
    ranges: ranges.map(rangeJson),
  };
}
