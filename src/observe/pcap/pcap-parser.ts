/**
 * Classic libpcap files: a 24-byte header (magic 0xA1B2C3D4 for microsecond, 0xA1B23C4D for nanosecond
 * time stamps, written in the writer's byte order), then records of a 16-byte header (seconds,
 * fraction, captured length, original length) and the captured bytes.
 * Source: draft-ietf-opsawg-pcap, "PCAP Capture File Format"
 * (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html), sections 4 and 5; the link type is
 * the low 16 bits of the LinkType field (the top bits carry FCS information).
 */
import {
  FatalCaptureError,
  type CaptureIssue,
  type FrameSink,
  type RecordParser,
} from '../frames/record-parser.js';

export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;
const HEADER = 24;
const RECORD = 16;
/** libpcap refuses records longer than the larger of the snap length and 262144 (MAXIMUM_SNAPLEN). */
const MAX_SNAPLEN = 262_144;
/** A snap length field larger than this is taken as corrupt, so a bad header cannot make us buffer gigabytes. */
const MAX_RECORD = 16 * 1024 * 1024;

/** Whether the first four bytes are a pcap magic, in either byte order. */
export function isPcapMagic(view: DataView, at: number): boolean {
  const le = view.getUint32(at, true);
  const be = view.getUint32(at, false);
  return le === PCAP_MAGIC_US || le === PCAP_MAGIC_NS || be === PCAP_MAGIC_US || be === PCAP_MAGIC_NS;
}

export class PcapParser implements RecordParser {
  readonly issues: CaptureIssue[] = [];
  private le = true;
  private divisor = 1000; // fraction units per ms
  private linkType = -1;
  private maxLength = MAX_SNAPLEN;

  constructor(private readonly sink: FrameSink) {}

  next(buf: Uint8Array, view: DataView, pos: number, end: number, base: number): number {
    if (this.linkType < 0) {
      if (end - pos < HEADER) return 0;
      const magic = view.getUint32(pos, true);
      this.le = magic === PCAP_MAGIC_US || magic === PCAP_MAGIC_NS;
      const m = view.getUint32(pos, this.le);
      this.divisor = m === PCAP_MAGIC_NS ? 1e6 : 1e3;
      const major = view.getUint16(pos + 4, this.le);
      if (major !== 2) {
        throw new FatalCaptureError({
          offset: base + pos + 4,
          code: 'UNSUPPORTED',
          message: `pcap version ${major}.${view.getUint16(pos + 6, this.le)}: only version 2.x is known`,
        });
      }
      const snaplen = view.getUint32(pos + 16, this.le);
      this.maxLength = Math.min(Math.max(snaplen, MAX_SNAPLEN), MAX_RECORD);
      this.linkType = view.getUint32(pos + 20, this.le) & 0xffff;
      this.sink.interface(0, this.linkType, null);
      return HEADER;
    }
    if (end - pos < RECORD) return 0;
    const caplen = view.getUint32(pos + 8, this.le);
    if (caplen > this.maxLength) {
      throw new FatalCaptureError({
        offset: base + pos + 8,
        code: 'MALFORMED',
        message: `record captured length ${caplen} is larger than ${this.maxLength}: not a pcap record (corrupt file?)`,
      });
    }
    if (end - pos < RECORD + caplen) return 0;
    const ms = view.getUint32(pos, this.le) * 1000 + view.getUint32(pos + 4, this.le) / this.divisor;
    this.sink.frame(buf, pos + RECORD, caplen, this.linkType, 0, ms);
    return RECORD + caplen;
  }

  wanted(view: DataView, pos: number, end: number): number {
    if (this.linkType < 0) return HEADER;
    return end - pos < RECORD ? RECORD : RECORD + view.getUint32(pos + 8, this.le);
  }

  truncated(_buf: Uint8Array, view: DataView, pos: number, end: number, base: number): CaptureIssue {
    if (this.linkType < 0)
      return {
        offset: base + pos,
        code: 'TRUNCATED',
        message: `pcap file header cut short: ${end - pos} of 24 bytes`,
      };
    const have = end - pos;
    const want = have >= RECORD ? RECORD + view.getUint32(pos + 8, this.le) : RECORD;
    return {
      offset: base + pos,
      code: 'TRUNCATED',
      message: `last record cut short: ${have} of ${want} bytes (capture ended mid-record)`,
    };
  }
}
