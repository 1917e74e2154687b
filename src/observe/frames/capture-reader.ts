/**
 * A streaming capture reader: bytes go in as chunks of any size, packets come out to a FrameSink as
 * soon as they are complete. pcap or pcapng is told from the first four bytes. Chunks that do not yet
 * complete a record are only queued (joined once, when the record is complete), and only the unread
 * tail of the input (less than one record, at most 16 MiB) is ever kept, so memory does not grow with
 * the capture. Problems are issues with the byte offset; a record that cannot be parsed ends the
 * capture (there is no way to find the next one), never with an exception or a loop.
 */
import { PcapngParser, PCAPNG_SHB } from '../pcapng/pcapng-parser.js';
import { isPcapMagic, PcapParser } from '../pcap/pcap-parser.js';
import { FatalCaptureError, type CaptureIssue, type FrameSink, type RecordParser } from './record-parser.js';

export type CaptureFormat = 'pcap' | 'pcapng';

export class CaptureReader {
  private parser: RecordParser | null = null;
  private pending: Uint8Array[] = [];
  private pendingLength = 0;
  /** Bytes the next record needs before parsing is worth trying again. */
  private want = 4;
  /** Capture offset of the first pending byte. */
  private base = 0;
  private fatal: CaptureIssue | null = null;
  private ended = false;
  format: CaptureFormat | null = null;

  constructor(private readonly sink: FrameSink) {}

  push(chunk: Uint8Array): void {
    if (this.fatal !== null || this.ended || chunk.length === 0) return;
    let off = 0;
    // A record begun in an earlier chunk: join only its missing bytes to it, never the whole chunk.
    while (this.pendingLength > 0 || this.parser === null) {
      const need = Math.max(1, this.want - this.pendingLength);
      if (chunk.length - off < need) {
        this.pending.push(chunk.slice(off));
        this.pendingLength += chunk.length - off;
        return;
      }
      this.pending.push(chunk.subarray(off, off + need));
      this.pendingLength += need;
      off += need;
      const buf = this.joinPending();
      const used = this.parse(buf);
      if (used < 0) return;
      this.pending = used === buf.length ? [] : [buf.slice(used)];
      this.pendingLength = buf.length - used;
      if (off === chunk.length) return;
    }
    // The rest of the chunk is parsed where it is; only its unfinished tail is copied and kept.
    const rest = off === 0 ? chunk : chunk.subarray(off);
    const used = this.parse(rest);
    if (used < 0) return;
    if (used < rest.length) {
      this.pending = [rest.slice(used)];
      this.pendingLength = rest.length - used;
    }
  }

  /** Parse the records complete in `buf` (which starts at `base`); -1 after a fatal problem. */
  private parse(buf: Uint8Array): number {
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    let pos = 0;
    try {
      if (this.parser === null) {
        if (buf.length < 4) return 0;
        this.parser = this.detect(view);
      }
      for (;;) {
        const used = this.parser.next(buf, view, pos, buf.length, this.base);
        if (used === 0) break;
        pos += used;
      }
      this.want = this.parser.wanted(view, pos, buf.length);
    } catch (e) {
      if (!(e instanceof FatalCaptureError)) throw e;
      this.fatal = e.issue;
      this.pending = [];
      this.pendingLength = 0;
      return -1;
    }
    this.base += pos;
    return pos;
  }

  /** The input is complete: report a cut-short last record. Returns every issue met. */
  end(): CaptureIssue[] {
    if (!this.ended && this.fatal === null) {
      if (this.pendingLength > 0) {
        const buf = this.joinPending();
        const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
        this.fatal =
          this.parser === null
            ? { offset: 0, code: 'TRUNCATED', message: `${buf.length} bytes: too short to be a capture` }
            : this.parser.truncated(buf, view, 0, buf.length, this.base);
      } else if (this.parser === null) {
        this.fatal = { offset: 0, code: 'TRUNCATED', message: 'empty file: no capture header' };
      }
    }
    this.ended = true;
    this.pending = [];
    this.pendingLength = 0;
    return this.issues;
  }

  get issues(): CaptureIssue[] {
    return [...(this.parser?.issues ?? []), ...(this.fatal === null ? [] : [this.fatal])];
  }

  private joinPending(): Uint8Array {
    if (this.pending.length === 1) return this.pending[0]!;
    const buf = new Uint8Array(this.pendingLength);
    let at = 0;
    for (const p of this.pending) {
      buf.set(p, at);
      at += p.length;
    }
    this.pending = [buf];
    return buf;
  }

  private detect(view: DataView): RecordParser {
    if (view.getUint32(0, true) === PCAPNG_SHB) {
      this.format = 'pcapng';
      return new PcapngParser(this.sink);
    }
    if (isPcapMagic(view, 0)) {
      this.format = 'pcap';
      return new PcapParser(this.sink);
    }
    throw new FatalCaptureError({
      offset: 0,
      code: 'MALFORMED',
      message: `not a capture: first bytes 0x${view.getUint32(0, false).toString(16).padStart(8, '0')}, expected a pcap magic (a1b2c3d4, a1b23c4d, either byte order) or a pcapng section header (0a0d0d0a)`,
    });
  }
}

/** Read a whole capture held in memory (tests, small files). */
export function readCapture(
  bytes: Uint8Array,
  sink: FrameSink,
): { format: CaptureFormat | null; issues: CaptureIssue[] } {
  const reader = new CaptureReader(sink);
  reader.push(bytes);
  const issues = reader.end();
  return { format: reader.format, issues };
}
