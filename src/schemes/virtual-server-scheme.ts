/**
 * Microsoft Virtual Server 2005 (R2) / Virtual PC dynamic MACs, as KB 888030 and the Virtual Server 2005
 * R2 Resource Kit (chapter 11) describe them:
 *
 * - octets 1-3: the Microsoft virtual machine OUI 00-03-FF;
 * - octet 4: the host adapter's 4th octet XOR a monotonically increasing counter kept by the Virtual
 *   Machine Network Services driver (the counter's low byte: 256 allocations per adapter);
 * - octets 5-6: the host adapter's 5th and 6th octets.
 *
 * The first 256 addresses come from the first eligible host adapter, the next 256 from the second, and
 * after the last adapter the first is used again. Microsoft Loopback and bridge adapters are not
 * eligible (they carry the same MAC on every computer). With no eligible adapter the last three octets
 * are chosen by a crypto random number generator: that case takes an injected `Random`.
 *
 * @example virtualServerMac([physicalNic('00-16-31-53-32-68')], 1, rnd) → 00:03:ff:52:32:68
 */
import { inField, MacfleetError } from '../errors.js';
import {
  formatMac,
  macFromNumber,
  nicOf,
  octets,
  parseMac,
  prefixRange,
  VIRTUAL_SERVER_OUI,
  type Mac,
} from '../mac/index.js';
import { randomInt, type Random } from '../random.js';
import { octet4Mac, octet4Set, rangeSet, type AddressSet } from './address-set.js';
import type { Scheme } from './scheme.js';

export { VIRTUAL_SERVER_OUI } from '../mac/index.js';
/** Addresses one eligible adapter yields before the next adapter takes over. */
export const VIRTUAL_SERVER_PER_ADAPTER = 256;

export const VS_NIC_KINDS = ['physical', 'loopback', 'bridge'] as const;
export type VsNicKind = (typeof VS_NIC_KINDS)[number];

/** A host network adapter, in the host's adapter order. */
export interface VsNic {
  readonly mac: Mac;
  readonly kind: VsNicKind;
}

export const physicalNic = (mac: string | Mac): VsNic => ({
  mac: typeof mac === 'string' ? parseMac(mac) : mac,
  kind: 'physical',
});

/**
 * Parse `<mac>`, `<mac>,loopback` or `<mac>,bridge` (the `--nic` and hosts-file notation).
 * @example parseVsNic('00-16-31-53-32-68,bridge') → { mac, kind: 'bridge' }
 */
export function parseVsNic(text: string, field = 'nic'): VsNic {
  const comma = text.indexOf(',');
  const macText = comma < 0 ? text : text.slice(0, comma);
  const kindText =
    comma < 0
      ? 'physical'
      : text
          .slice(comma + 1)
          .trim()
          .toLowerCase();
  if (kindText !== 'physical' && kindText !== 'loopback' && kindText !== 'bridge') {
    throw new MacfleetError(
      'INVALID_ARGUMENT',
      `invalid ${field} ${JSON.stringify(text)}: after the comma expected "loopback" or "bridge", got ${JSON.stringify(kindText)}`,
      { location: { field } },
    );
  }
  return inField(field, () => ({ mac: parseMac(macText), kind: kindText }));
}

export const formatVsNic = (nic: VsNic): string =>
  nic.kind === 'physical' ? formatMac(nic.mac, 'hyphen') : `${formatMac(nic.mac, 'hyphen')},${nic.kind}`;

/** The adapters Virtual Server draws from, in host order: loopback and bridge adapters are skipped. */
export const eligibleNics = (nics: readonly VsNic[]): Mac[] =>
  nics.filter((n) => n.kind === 'physical').map((n) => n.mac);

/**
 * The address Virtual Server hands out for allocation number `counter` (0 = the first a fresh host hands
 * out). Pure: the host persists the counter and calls this with it. `random` is used only when no
 * adapter is eligible (then each call draws fresh random bits, as the product does).
 */
export function virtualServerMac(nics: readonly VsNic[], counter: number, random: Random): Mac {
  if (!Number.isSafeInteger(counter) || counter < 0) {
    throw new MacfleetError(
      'INVALID_ARGUMENT',
      `Virtual Server counter must be a non-negative integer, got ${counter}`,
      {
        location: { field: 'counter' },
      },
    );
  }
  const eligible = eligibleNics(nics);
  if (eligible.length === 0) {
    return macFromNumber(VIRTUAL_SERVER_OUI * 0x100_0000 + randomInt(random, 0x100_0000));
  }
  const adapter = eligible[Math.floor(counter / VIRTUAL_SERVER_PER_ADAPTER) % eligible.length]!;
  const [, , , d, e, f] = octets(adapter);
  return octet4Mac(VIRTUAL_SERVER_OUI, d ^ (counter % VIRTUAL_SERVER_PER_ADAPTER), (e << 8) | f);
}

