/**
 * pcapng files: a sequence of blocks `[type u32][total length u32][body][total length u32]`, each
 * section opened by a Section Header Block whose byte-order magic 0x1A2B3C4D sets the byte order of the
 * section. Read here: SHB (0x0A0D0D0A), Interface Description (1; options if_name 2, if_tsresol 9,
 * if_tsoffset 14), Enhanced Packet (6), Simple Packet (3) and the obsolete Packet Block (2); every other
 * block is skipped by its length. Interface ids are per section.
 * Source: draft-ietf-opsawg-pcapng, "PCAP Now Generic (pcapng) Capture File Format"
 * (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-03.html), sections 3, 4 and 5.
 * A block longer than 16 MiB is refused as corrupt, as Wireshark does (MAX_BLOCK_SIZE in wiretap/pcapng.c),
 * which also bounds what the streaming reader ever holds.
 */
import {
  FatalCaptureError,
  pushIssue,
  type CaptureIssue,
  type FrameSink,
  type RecordParser,
} from '../frames/record-parser.js';

export const PCAPNG_SHB = 0x0a0d0d0a;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const IDB = 1;
const PB = 2;
const SPB = 3;
const EPB = 6;
export const MAX_BLOCK = 16 * 1024 * 1024;

interface Iface {
  readonly port: number;
  readonly linkType: number;
  readonly snaplen: number;
  /** ms per time stamp unit, and the offset added (if_tsoffset, in ms). */
  readonly msPerUnit: number;
  readonly offsetMs: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

export class PcapngParser implements RecordParser {
  readonly issues: CaptureIssue[] = [];
  private readonly suppressed = { n: 0 };
  private le = true;
  private inSection = false;
  private ifaces: Iface[] = [];
  private nextPort = 0;

  constructor(private readonly sink: FrameSink) {}

  get suppressedIssues(): number {
    return this.suppressed.n;
  }

  next(buf: Uint8Array, view: DataView, pos: number, end: number, base: number): number {
    if (end - pos < 12) return 0;
    const typeLe = view.getUint32(pos, true);
    if (typeLe === PCAPNG_SHB) {
      const bom = view.getUint32(pos + 8, true);
      if (bom === BYTE_ORDER_MAGIC) this.le = true;
      else if (view.getUint32(pos + 8, false) === BYTE_ORDER_MAGIC) this.le = false;
      else {
        throw new FatalCaptureError({
          offset: base + pos + 8,
          code: 'MALFORMED',
          message: `section header: byte-order magic is 0x${bom.toString(16)}, expected 0x1a2b3c4d in either byte order`,
        });
      }
    } else if (!this.inSection) {
      throw new FatalCaptureError({
        offset: base + pos,
        code: 'MALFORMED',
        message: `expected a section header block (0x0a0d0d0a), found block type 0x${typeLe.toString(16)}`,
      });
    }
    const type = view.getUint32(pos, this.le);
    const len = view.getUint32(pos + 4, this.le);
    if (len < 12 || len % 4 !== 0 || len > MAX_BLOCK || (type === PCAPNG_SHB && len < 28)) {
      throw new FatalCaptureError({
        offset: base + pos + 4,
        code: 'MALFORMED',
        message: `block of type 0x${type.toString(16)} has length ${len}: expected a multiple of 4, at least ${type === PCAPNG_SHB ? 28 : 12}, at most ${MAX_BLOCK}`,
      });
    }
    if (end - pos < len) return 0;
    const trailer = view.getUint32(pos + len - 4, this.le);
    if (trailer !== len) {
      throw new FatalCaptureError({
        offset: base + pos + len - 4,
        code: 'MALFORMED',
        message: `block of type 0x${type.toString(16)} at ${base + pos}: trailing length ${trailer} differs from leading length ${len}`,
      });
    }
    switch (type) {
      case PCAPNG_SHB:
        this.section(view, pos, base);
        break;
      case IDB:
        this.interfaceBlock(buf, view, pos, len, base);
        break;
      case EPB:
        this.packet(buf, view, pos, len, base, view.getUint32(pos + 8, this.le), 28, true);
        break;
      case PB:
        this.packet(buf, view, pos, len, base, view.getUint16(pos + 8, this.le), 28, true);
        break;
      case SPB:
        this.simplePacket(buf, view, pos, len, base);
        break;
      default:
        break; // statistics, name resolution, custom blocks: nothing about MACs
    }
    return len;
  }

  private section(view: DataView, pos: number, base: number): void {
    const major = view.getUint16(pos + 12, this.le);
    if (major !== 1) {
      throw new FatalCaptureError({
        offset: base + pos + 12,
        code: 'UNSUPPORTED',
        message: `pcapng section version ${major}.${view.getUint16(pos + 14, this.le)}: only version 1.x is known`,
      });
    }
    this.inSection = true;
    this.ifaces = [];
  }

