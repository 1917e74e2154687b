/**
 * From packets to observations: the hot path of `macfleet observe` on captures. Per frame: the source
 * MAC and the 802.1Q/802.1ad tags (Ethernet) or the link-layer address (Linux cooked SLL, SLL2), then
 * what the payload says about MACs: ARP (sender MAC and IP; probes with sender IP 0.0.0.0 and
 * announcements with sender IP = target IP, RFC 5227 sections 2.1.1 and 2.3), DHCPv4 client messages
 * (chaddr, option 53 message type, 61 client identifier, 12 host name; RFC 2131 section 2, RFC 2132
 * sections 3.14, 9.6, 9.14), IPv6 neighbour discovery (NS/NA, RFC 4861 section 4.3/4.4; DAD probes
 * from :: and the multicast advertisement with S=0 that defends the address, RFC 4862 section 5.4 and
 * RFC 4861 section 7.2.4) and Microsoft NLB heartbeats (EtherType 0x886F: host priority as a
 * little-endian u32 at offset 8 and the cluster VIP at offset 12, as Wireshark's packet-msnlb.c reads
 * them).
 *
 * State: one slot per (MAC, port, VLAN tags) and the move history of each MAC, capped; nothing per frame.
 */
import { formatIpv4, formatMac, type Mac } from '../../mac/index.js';
import { iso, type Move, type Observation, type SeenAs, type SourceContext } from '../model.js';
import { portKind } from '../port-kind.js';
import { MacTable } from './mac-table.js';
import type { FrameSink } from './record-parser.js';

export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_LINUX_SLL2 = 276;

/** The 48-bit MAC at `at` as a number (V8 inlines this in the per-frame loop). */
const mac48 = (d: Uint8Array, at: number): number =>
  ((d[at]! << 8) | d[at + 1]!) * 4294967296 +
  (((d[at + 2]! << 24) | (d[at + 3]! << 16) | (d[at + 4]! << 8) | d[at + 5]!) >>> 0);

const F_FRAME = 1;
const F_ARP = 2;
const F_ARP_PROBE = 4;
const F_ARP_ANNOUNCE = 8;
const F_ARP_PAYLOAD = 16;
const F_DHCP = 32;
const F_NDP = 64;
const F_DAD = 128;
const F_NLB = 256;
const FLAG_NAMES: readonly (readonly [number, SeenAs])[] = [
  [F_FRAME, 'frame'],
  [F_ARP, 'arp'],
  [F_ARP_PROBE, 'arp-probe'],
  [F_ARP_ANNOUNCE, 'arp-announcement'],
  [F_ARP_PAYLOAD, 'arp-payload'],
  [F_DHCP, 'dhcp'],
  [F_NDP, 'ndp'],
  [F_DAD, 'dad-probe'],
  [F_NLB, 'nlb-heartbeat'],
];

/** Moves kept per MAC (the newest); flaps need only the recent ones. */
export const MAX_MOVES_PER_MAC = 64;
const MAX_LIST = 16;
/** RFC 4861 section 10: RETRANS_TIMER 1,000 ms, the time a DAD probe waits for a defence. */
const DAD_WAIT_MS = 1000;
/** Ports of SLL2 frames are Linux interface indexes, kept apart from pcapng interface ids. */
const IFINDEX_BASE = 1 << 30;

const DHCP_TYPES = [
  '',
  'DISCOVER',
  'OFFER',
  'REQUEST',
  'DECLINE',
  'ACK',
  'NAK',
  'RELEASE',
  'INFORM',
] as const;

class Slot {
  first = Infinity;
  last = -Infinity;
  count = 0;
  flags = 0;
  next: Slot | null = null;
  ipv4: Set<number> | null = null;
  clientIds: Set<string> | null = null;
  hostNames: Set<string> | null = null;
  messages: Set<string> | null = null;
  dadProbes = 0;
  dadDefended = 0;
  nlb: { vip: number; priority: number } | null = null;
  /** Head slot only: the port of the MAC's last frame and its moves. */
  lastPort = -1;
  moves: number[] | null = null;
  constructor(
    readonly mac: number,
    readonly port: number,
    readonly vlan: number,
    readonly outer: number,
  ) {}
}

export class FrameObserver implements FrameSink {
  frames = 0;
  firstTime = Infinity;
  lastTime = -Infinity;
  /** Frames too short for their link header, and frames of link types not decoded, by link type. */
  short = 0;
  readonly unsupported = new Map<number, number>();
  private readonly slots = new MacTable<Slot>();
  private readonly portNames = new Map<number, string | null>();
  private readonly dadProbeAt = new Map<number, number>();

  interface(port: number, _linkType: number, name: string | null): void {
    this.portNames.set(port, name);
  }