/** `count` addresses in allocation order from allocation number `start`. */
export function virtualServerMacs(
  nics: readonly VsNic[],
  start: number,
  count: number,
  random: Random,
): Mac[] {
  const out: Mac[] = [];
  for (let i = 0; i < count; i++) out.push(virtualServerMac(nics, start + i, random));
  return out;
}

/**
 * The allocation counters (mod one full cycle of 256 x eligible adapters) at which the host hands out
 * `mac`, or [] if it never does. Inverse of virtualServerMac for deterministic hosts.
 */
export function virtualServerCountersOf(nics: readonly VsNic[], mac: Mac): number[] {
  const [a, b, c, d, e, f] = octets(mac);
  if (((a << 16) | (b << 8) | c) !== VIRTUAL_SERVER_OUI) return [];
  const out: number[] = [];
  eligibleNics(nics).forEach((nic, i) => {
    const o = octets(nic);
    if (o[4] === e && o[5] === f) out.push(i * VIRTUAL_SERVER_PER_ADAPTER + (o[3] ^ d));
  });
  return out;
}

/**
 * Every address the host can hand out: per eligible adapter ending in yy-zz, the 256 addresses
 * 00-03-FF-xx-yy-zz (the XOR runs the 4th octet through all 256 values). Adapters sharing octets 5-6
 * yield the same set, listed once. No eligible adapter: the whole 00-03-FF-00-00-00..FF-FF-FF.
 */
export function virtualServerSets(nics: readonly VsNic[]): AddressSet[] {
  const eligible = eligibleNics(nics);
  if (eligible.length === 0)
    return [rangeSet(prefixRange(macFromNumber(VIRTUAL_SERVER_OUI * 0x100_0000), 24))];
  const seen = new Set<number>();
  const sets: AddressSet[] = [];
  for (const mac of eligible) {
    const low16 = nicOf(mac) & 0xffff;
    if (seen.has(low16)) continue;
    seen.add(low16);
    sets.push(octet4Set(VIRTUAL_SERVER_OUI, low16));
  }
  return sets;
}

/** The scheme description of a Virtual Server host with these adapters. */
export function virtualServerScheme(nics: readonly VsNic[], random: Random): Scheme {
  const eligible = eligibleNics(nics);
  if (eligible.length === 0) {
    return {
      name: 'virtual-server',
      kind: 'random',
      description:
        'Virtual Server host without an eligible physical adapter: 00-03-FF plus 24 crypto-random bits per address',
      sets: virtualServerSets(nics),
      randomBits: 24,
    };
  }
  return {
    name: 'virtual-server',
    kind: 'counter',
    description:
      `00-03-FF-(adapter octet 4 XOR counter)-(adapter octets 5-6), 256 per adapter over ${eligible.length} ` +
      `eligible adapter(s), then the first adapter again`,
    sets: virtualServerSets(nics),
    randomBits: 0,
    // Adapters sharing octets 5-6 produce the same 256 addresses: the host repeats itself sooner.
    distinctBeforeRepeat: VIRTUAL_SERVER_PER_ADAPTER * firstRepeatAdapter(eligible),
    nth: (n) => virtualServerMac(nics, n, random),
    indexOf: (mac) => {
      const counters = virtualServerCountersOf(nics, mac);
      return counters.length === 0 ? undefined : Math.min(...counters);
    },
    firstIndexIn: (set) => virtualServerFirstIndexIn(eligible, set),
  };
}

/**
 * The first allocation number whose address lies in `set`: the first eligible adapter ending in the
 * set's octets 5-6, at the smallest counter c with (adapter octet 4 XOR c) inside the set.
 */
function virtualServerFirstIndexIn(eligible: readonly Mac[], set: AddressSet): number | undefined {
  if (set.kind !== 'octet4' || set.oui !== VIRTUAL_SERVER_OUI) return undefined;
  for (let i = 0; i < eligible.length; i++) {
    const [, , , d, e, f] = octets(eligible[i]!);
    if (((e << 8) | f) !== set.low16) continue;
    for (let c = 0; c < VIRTUAL_SERVER_PER_ADAPTER; c++) {
      const x = d ^ c;
      if (x >= set.from && x <= set.to) return i * VIRTUAL_SERVER_PER_ADAPTER + c;
    }
  }
  return undefined;
}

/** Index of the first adapter whose octets 5-6 repeat an earlier adapter's. */
function firstRepeatAdapter(eligible: readonly Mac[]): number {
  const seen = new Set<number>();
  for (let i = 0; i < eligible.length; i++) {
    const low16 = nicOf(eligible[i]!) & 0xffff;
    if (seen.has(low16)) return i;
    seen.add(low16);
  }
  return eligible.length;
}
