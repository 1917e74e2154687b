/**
 * QEMU and libvirt.
 *
 * QEMU itself (net/net.c, qemu_macaddr_default_if_unset): a NIC given no MAC gets 52:54:00:12:34:XX with
 * XX the lowest free value of 0x56..0xFE in a per-process table — 52:54:00:12:34:56, then 57, ... Every
 * QEMU process starts again at 56, so two VMs started by hand without a MAC on one segment collide at
 * once. After 169 NICs the search fails and returns -1, which lands in the last octet as 0xFF: every
 * further NIC gets 52:54:00:12:34:ff.
 *
 * libvirt (virMacAddrGenerate): 52:54:00 + three random bytes (24 bits), unchecked across hosts.
 */
import { MacfleetError } from '../errors.js';
import { macFromNumber, prefixRange, QEMU_OUI, type Mac, type MacRange } from '../mac/index.js';
import { rangeSet } from './address-set.js';
import { ascendingFirstIndexIn, randomPrefixScheme, type Scheme } from './scheme.js';

export { QEMU_OUI } from '../mac/index.js';
const QEMU_BASE = QEMU_OUI * 0x100_0000 + 0x12_3400; // 52:54:00:12:34:00
export const QEMU_FIRST_OCTET = 0x56;
/** Distinct addresses one QEMU process hands out: 0x56..0xFE. */
export const QEMU_SEQUENTIAL_COUNT = 0xff - QEMU_FIRST_OCTET;

/** 52:54:00:12:34:56..52:54:00:12:34:ff: everything the sequential scheme can produce. */
export const QEMU_SEQUENTIAL_RANGE: MacRange = {
  start: macFromNumber(QEMU_BASE + QEMU_FIRST_OCTET),
  end: macFromNumber(QEMU_BASE + 0xff),
};

/** The MAC QEMU gives the n-th NIC (0-based) created without one in a fresh process. */
export function qemuSequentialMac(n: number): Mac {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new MacfleetError('INVALID_ARGUMENT', `NIC number must be a non-negative integer, got ${n}`);
  }
  return macFromNumber(QEMU_BASE + (n < QEMU_SEQUENTIAL_COUNT ? QEMU_FIRST_OCTET + n : 0xff));
}

/**
 * The MAC QEMU gives the next NIC when the NICs alive in the process hold the last octets `used` (NICs
 * deleted with device_del free theirs): the lowest free 0x56..0xFE, else 0xFF.
 */
export function qemuNextMac(used: ReadonlySet<number>): Mac {
  for (let x = QEMU_FIRST_OCTET; x < 0xff; x++) if (!used.has(x)) return macFromNumber(QEMU_BASE + x);
  return macFromNumber(QEMU_BASE + 0xff);
}

/** The first NIC number that gets `mac` (0xff: the 170th, and every one after). */
export const qemuIndexOf = (mac: Mac): number | undefined =>
  mac >= QEMU_SEQUENTIAL_RANGE.start && mac <= QEMU_SEQUENTIAL_RANGE.end
    ? mac - QEMU_SEQUENTIAL_RANGE.start
    : undefined;

export function qemuScheme(): Scheme {
  return {
    name: 'qemu',
    kind: 'counter',
    description:
      '52:54:00:12:34:56, 57, ... per QEMU process (lowest free of 0x56..0xFE), then 52:54:00:12:34:ff forever',
    sets: [rangeSet(QEMU_SEQUENTIAL_RANGE)],
    randomBits: 0,
    distinctBeforeRepeat: QEMU_SEQUENTIAL_COUNT + 1,
    nth: qemuSequentialMac,
    indexOf: qemuIndexOf,
    firstIndexIn: ascendingFirstIndexIn(qemuIndexOf),
  };
}

export const LIBVIRT_RANGE: MacRange = prefixRange(macFromNumber(QEMU_OUI * 0x100_0000), 24);

export const libvirtScheme = (): Scheme =>
  randomPrefixScheme(
    'libvirt',
    LIBVIRT_RANGE,
    'libvirt: 52:54:00 + 24 random bits per adapter, not checked across hosts',
  );
