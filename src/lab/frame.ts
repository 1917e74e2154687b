/**
 * Ethernet frames as the lab sees them: the header the switch forwards on (dst, src, VLAN, ethertype) and
 * just enough payload to model NLB, ARP, DHCP, IGMP, router advertisements and flooding. MACs and IPv4
 * addresses are integers so the switch's hot path never parses or allocates.
 */
import { formatIpv4, formatMac, IPV4_MULTICAST_OUI, MAX_MAC, type Ipv4, type Mac } from '../mac/index.js';

export const ETHERTYPE = {
  ipv4: 0x0800,
  arp: 0x0806,
  rarp: 0x8035,
  ipv6: 0x86dd,
  /** NLB heartbeats (Microsoft's registered ethertype). */
  nlbHeartbeat: 0x886f,
} as const;

export const BROADCAST_MAC = MAX_MAC;

export const DHCP_MESSAGE_TYPES = [
  'discover',
  'offer',
  'request',
  'ack',
  'nak',
  'release',
  'inform',
  'decline',
] as const;
export type DhcpMessageType = (typeof DHCP_MESSAGE_TYPES)[number];
/** Messages only a DHCP server sends: what Hyper-V DHCP guard drops when a VM sends them. */
export const DHCP_SERVER_MESSAGES: ReadonlySet<DhcpMessageType> = new Set(['offer', 'ack', 'nak']);

export const TCP_FLAGS = ['syn', 'syn-ack', 'ack', 'rst'] as const;
export type TcpFlags = (typeof TCP_FLAGS)[number];

/** ICMPv4 types the lab knows by name (router guard drops 5 and 9). */
export const ICMP = { echoReply: 0, redirect: 5, echoRequest: 8, routerAdvertisement: 9 } as const;
/** ICMPv6 types router guard drops. */
export const ICMPV6 = { routerAdvertisement: 134, redirect: 137 } as const;

export type L4 =
  | { readonly kind: 'icmp'; readonly type: number; readonly id: number }
  | { readonly kind: 'tcp'; readonly srcPort: number; readonly dstPort: number; readonly flags: TcpFlags }
  | {
      readonly kind: 'udp';
      readonly srcPort: number;
      readonly dstPort: number;
      readonly dhcp?: DhcpMessageType;
    }
  | { readonly kind: 'igmp'; readonly type: 'report' | 'leave'; readonly group: Ipv4 };

export type Payload =
  | {
      readonly kind: 'arp';
      readonly op: 'request' | 'reply';
      readonly senderMac: Mac;
      readonly senderIp: Ipv4;
      readonly targetMac: Mac;
      readonly targetIp: Ipv4;
    }
  /** A RARP request announcing `mac` (what ESXi "Notify switches" sends on power-on and vMotion). */
  | { readonly kind: 'rarp'; readonly mac: Mac }
  | { readonly kind: 'ipv4'; readonly srcIp: Ipv4; readonly dstIp: Ipv4; readonly l4: L4 }
  | { readonly kind: 'ipv6'; readonly icmpv6Type: number }
  | { readonly kind: 'nlb-heartbeat'; readonly vip: Ipv4; readonly priority: number }
  | { readonly kind: 'opaque'; readonly label: string };

export interface Frame {
  readonly dst: Mac;
  readonly src: Mac;
  /** 802.1Q VLAN id, 0 when untagged. Access ports replace it with their own VLAN on ingress. */
  readonly vlan: number;
  readonly ethertype: number;
  readonly payload: Payload;
}

const ethertypeOf = (p: Payload): number =>
  p.kind === 'arp'
    ? ETHERTYPE.arp
    : p.kind === 'rarp'
      ? ETHERTYPE.rarp
      : p.kind === 'ipv4'
        ? ETHERTYPE.ipv4
        : p.kind === 'ipv6'
          ? ETHERTYPE.ipv6
          : p.kind === 'nlb-heartbeat'
            ? ETHERTYPE.nlbHeartbeat
            : 0x88b5; // IEEE local experimental ethertype for opaque payloads

/** Build a frame; the ethertype follows from the payload. */
export const frame = (dst: Mac, src: Mac, payload: Payload, vlan = 0): Frame => ({
  dst,
  src,
  vlan,
  ethertype: ethertypeOf(payload),
  payload,
});

