/**
 * VirtualBox (Host::i_generateMACAddress): 08:00:27 + the first three bytes of a freshly created GUID —
 * in a version-4 GUID those are random, so 24 random bits, not checked against other VMs or hosts.
 */
import { macFromNumber, prefixRange, VIRTUALBOX_OUI, type MacRange } from '../mac/index.js';
import { randomPrefixScheme, type Scheme } from './scheme.js';

export { VIRTUALBOX_OUI } from '../mac/index.js';
export const VIRTUALBOX_RANGE: MacRange = prefixRange(macFromNumber(VIRTUALBOX_OUI * 0x100_0000), 24);

export const virtualBoxScheme = (): Scheme =>
  randomPrefixScheme(
    'virtualbox',
    VIRTUALBOX_RANGE,
    'VirtualBox: 08:00:27 + 24 random bits (from a new GUID), not checked',
  );