  private interfaceBlock(buf: Uint8Array, view: DataView, pos: number, len: number, base: number): void {
    if (len < 20) {
      this.issue({
        offset: base + pos,
        code: 'MALFORMED',
        message: `interface description block of ${len} bytes (at least 20)`,
      });
      return;
    }
    const linkType = view.getUint16(pos + 8, this.le);
    const snaplen = view.getUint32(pos + 12, this.le);
    let name: string | null = null;
    let unitsPerSecond = 1e6;
    let offsetMs = 0;
    const stop = pos + len - 4;
    for (let o = pos + 16; o + 4 <= stop;) {
      const code = view.getUint16(o, this.le);
      const olen = view.getUint16(o + 2, this.le);
      if (code === 0) break;
      if (o + 4 + olen > stop) {
        this.issue({
          offset: base + o,
          code: 'MALFORMED',
          message: `interface option ${code} of ${olen} bytes runs past its block`,
        });
        break;
      }
      if (code === 2) name = utf8.decode(buf.subarray(o + 4, o + 4 + olen)).replace(/\0+$/, '');
      else if (code === 9 && olen >= 1) {
        const r = buf[o + 4]!;
        unitsPerSecond = r & 0x80 ? 2 ** (r & 0x7f) : 10 ** r;
      } else if (code === 14 && olen >= 8) {
        offsetMs = Number(view.getBigInt64(o + 4, this.le)) * 1000;
      }
      o += 4 + ((olen + 3) & ~3);
    }
    const port = this.nextPort++;
    this.ifaces.push({ port, linkType, snaplen, msPerUnit: 1000 / unitsPerSecond, offsetMs });
    this.sink.interface(port, linkType, name);
  }

  private packet(
    buf: Uint8Array,
    view: DataView,
    pos: number,
    len: number,
    base: number,
    ifaceId: number,
    dataAt: number,
    timed: boolean,
  ): void {
    if (len < dataAt + 4) {
      this.issue({
        offset: base + pos,
        code: 'MALFORMED',
        message: `packet block of ${len} bytes is shorter than its header`,
      });
      return;
    }
    const iface = this.ifaces[ifaceId];
    if (iface === undefined) {
      this.issue({
        offset: base + pos + 8,
        code: 'MALFORMED',
        message: `packet for interface ${ifaceId}, but the section declared ${this.ifaces.length} interface(s)`,
      });
      return;
    }
    const caplen = view.getUint32(pos + 20, this.le);
    if (dataAt + caplen + 4 > len) {
      this.issue({
        offset: base + pos + 20,
        code: 'MALFORMED',
        message: `packet captured length ${caplen} runs past its ${len}-byte block`,
      });
      return;
    }
    // hi * 2^32 + lo units would round away nanoseconds (a double holds 53 bits): scale each half.
    const ms = timed
      ? view.getUint32(pos + 12, this.le) * (4294967296 * iface.msPerUnit) +
        view.getUint32(pos + 16, this.le) * iface.msPerUnit +
        iface.offsetMs
      : Number.NaN;
    this.sink.frame(buf, pos + dataAt, caplen, iface.linkType, iface.port, ms);
  }

  private simplePacket(buf: Uint8Array, view: DataView, pos: number, len: number, base: number): void {
    const iface = this.ifaces[0];
    if (iface === undefined || len < 16) {
      this.issue({
        offset: base + pos,
        code: 'MALFORMED',
        message: 'simple packet block before any interface description block',
      });
      return;
    }
    const orig = view.getUint32(pos + 8, this.le);
    let caplen = Math.min(orig, len - 16);
    if (iface.snaplen > 0) caplen = Math.min(caplen, iface.snaplen);
    // A simple packet carries no time stamp.
    this.sink.frame(buf, pos + 12, caplen, iface.linkType, iface.port, Number.NaN);
  }

  private issue(i: CaptureIssue): void {
    pushIssue(this.issues, i, this.suppressed);
  }

  wanted(view: DataView, pos: number, end: number): number {
    if (end - pos < 12) return 12;
    const len = view.getUint32(
      pos + 4,
      view.getUint32(pos, true) === PCAPNG_SHB ? this.shbLe(view, pos) : this.le,
    );
    return Math.max(12, Math.min(len, MAX_BLOCK));
  }

  private shbLe(view: DataView, pos: number): boolean {
    return view.getUint32(pos + 8, true) === BYTE_ORDER_MAGIC;
  }

  truncated(_buf: Uint8Array, view: DataView, pos: number, end: number, base: number): CaptureIssue {
    const have = end - pos;
    const want = have >= 8 ? view.getUint32(pos + 4, this.le) : 12;
    return {
      offset: base + pos,
      code: 'TRUNCATED',
      message: `last block cut short: ${have} of ${want} bytes (capture ended mid-block)`,
    };
  }
}