/** Multicast MAC of an IPv4 group (RFC 1112: 01-00-5E + low 23 bits). */
export function ipv4MulticastMac(group: Ipv4): Mac {
  return (IPV4_MULTICAST_OUI * 2 ** 24 + (group & 0x7fffff)) as Mac;
}

export const isBroadcastMac = (mac: Mac): boolean => mac === BROADCAST_MAC;

/** True when the DHCP guard drops it: a DHCP server message (offer/ack/nak) or anything from UDP port 67. */
export function isDhcpServerMessage(p: Payload): boolean {
  if (p.kind !== 'ipv4' || p.l4.kind !== 'udp') return false;
  return p.l4.srcPort === 67 || (p.l4.dhcp !== undefined && DHCP_SERVER_MESSAGES.has(p.l4.dhcp));
}

/** True when the router guard drops it: ICMPv4 redirect/router advertisement, ICMPv6 RA/redirect. */
export function isRouterMessage(p: Payload): boolean {
  if (p.kind === 'ipv4')
    return p.l4.kind === 'icmp' && (p.l4.type === ICMP.redirect || p.l4.type === ICMP.routerAdvertisement);
  if (p.kind === 'ipv6')
    return p.icmpv6Type === ICMPV6.routerAdvertisement || p.icmpv6Type === ICMPV6.redirect;
  return false;
}

/** The IPv4 address a frame claims as its sender (ARP sender, IPv4 source), or undefined. */
export function senderIpOf(p: Payload): Ipv4 | undefined {
  if (p.kind === 'arp') return p.senderIp;
  if (p.kind === 'ipv4') return p.srcIp;
  return undefined;
}

const mac = (m: Mac): string => formatMac(m, 'hyphen');

/** One line describing a frame, as `lab run --trace` prints it. */
export function describeFrame(f: Frame): string {
  const head = `${mac(f.src)} > ${mac(f.dst)}${f.vlan ? ` vlan ${f.vlan}` : ''}`;
  return `${head} ${describePayload(f.payload)}`;
}

export function describePayload(p: Payload): string {
  switch (p.kind) {
    case 'arp':
      return p.op === 'request'
        ? p.senderIp === p.targetIp
          ? `ARP announce ${formatIpv4(p.senderIp)} is-at ${mac(p.senderMac)}`
          : `ARP who-has ${formatIpv4(p.targetIp)} tell ${formatIpv4(p.senderIp)}`
        : `ARP reply ${formatIpv4(p.senderIp)} is-at ${mac(p.senderMac)}`;
    case 'rarp':
      return `RARP announce ${mac(p.mac)}`;
    case 'ipv6':
      return `IPv6 ICMPv6 type ${p.icmpv6Type}`;
    case 'nlb-heartbeat':
      return `NLB heartbeat cluster ${formatIpv4(p.vip)} host ${p.priority}`;
    case 'opaque':
      return `opaque ${p.label}`;
    case 'ipv4': {
      const ips = `${formatIpv4(p.srcIp)} > ${formatIpv4(p.dstIp)}`;
      const l = p.l4;
      switch (l.kind) {
        case 'icmp':
          return `IPv4 ${ips} ICMP ${l.type === ICMP.echoRequest ? 'echo request' : l.type === ICMP.echoReply ? 'echo reply' : l.type === ICMP.redirect ? 'redirect' : l.type === ICMP.routerAdvertisement ? 'router advertisement' : `type ${l.type}`}`;
        case 'tcp':
          return `IPv4 ${formatIpv4(p.srcIp)}:${l.srcPort} > ${formatIpv4(p.dstIp)}:${l.dstPort} TCP ${l.flags.toUpperCase()}`;
        case 'udp':
          return l.dhcp
            ? `IPv4 ${ips} DHCP ${l.dhcp.toUpperCase()}`
            : `IPv4 ${formatIpv4(p.srcIp)}:${l.srcPort} > ${formatIpv4(p.dstIp)}:${l.dstPort} UDP`;
        case 'igmp':
          return `IPv4 ${ips} IGMP ${l.type === 'report' ? 'membership report' : 'leave'} ${formatIpv4(l.group)}`;
      }
    }
  }
}