  frame(d: Uint8Array, off: number, len: number, linkType: number, port: number, t: number): void {
    this.frames++;
    if (t < this.firstTime) this.firstTime = t;
    if (t > this.lastTime) this.lastTime = t;
    const end = off + len;
    let o: number;
    let src: number;
    let et: number;
    if (linkType === LINKTYPE_ETHERNET) {
      if (len < 14) {
        this.short++;
        return;
      }
      src = mac48(d, off + 6);
      et = (d[off + 12]! << 8) | d[off + 13]!;
      o = off + 14;
    } else if (linkType === LINKTYPE_LINUX_SLL) {
      // packet type u16, ARPHRD u16, address length u16, address [8], protocol u16.
      if (len < 16) {
        this.short++;
        return;
      }
      if (((d[off]! << 8) | d[off + 1]!) === 4) return; // sent by this host: seen again where it arrives
      if (((d[off + 2]! << 8) | d[off + 3]!) !== 1 || ((d[off + 4]! << 8) | d[off + 5]!) !== 6) return;
      src = mac48(d, off + 6);
      et = (d[off + 14]! << 8) | d[off + 15]!;
      o = off + 16;
    } else if (linkType === LINKTYPE_LINUX_SLL2) {
      // protocol u16, reserved u16, ifindex u32, ARPHRD u16, packet type u8, address length u8, address [8].
      if (len < 20) {
        this.short++;
        return;
      }
      if (d[off + 10] === 4) return;
      if (((d[off + 8]! << 8) | d[off + 9]!) !== 1 || d[off + 11] !== 6) return;
      const ifindex = ((d[off + 4]! << 24) | (d[off + 5]! << 16) | (d[off + 6]! << 8) | d[off + 7]!) >>> 0;
      port = IFINDEX_BASE + ifindex;
      src = mac48(d, off + 12);
      et = (d[off]! << 8) | d[off + 1]!;
      o = off + 20;
    } else {
      this.unsupported.set(linkType, (this.unsupported.get(linkType) ?? 0) + 1);
      return;
    }
    let vlan = -1;
    let outer = -1;
    while ((et === 0x8100 || et === 0x88a8 || et === 0x9100) && o + 4 <= end) {
      outer = vlan;
      vlan = ((d[o]! << 8) | d[o + 1]!) & 0xfff;
      et = (d[o + 2]! << 8) | d[o + 3]!;
      o += 4;
    }
    // A multicast or all-zero source is not a station (a corrupt or crafted frame): not observed.
    if ((d[linkType === LINKTYPE_LINUX_SLL2 ? off + 12 : off + 6]! & 1) === 0 && src !== 0) {
      const slot = this.sight(src, port, vlan, outer, t, F_FRAME, true);
      if (et === 0x0806) this.arp(d, o, end, src, port, vlan, outer, t, slot);
      else if (et === 0x0800) this.ipv4(d, o, end, port, vlan, outer, t);
      else if (et === 0x86dd) this.ipv6(d, o, end, src, port, vlan, outer, t, slot);
      else if (et === 0x886f && o + 16 <= end) {
        slot.flags |= F_NLB;
        const priority = d[o + 8]! | (d[o + 9]! << 8) | (d[o + 10]! << 16) | (d[o + 11]! << 24);
        slot.nlb = {
          priority,
          vip: ((d[o + 12]! << 24) | (d[o + 13]! << 16) | (d[o + 14]! << 8) | d[o + 15]!) >>> 0,
        };
      }
    }
  }

  private sight(
    mac: number,
    port: number,
    vlan: number,
    outer: number,
    t: number,
    flag: number,
    frame: boolean,
  ): Slot {
    const head = this.slots.get(mac);
    let s: Slot | null;
    if (head === undefined) {
      s = new Slot(mac, port, vlan, outer);
      s.lastPort = port;
      this.slots.add(mac, s);
    } else {
      if (frame && head.lastPort !== port) {
        if (head.lastPort >= 0 && t === t) {
          const moves = (head.moves ??= []);
          if (moves.length >= MAX_MOVES_PER_MAC * 3) moves.splice(0, 3);
          moves.push(t, head.lastPort, port);
        }
        head.lastPort = port;
      }
      s = head;
      while (s !== null && (s.port !== port || s.vlan !== vlan || s.outer !== outer)) s = s.next;
      if (s === null) {
        s = new Slot(mac, port, vlan, outer);
        s.next = head.next;
        head.next = s;
      }
    }
    s.count++;
    s.flags |= flag;
    if (t < s.first) s.first = t;
    if (t > s.last) s.last = t;
    return s;
  }

