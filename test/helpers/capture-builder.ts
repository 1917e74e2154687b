/**
 * Captures built byte by byte from the specs (draft-ietf-opsawg-pcap, draft-ietf-opsawg-pcapng, IEEE
 * 802.1Q, RFC 826, RFC 2131/2132, RFC 4861), written here without any code of the reader under test.
 */

export type Bytes = number[];

export const macBytes = (mac: string): Bytes => mac.split(/[:-]/).map((h) => parseInt(h, 16));
export const ipBytes = (ip: string): Bytes => ip.split('.').map(Number);
const u16 = (n: number): Bytes => [(n >>> 8) & 0xff, n & 0xff];

/** An Ethernet II frame; `tags` are VLAN ids, outermost first (0x88a8 for the outer of two). */
export function ethernet(
  dst: string,
  src: string,
  etherType: number,
  payload: Bytes,
  tags: number[] = [],
): Bytes {
  const out = [...macBytes(dst), ...macBytes(src)];
  tags.forEach((vid, i) => out.push(...u16(tags.length > 1 && i === 0 ? 0x88a8 : 0x8100), ...u16(vid)));
  out.push(...u16(etherType), ...payload);
  while (out.length < 60) out.push(0);
  return out;
}

export function arp(op: 1 | 2, sha: string, spa: string, tha: string, tpa: string): Bytes {
  return [0, 1, 8, 0, 6, 4, 0, op, ...macBytes(sha), ...ipBytes(spa), ...macBytes(tha), ...ipBytes(tpa)];
}

/** A DHCP client message in IPv4/UDP 68 → 67. */
export function dhcpRequest(
  chaddr: string,
  options: { type: number; clientId?: Bytes; hostName?: string; requested?: string },
): Bytes {
  const bootp: Bytes = [1, 1, 6, 0, 0x12, 0x34, 0x56, 0x78, 0, 0, 0, 0];
  bootp.push(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0); // ciaddr yiaddr siaddr giaddr
  bootp.push(...macBytes(chaddr), ...new Array<number>(10).fill(0));
  bootp.push(...new Array<number>(192).fill(0)); // sname + file
  bootp.push(99, 130, 83, 99, 53, 1, options.type);
  if (options.clientId) bootp.push(61, options.clientId.length, ...options.clientId);
  if (options.hostName) bootp.push(12, options.hostName.length, ...Buffer.from(options.hostName, 'latin1'));
  if (options.requested) bootp.push(50, 4, ...ipBytes(options.requested));
  bootp.push(255);
  const udp = [...u16(68), ...u16(67), ...u16(8 + bootp.length), 0, 0, ...bootp];
  const total = 20 + udp.length;
  return [0x45, 0, ...u16(total), 0, 0, 0, 0, 64, 17, 0, 0, 0, 0, 0, 0, 255, 255, 255, 255, ...udp];
}

/** The modified EUI-64 link-local address of a MAC (RFC 4291 appendix A). */
export function linkLocal(mac: string): Bytes {
  const m = macBytes(mac);
  return [0xfe, 0x80, 0, 0, 0, 0, 0, 0, m[0]! ^ 2, m[1]!, m[2]!, 0xff, 0xfe, m[3]!, m[4]!, m[5]!];
}

