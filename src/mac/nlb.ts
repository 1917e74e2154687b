/**
 * Microsoft Network Load Balancing addresses, all derived from the cluster VIP W.X.Y.Z:
 * unicast cluster MAC 02-BF-W-X-Y-Z, multicast 03-BF-W-X-Y-Z, IGMP multicast 01-00-5E-7F-Y-Z (group
 * 239.255.Y.Z), and the masked source MAC 02-<host priority>-W-X-Y-Z used when MaskSourceMAC is on.
 */
import { MacfleetError } from '../errors.js';
import { formatIpv4, ipv4Octets, parseIpv4, type Ipv4 } from './ipv4.js';
import { formatMac, macFromNumber, type Mac } from './mac.js';
import {
  IPV4_MULTICAST_OUI,
  NLB_MASKED_RANGE,
  NLB_MAX_PRIORITY,
  NLB_MULTICAST_RANGE,
  NLB_UNICAST_RANGE,
} from './prefixes.js';

export const NLB_MODES = ['unicast', 'multicast', 'igmp'] as const;
export type NlbMode = (typeof NLB_MODES)[number];

export interface NlbAddresses {
  readonly vip: Ipv4;
  readonly unicast: Mac;
  readonly multicast: Mac;
  readonly igmp: Mac;
  /** The IGMP group the nodes join: 239.255.Y.Z. */
  readonly igmpGroup: Ipv4;
}

/** Every cluster address of a VIP. @example nlbAddresses(parseIpv4('192.168.0.10')).unicast → 02:bf:c0:a8:00:0a */
export function nlbAddresses(vip: Ipv4): NlbAddresses {
  const [, , y, z] = ipv4Octets(vip);
  return {
    vip,
    unicast: macFromNumber(NLB_UNICAST_RANGE.start + vip),
    multicast: macFromNumber(NLB_MULTICAST_RANGE.start + vip),
    igmp: macFromNumber(IPV4_MULTICAST_OUI * 0x100_0000 + 0x7f_0000 + (vip & 0xffff)),
    igmpGroup: ((239 << 24) | (255 << 16) | (y << 8) | z) >>> 0,
  };
}

/** The cluster MAC a node of the given mode answers ARP for the VIP with. */
export function nlbClusterMac(vip: Ipv4, mode: NlbMode): Mac {
  const a = nlbAddresses(vip);
  return mode === 'unicast' ? a.unicast : mode === 'multicast' ? a.multicast : a.igmp;
}

/** The source MAC a node with host priority 1..32 sends with when MaskSourceMAC is on: 02-<priority>-W-X-Y-Z. */
export function nlbMaskedSourceMac(vip: Ipv4, priority: number): Mac {
  if (!Number.isInteger(priority) || priority < 1 || priority > NLB_MAX_PRIORITY) {
    throw new MacfleetError('INVALID_ARGUMENT', `NLB host priority must be 1..32, got ${priority}`, {
      location: { field: 'priority' },
    });
  }
  // 02-01-W-X-Y-Z is the first masked MAC; each priority step is one more second octet.
  return macFromNumber(NLB_MASKED_RANGE.start + (priority - 1) * 2 ** 32 + vip);
}

export const parseVip = (text: string): Ipv4 => parseIpv4(text, 'VIP');

/** The JSON form of a VIP's NLB addresses, shared by `nlb --json` and the HTTP API. */
export function nlbJson(vip: Ipv4) {
  const a = nlbAddresses(vip);
  const maskedSource: Record<string, string> = {};
  for (let p = 1; p <= NLB_MAX_PRIORITY; p++) maskedSource[String(p)] = formatMac(nlbMaskedSourceMac(vip, p));
  return {
    vip: formatIpv4(vip),
    unicast: formatMac(a.unicast),
    multicast: formatMac(a.multicast),
    igmp: formatMac(a.igmp),
    igmpGroup: formatIpv4(a.igmpGroup),
    maskedSource,
  };
}