  private arp(
    d: Uint8Array,
    o: number,
    end: number,
    src: number,
    port: number,
    vlan: number,
    outer: number,
    t: number,
    frameSlot: Slot,
  ): void {
    // htype 1 (Ethernet), ptype 0x0800, hlen 6, plen 4: 28 bytes.
    if (
      o + 28 > end ||
      d[o + 1] !== 1 ||
      d[o + 2] !== 8 ||
      d[o + 3] !== 0 ||
      d[o + 4] !== 6 ||
      d[o + 5] !== 4
    )
      return;
    const op = d[o + 7];
    const sha = mac48(d, o + 8);
    const spa = ((d[o + 14]! << 24) | (d[o + 15]! << 16) | (d[o + 16]! << 8) | d[o + 17]!) >>> 0;
    const tpa = ((d[o + 24]! << 24) | (d[o + 25]! << 16) | (d[o + 26]! << 8) | d[o + 27]!) >>> 0;
    let flag = F_ARP;
    if (op === 1 && spa === 0) flag |= F_ARP_PROBE;
    else if (spa === tpa) flag |= F_ARP_ANNOUNCE;
    let slot = frameSlot;
    if (sha !== src) {
      if ((d[o + 8]! & 1) !== 0 && (d[o + 8]! & 0xfe) !== 0x02) return; // a multicast sender that is not NLB's 03-BF
      slot = this.sight(sha, port, vlan, outer, t, F_ARP_PAYLOAD, false);
    }
    slot.flags |= flag;
    if (spa !== 0) addCapped((slot.ipv4 ??= new Set()), spa);
  }

  private ipv4(
    d: Uint8Array,
    o: number,
    end: number,
    port: number,
    vlan: number,
    outer: number,
    t: number,
  ): void {
    if (o + 20 > end || d[o]! >> 4 !== 4 || d[o + 9] !== 17) return;
    if ((((d[o + 6]! & 0x1f) << 8) | d[o + 7]!) !== 0) return; // a later fragment
    const u = o + ((d[o]! & 0x0f) << 2);
    if (u + 8 > end) return;
    const sport = (d[u]! << 8) | d[u + 1]!;
    const dport = (d[u + 2]! << 8) | d[u + 3]!;
    if (!(sport === 68 && dport === 67)) return; // client to server only: the client's identity
    const b = u + 8;
    // op 1 (BOOTREQUEST), htype 1, hlen 6; chaddr at 28; magic cookie 99.130.83.99 at 236.
    if (b + 240 > end || d[b] !== 1 || d[b + 1] !== 1 || d[b + 2] !== 6) return;
    if (d[b + 236] !== 99 || d[b + 237] !== 130 || d[b + 238] !== 83 || d[b + 239] !== 99) return;
    if ((d[b + 28]! & 1) !== 0) return;
    const chaddr = mac48(d, b + 28);
    if (chaddr === 0) return;
    const slot = this.sight(chaddr, port, vlan, outer, t, F_DHCP, false);
    const ciaddr = ((d[b + 12]! << 24) | (d[b + 13]! << 16) | (d[b + 14]! << 8) | d[b + 15]!) >>> 0;
    if (ciaddr !== 0) addCapped((slot.ipv4 ??= new Set()), ciaddr);
    for (let p = b + 240; p < end;) {
      const code = d[p]!;
      if (code === 255) break;
      if (code === 0) {
        p++;
        continue;
      }
      if (p + 2 > end) break;
      const n = d[p + 1]!;
      const v = p + 2;
      if (v + n > end) break;
      if (code === 53 && n >= 1)
        addCapped((slot.messages ??= new Set()), DHCP_TYPES[d[v]!] ?? `type ${d[v]}`);
      else if (code === 61 && n >= 1) addCapped((slot.clientIds ??= new Set()), hex(d, v, n));
      else if (code === 12 && n >= 1) addCapped((slot.hostNames ??= new Set()), printable(d, v, n));
      else if (code === 50 && n === 4)
        addCapped(
          (slot.ipv4 ??= new Set()),
          ((d[v]! << 24) | (d[v + 1]! << 16) | (d[v + 2]! << 8) | d[v + 3]!) >>> 0,
        );
      p = v + n;
    }
  }

  private ipv6(
    d: Uint8Array,
    o: number,
    end: number,
    src: number,
    port: number,
    vlan: number,
    outer: number,
    t: number,
    frameSlot: Slot,
  ): void {
    // Fixed header 40 bytes, next header 58 (ICMPv6); NS 135 / NA 136 carry a 16-byte target at 8.
    if (o + 64 > end || d[o]! >> 4 !== 6 || d[o + 6] !== 58) return;
    const type = d[o + 40];
    if (type !== 135 && type !== 136) return;
    frameSlot.flags |= F_NDP;
    const target = o + 48;
    const owner = eui64Mac(d, target);
    if (owner === null) return;
    if (type === 135) {
      let unspecified = true;
      for (let i = o + 8; i < o + 24; i++) if (d[i] !== 0) unspecified = false;
      if (!unspecified) return;
      const slot = owner === src ? frameSlot : this.sight(owner, port, vlan, outer, t, 0, false);
      slot.flags |= F_DAD;
      slot.dadProbes++;
      this.dadProbeAt.set(owner, t);
      return;
    }
    const solicited = (d[o + 44]! & 0x40) !== 0;
    const probedAt = this.dadProbeAt.get(owner);
    if (!solicited && probedAt !== undefined && t - probedAt >= 0 && t - probedAt <= DAD_WAIT_MS) {
      const slot = owner === src ? frameSlot : this.sight(owner, port, vlan, outer, t, 0, false);
      slot.dadDefended++;
    }
  }

