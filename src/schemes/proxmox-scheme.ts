/**
 * Proxmox VE (PVE::Tools::random_ether_addr): a SHA-1 of pid, rand(), and the time, formatted as a MAC,
 * whose first characters are then replaced by the datacenter `mac_prefix` (default BC:24:11, Proxmox's
 * own OUI). Every hex digit not covered by the prefix is random: BC:24:11 leaves 24 random bits; a
 * longer prefix leaves fewer. Nothing checks the result against other VMs or clusters.
 */
import { MacfleetError } from '../errors.js';
import { formatMac, macFromNumber, prefixRange, PROXMOX_OUI, type MacRange } from '../mac/index.js';
import { randomPrefixScheme, type Scheme } from './scheme.js';

/** `BC:24:11`: PROXMOX_OUI as Proxmox writes a `mac_prefix`. */
export const PROXMOX_DEFAULT_PREFIX = formatMac(macFromNumber(PROXMOX_OUI * 0x100_0000), 'hyphen')
  .slice(0, 8)
  .replace(/-/g, ':');

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
