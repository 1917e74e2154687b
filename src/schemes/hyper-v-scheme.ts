/**
 * Hyper-V dynamic MACs. Each host has one pool, stored as MinimumMacAddress/MaximumMacAddress (registry
 * HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Virtualization, shown by Get-VMHost and changed with
 * `Set-VMHost -MacAddressMinimum -MacAddressMaximum` or Virtual Switch Manager > MAC Address Range).
 * At install time the pool is 00-15-5D-XX-YY-00..00-15-5D-XX-YY-FF, XX-YY being the last two octets of the
 * host's IPv4 address (10.1.5.20 → 00-15-5D-05-14-00..FF): 256 addresses, and every host whose address
 * ends in the same two octets — or that was cloned from the same image — gets the same pool.
 *
 * Allocation is next-available: from a cursor just past the last address handed out up to the maximum,
 * then wrapping to the minimum; addresses in use are skipped and released ones become available again.
 * The functions below are pure: the host persists the cursor and the in-use set.
 */
import { MacfleetError } from '../errors.js';
import {
  formatMac,
  HYPER_V_OUI,
  ipv4Octets,
  isMulticast,
  macFromNumber,
  macRange,
  type Ipv4,
  type Mac,
  type MacRange,
} from '../mac/index.js';
import { rangeSet } from './address-set.js';
import { ascendingFirstIndexIn, type Scheme } from './scheme.js';

export { HYPER_V_OUI } from '../mac/index.js';

/** The pool a fresh Hyper-V host derives from its IPv4 address. @example 10.1.5.20 → 00:15:5d:05:14:00-00:15:5d:05:14:ff */
export function hyperVPoolFromIpv4(ip: Ipv4): MacRange {
  const [, , c, d] = ipv4Octets(ip);
  const start = macFromNumber(HYPER_V_OUI * 0x100_0000 + c * 0x1_0000 + d * 0x100);
  return { start, end: macFromNumber(start + 0xff) };
}

/**
 * An explicit pool as Set-VMHost accepts it: minimum <= maximum, both individual (not multicast) MACs.
 * Hyper-V does not require the 00-15-5D OUI, so neither does this.
 */
export function hyperVPool(min: Mac, max: Mac): MacRange {
  for (const [name, mac] of [
    ['MacAddressMinimum', min],
    ['MacAddressMaximum', max],
  ] as const) {
    if (isMulticast(mac)) {
      throw new MacfleetError(
        'INVALID_RANGE',
        `${name} ${formatMac(mac, 'hyphen')} is a multicast address; a NIC cannot use it`,
        {
          location: { field: name },
        },
      );
    }
  }
  if (min > max) {
    throw new MacfleetError(
      'INVALID_RANGE',
      `MacAddressMinimum ${formatMac(min, 'hyphen')} is above MacAddressMaximum ${formatMac(max, 'hyphen')}`,
      { location: { field: 'MacAddressMinimum' } },
    );
  }
  return macRange(min, max);
}

/** Anything that can answer "is this MAC in use?" (a Set<Mac> works). */
export interface InUse {
  has(mac: Mac): boolean;
}

/**
 * The next address Hyper-V hands out from `pool`: the first free one after `cursor` (the last address
 * handed out), wrapping to the pool's start; from the start when there is no cursor or it lies outside
 * the pool. Returns undefined when every address is in use (Hyper-V then fails to start the VM).
 *
 * @example hyperVNextFree(pool, undefined, new Set()) === pool.start
 */
export function hyperVNextFree(pool: MacRange, cursor: Mac | undefined, inUse: InUse): Mac | undefined {
  const size = pool.end - pool.start + 1;
  const first = cursor === undefined || cursor < pool.start || cursor >= pool.end ? pool.start : cursor + 1;
  let mac = first;
  for (let i = 0; i < size; i++) {
    if (!inUse.has(mac as Mac)) return mac as Mac;
    mac = mac === pool.end ? pool.start : mac + 1;
  }
  return undefined;
}

/**
 * `count` consecutive allocations (each advances the cursor and is then in use), as a host creating
 * `count` adapters would get them. Stops early when the pool is exhausted.
 */
export function hyperVAllocate(pool: MacRange, cursor: Mac | undefined, inUse: InUse, count: number): Mac[] {
  const taken = new Set<Mac>();
  const view: InUse = { has: (m) => taken.has(m) || inUse.has(m) };
  const out: Mac[] = [];
  let c = cursor;
  for (let i = 0; i < count; i++) {
    const m = hyperVNextFree(pool, c, view);
    if (m === undefined) break;
    taken.add(m);
    out.push(m);
    c = m;
  }
  return out;
}

/** The scheme description of a Hyper-V host with this pool. */
export function hyperVScheme(pool: MacRange): Scheme {
  const size = pool.end - pool.start + 1;
  const indexOf = (mac: Mac): number | undefined =>
    mac >= pool.start && mac <= pool.end ? mac - pool.start : undefined;
  return {
    name: 'hyper-v',
    kind: 'pool',
    description: `next available address of ${formatMac(pool.start, 'hyphen')}..${formatMac(pool.end, 'hyphen')} (${size} addresses), wrapping to the start`,
    sets: [rangeSet(pool)],
    randomBits: 0,
    distinctBeforeRepeat: Infinity,
    nth: (n) => {
      if (!Number.isSafeInteger(n) || n < 0 || n >= size) {
        throw new MacfleetError(
          'POOL_EXHAUSTED',
          `a pool of ${size} addresses has no allocation number ${n}`,
        );
      }
      return macFromNumber(pool.start + n);
    },
    indexOf,
    firstIndexIn: ascendingFirstIndexIn(indexOf),
  };
}