  /** Distinct MACs seen (the size of what is kept). */
  get macs(): number {
    return this.slots.size;
  }

  /** The observations and moves, tagged with the source's host, segment and port names. */
  result(ctx: SourceContext): { observations: Observation[]; moves: Move[] } {
    const observations: Observation[] = [];
    const moves: Move[] = [];
    const macs = [...this.slots.entries()].sort((a, b) => a[0] - b[0]);
    for (const [mac, head] of macs) {
      const macText = formatMac(mac as Mac);
      const places: Slot[] = [];
      for (let s: Slot | null = head; s !== null; s = s.next) places.push(s);
      places.sort((a, b) => a.port - b.port || a.vlan - b.vlan || a.outer - b.outer);
      for (const s of places) {
        const port = this.portName(s.port);
        const seenAs = FLAG_NAMES.filter(([f]) => (s.flags & f) !== 0).map(([, n]) => n);
        observations.push({
          mac: macText,
          segment: ctx.segment,
          host: ctx.host,
          port,
          vlan: s.vlan < 0 ? null : s.vlan,
          ...(s.outer < 0 ? {} : { outerVlan: s.outer }),
          portKind: portKind(port, ctx.uplinks),
          first: Number.isFinite(s.first) ? iso(s.first) : null,
          last: Number.isFinite(s.last) ? iso(s.last) : null,
          count: s.count,
          seenAs,
          ips: s.ipv4 === null ? [] : [...s.ipv4].sort((a, b) => a - b).map(formatIpv4),
          ...(s.clientIds === null && s.hostNames === null && s.messages === null
            ? {}
            : {
                dhcp: {
                  clientIds: [...(s.clientIds ?? [])].sort(),
                  hostNames: [...(s.hostNames ?? [])].sort(),
                  messages: [...(s.messages ?? [])].sort(),
                },
              }),
          ...(s.dadProbes === 0 && s.dadDefended === 0
            ? {}
            : { dad: { probes: s.dadProbes, defended: s.dadDefended } }),
          ...(s.nlb === null ? {} : { nlb: { vip: formatIpv4(s.nlb.vip), priority: s.nlb.priority } }),
        });
      }
      const m = head.moves;
      if (m !== null) {
        for (let i = 0; i < m.length; i += 3) {
          const at = iso(m[i]!);
          if (at !== null)
            moves.push({ mac: macText, at, from: this.portName(m[i + 1]!), to: this.portName(m[i + 2]!) });
        }
      }
    }
    return { observations, moves };
  }

  private portName(port: number): string | null {
    if (port >= IFINDEX_BASE) return `ifindex ${port - IFINDEX_BASE}`;
    const name = this.portNames.get(port);
    if (name !== undefined && name !== null) return name;
    // A pcap file has one unnamed interface: no port. A pcapng interface without if_name: its id.
    return this.portNames.size <= 1 ? null : `if${port}`;
  }
}

function addCapped<T>(set: Set<T>, v: T): void {
  if (set.size < MAX_LIST) set.add(v);
}

function hex(d: Uint8Array, at: number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += (i > 0 ? ':' : '') + d[at + i]!.toString(16).padStart(2, '0');
  return s;
}

/** A DHCP host name as text, control and non-ASCII bytes shown as `\xNN` (it goes to terminals). */
function printable(d: Uint8Array, at: number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) {
    const c = d[at + i]!;
    s +=
      c >= 0x20 && c < 0x7f && c !== 0x5c ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return s;
}

/**
 * The MAC behind a modified EUI-64 link-local address fe80::XXXX:XXff:feXX:XXXX (RFC 4291 appendix A:
 * the universal/local bit inverted, FF-FE inserted), or null for any other address.
 */
function eui64Mac(d: Uint8Array, a: number): number | null {
  if (d[a] !== 0xfe || d[a + 1] !== 0x80) return null;
  for (let i = 2; i < 8; i++) if (d[a + i] !== 0) return null;
  if (d[a + 11] !== 0xff || d[a + 12] !== 0xfe) return null;
  return (
    (((d[a + 8]! ^ 0x02) << 8) | d[a + 9]!) * 4294967296 +
    (((d[a + 10]! << 24) | (d[a + 13]! << 16) | (d[a + 14]! << 8) | d[a + 15]!) >>> 0)
  );
}
