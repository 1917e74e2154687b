/**
 * Proxmox VE (PVE::Tools::random_ether_addr): a SHA-1 of pid, rand(), and the time, formatted as a MAC
 * with the multicast bit cleared and the locally administered bit set, whose first characters are then
 * replaced by the datacenter `mac_prefix` when one is set. Every hex digit not covered by the prefix is
 * random: BC:24:11 leaves 24 random bits; a longer prefix leaves fewer. Nothing checks the result
 * against other VMs or clusters.
 *
 * The default prefix: pve-cluster commit f40a6d9 (2023-10-29, "fix #4764: datacenter config: default
 * MAC prefix to official Proxmox OUI"), released in pve-cluster 8.0.5 (2023-11-17), i.e. Proxmox VE 8.1,
 * makes BC:24:11 the default when datacenter.cfg has no `mac_prefix`. Before that, no prefix: a random
 * locally administered address (46 random bits: x2/x6/xA/xE in the first octet).
 */
import { MacfleetError } from '../errors.js';
import { formatMac, macFromNumber, prefixRange, PROXMOX_OUI, type Mac, type MacRange } from '../mac/index.js';
import { randomInt, type Random } from '../random.js';
import { versionAtLeast } from './lifecycle-profiles.js';
import { randomPrefixScheme, type Scheme } from './scheme.js';

/** `BC:24:11`: PROXMOX_OUI as Proxmox writes a `mac_prefix`. */
export const PROXMOX_DEFAULT_PREFIX = formatMac(macFromNumber(PROXMOX_OUI * 0x100_0000), 'hyphen')
  .slice(0, 8)
  .replace(/-/g, ':');
/** The first Proxmox VE release whose datacenter.cfg defaults `mac_prefix` to BC:24:11. */
export const PROXMOX_OUI_DEFAULT_SINCE = '8.1';

/**
 * The prefix a Proxmox VE host uses: the cluster's `mac_prefix` when set; otherwise BC:24:11 from 8.1 on
 * (and when the version is not known: today's default), none before 8.1.
 */
export function proxmoxEffectivePrefix(macPrefix: string | null, version: string | null): string | null {
  if (macPrefix !== null) return macPrefix;
  if (version === null) return PROXMOX_DEFAULT_PREFIX;
  return versionAtLeast(version, PROXMOX_OUI_DEFAULT_SINCE) === false ? null : PROXMOX_DEFAULT_PREFIX;
}

/** A MAC as random_ether_addr makes it without a prefix: 48 random bits, multicast cleared, local set. */
export function proxmoxUnprefixedMac(random: Random): Mac {
  const first = (randomInt(random, 256) & 0xfe) | 0x02;
  return macFromNumber(first * 2 ** 40 + randomInt(random, 2 ** 20) * 2 ** 20 + randomInt(random, 2 ** 20));
}

/**
 * The range a `mac_prefix` leaves random: `BC:24:11` → bc:24:11:00:00:00-bc:24:11:ff:ff:ff. The prefix
 * is hex digit pairs separated by colons (a trailing single digit is allowed: `BC:24:1`).
 */
export function proxmoxRange(prefix: string = PROXMOX_DEFAULT_PREFIX): MacRange {
  const text = prefix.trim();
  if (!/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){0,4}(:[0-9a-fA-F])?$/.test(text)) {
    throw new MacfleetError(
      'INVALID_ARGUMENT',
      `invalid Proxmox mac_prefix ${JSON.stringify(prefix)}: expected colon-separated hex octets such as BC:24:11`,
      { location: { field: 'prefix' } },
    );
  }
  const hex = text.replace(/:/g, '');
  const value = parseInt(hex, 16) * 16 ** (12 - hex.length);
  if (Math.floor(value / 2 ** 40) & 1) {
    throw new MacfleetError('INVALID_ARGUMENT', `Proxmox mac_prefix ${text} has the multicast bit set`, {
      location: { field: 'prefix' },
    });
  }
  return prefixRange(macFromNumber(value), hex.length * 4);
}

export const proxmoxScheme = (prefix: string = PROXMOX_DEFAULT_PREFIX): Scheme => {
  const range = proxmoxRange(prefix);
  const bits = Math.log2(range.end - range.start + 1);
  return randomPrefixScheme(
    'proxmox',
    range,
    `Proxmox VE: mac_prefix ${prefix.toUpperCase()} + ${bits} random bits, not checked`,
  );
};