/** IPv6 + ICMPv6 neighbour solicitation (135) or advertisement (136) for `target`. */
export function ndp(type: 135 | 136, src: Bytes, dst: Bytes, target: Bytes, flags = 0): Bytes {
  const icmp = [type, 0, 0, 0, flags, 0, 0, 0, ...target];
  return [0x60, 0, 0, 0, ...u16(icmp.length), 58, 255, ...src, ...dst, ...icmp];
}
export const UNSPECIFIED: Bytes = new Array<number>(16).fill(0);
export const ALL_NODES: Bytes = [0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
export const solicitedNode = (target: Bytes): Bytes => [
  0xff,
  2,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  1,
  0xff,
  target[13]!,
  target[14]!,
  target[15]!,
];

/** An NLB heartbeat payload (EtherType 0x886F) as Wireshark's packet-msnlb.c reads it. */
export function nlbHeartbeat(priority: number, vip: string, hostIp: string): Bytes {
  return [
    0xc0,
    0xde,
    1,
    2,
    0,
    0,
    0,
    0,
    priority & 0xff,
    0,
    0,
    0,
    ...ipBytes(vip),
    ...ipBytes(hostIp),
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
  ];
}

/** Linux cooked v1 header (16 bytes) before `payload`. */
export function sll(packetType: number, src: string, protocol: number, payload: Bytes): Bytes {
  return [...u16(packetType), 0, 1, 0, 6, ...macBytes(src), 0, 0, ...u16(protocol), ...payload];
}

/** Linux cooked v2 header (20 bytes) before `payload`. */
export function sll2(
  ifindex: number,
  packetType: number,
  src: string,
  protocol: number,
  payload: Bytes,
): Bytes {
  return [
    ...u16(protocol),
    0,
    0,
    (ifindex >>> 24) & 0xff,
    (ifindex >>> 16) & 0xff,
    (ifindex >>> 8) & 0xff,
    ifindex & 0xff,
    0,
    1,
    packetType,
    6,
    ...macBytes(src),
    0,
    0,
    ...payload,
  ];
}

export interface Packet {
  readonly data: Bytes;
  /** Seconds since the epoch (fractional). */
  readonly time: number;
  readonly iface?: number;
}

function writer(le: boolean) {
  const out: Bytes = [];
  return {
    out,
    u8: (n: number) => out.push(n & 0xff),
    u16: (n: number) => (le ? out.push(n & 0xff, (n >>> 8) & 0xff) : out.push((n >>> 8) & 0xff, n & 0xff)),
    u32: (n: number) => {
      const b = [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
      out.push(...(le ? b.reverse() : b));
    },
  };
}

/** A classic pcap file. */
export function pcapFile(
  packets: readonly Packet[],
  options: { le?: boolean; nano?: boolean; linkType?: number; snaplen?: number } = {},
): Uint8Array {
  const w = writer(options.le ?? true);
  w.u32(options.nano ? 0xa1b23c4d : 0xa1b2c3d4);
  w.u16(2);
  w.u16(4);
  w.u32(0);
  w.u32(0);
  w.u32(options.snaplen ?? 262144);
  w.u32(options.linkType ?? 1);
  for (const p of packets) {
    const sec = Math.floor(p.time);
    const frac = Math.round((p.time - sec) * (options.nano ? 1e9 : 1e6));
    w.u32(sec);
    w.u32(frac);
    w.u32(p.data.length);
    w.u32(p.data.length);
    w.out.push(...p.data);
  }
  return Uint8Array.from(w.out);
}

export interface NgInterface {
  readonly linkType?: number;
  readonly name?: string;
  /** if_tsresol byte (default 6: microseconds). */
  readonly tsresol?: number;
  readonly snaplen?: number;
}

/** A pcapng section (SHB, IDBs, then EPBs; `simple` writes SPBs for interface 0). */
export function pcapngSection(
  interfaces: readonly NgInterface[],
  packets: readonly Packet[],
  options: { le?: boolean; simple?: boolean; obsolete?: boolean } = {},
): Uint8Array {
  const le = options.le ?? true;
  const blocks: Bytes[] = [];
  const block = (type: number, body: (w: ReturnType<typeof writer>) => void): void => {
    const w = writer(le);
    body(w);
    while (w.out.length % 4 !== 0) w.out.push(0);
    const len = w.out.length + 12;
    const h = writer(le);
    h.u32(type);
    h.u32(len);
    h.out.push(...w.out);
    h.u32(len);
    blocks.push(h.out);
  };
  block(0x0a0d0d0a, (w) => {
    w.u32(0x1a2b3c4d);
    w.u16(1);
    w.u16(0);
    w.u32(0xffffffff);
    w.u32(0xffffffff);
  });
  for (const i of interfaces) {
    block(1, (w) => {
      w.u16(i.linkType ?? 1);
      w.u16(0);
      w.u32(i.snaplen ?? 0);
      if (i.name !== undefined) {
        const n = [...Buffer.from(i.name, 'utf8')];
        w.u16(2);
        w.u16(n.length);
        w.out.push(...n);
        while (w.out.length % 4 !== 0) w.out.push(0);
      }
      if (i.tsresol !== undefined) {
        w.u16(9);
        w.u16(1);
        w.u8(i.tsresol);
        w.out.push(0, 0, 0);
      }
      w.u16(0);
      w.u16(0);
    });
  }
  for (const p of packets) {
    if (options.simple) {
      block(3, (w) => {
        w.u32(p.data.length);
        w.out.push(...p.data);
      });
      continue;
    }
    const iface = interfaces[p.iface ?? 0] ?? {};
    const r = iface.tsresol ?? 6;
    const perSecond = r & 0x80 ? 2 ** (r & 0x7f) : 10 ** r;
    const units = (BigInt(Math.round(p.time * 1e6)) * BigInt(perSecond)) / 1_000_000n;
    block(options.obsolete ? 2 : 6, (w) => {
      if (options.obsolete) {
        w.u16(p.iface ?? 0);
        w.u16(0);
      } else w.u32(p.iface ?? 0);
      w.u32(Number(units >> 32n));
      w.u32(Number(units & 0xffffffffn));
      w.u32(p.data.length);
      w.u32(p.data.length);
      w.out.push(...p.data);
    });
  }
  return Uint8Array.from(blocks.flat());
}
