/**
 * The common description of a hypervisor's dynamic MAC scheme: which addresses a host may hand out, how
 * (a counter, a pool with a cursor, a value derived from an identifier, or random bits), the n-th address
 * where that is deterministic, and the odds that a host's own adapters repeat.
 */
import { MacfleetError } from '../errors.js';
import { macFromNumber, type Mac, type MacRange } from '../mac/index.js';
import { randomInt, type Random } from '../random.js';
import { rangeSet, setBounds, setSize, type AddressSet } from './address-set.js';
import { collisionProbability } from './birthday.js';

export const SCHEME_KINDS = ['counter', 'pool', 'derived', 'random'] as const;
/**
 * - `counter`: the n-th allocation is a fixed function of n (Virtual Server, QEMU);
 * - `pool`: next free address of a range after a cursor (Hyper-V, vCenter range-based);
 * - `derived`: computed from an identifier (VMware host-generated: the BIOS UUID);
 * - `random`: uniformly random bits under a fixed prefix (libvirt, Xen, VirtualBox, Proxmox, vCenter OUI).
 */
export type SchemeKind = (typeof SCHEME_KINDS)[number];

export interface Scheme {
  /** Model name, e.g. `hyper-v`, `vmware-vcenter`. */
  readonly name: string;
  readonly kind: SchemeKind;
  /** One sentence: where the addresses come from. */
  readonly description: string;
  /** Every address this host (or manager) can hand out. */
  readonly sets: readonly AddressSet[];
  /** Number of random bits per address (0 for deterministic schemes). */
  readonly randomBits: number;
  /**
   * How many adapters the host can give distinct addresses before it repeats one itself (counter
   * schemes wrap; a pool refuses instead). Infinity when the host checks and refuses, undefined for random.
   */
  readonly distinctBeforeRepeat?: number;
  /** The n-th address (0-based) a fresh host hands out, for counter and pool schemes. */
  readonly nth?: (n: number) => Mac;
  /** Inverse of nth: the first allocation number at which a fresh host hands out `mac`, if ever. */
  readonly indexOf?: (mac: Mac) => number | undefined;
  /** The first allocation number whose address lies in `set` (a subset of this scheme's sets), if any. */
  readonly firstIndexIn?: (set: AddressSet) => number | undefined;
}

/**
 * firstIndexIn for schemes that hand out their addresses in ascending order (pools, QEMU): the lowest
 * member of the set comes first.
 */
export const ascendingFirstIndexIn =
  (indexOf: (mac: Mac) => number | undefined) =>
  (set: AddressSet): number | undefined =>
    indexOf(setBounds(set).start);

/** Total number of addresses a scheme may hand out. */
export const schemeSize = (s: Scheme): number => s.sets.reduce((sum, set) => sum + setSize(set), 0);

/**
 * P(at least two of `adapters` addresses handed out by this one host are equal). Random schemes: the
 * birthday bound over 2^randomBits. Deterministic ones: 0 until the host runs out of distinct addresses,
 * then 1 (counters wrap and repeat) — or 0 for pools that refuse instead of repeating.
 */
export function schemeCollisionProbability(s: Scheme, adapters: number): number {
  if (s.randomBits > 0 && s.distinctBeforeRepeat === undefined) {
    return collisionProbability(adapters, 2 ** s.randomBits);
  }
  const limit = s.distinctBeforeRepeat ?? Infinity;
  return adapters > limit ? 1 : 0;
}

/**
 * A scheme that puts `randomBits` uniformly random bits under a fixed prefix: the address space is
 * `range` (2^randomBits addresses) and each adapter draws independently, unchecked.
 */
export function randomPrefixScheme(name: string, range: MacRange, description: string): Scheme {
  const size = range.end - range.start + 1;
  return { name, kind: 'random', description, sets: [rangeSet(range)], randomBits: Math.log2(size) };
}

/** One random address of a random-prefix scheme (uniform over its range). */
export function randomMacOf(s: Scheme, random: Random): Mac {
  const set = s.sets[0];
  if (s.kind !== 'random' || set?.kind !== 'range') {
    throw new MacfleetError('INVALID_ARGUMENT', `${s.name} is not a random-prefix scheme`);
  }
  return macFromNumber(set.range.start + randomInt(random, set.range.end - set.range.start + 1));
}
