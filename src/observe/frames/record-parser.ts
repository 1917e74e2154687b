/** What the pcap and pcapng parsers share with the streaming reader that feeds them. */

/** Receives every packet of a capture; `data` is only valid during the call. */
export interface FrameSink {
  /**
   * @param port the capture's interface id (pcapng), 0 for pcap
   * @param timeMs capture time, ms since the epoch (fractional)
   */
  frame(
    data: Uint8Array,
    offset: number,
    length: number,
    linkType: number,
    port: number,
    timeMs: number,
  ): void;
  /** A capture interface was declared (pcapng IDB, or the pcap file header as interface 0). */
  interface(port: number, linkType: number, name: string | null): void;
}

export interface CaptureIssue {
  /** Byte offset in the capture where the problem is. */
  readonly offset: number;
  readonly code: 'TRUNCATED' | 'MALFORMED' | 'UNSUPPORTED';
  readonly message: string;
}

/** Thrown by a parser for a problem that ends the capture (no way to find the next record). */
export class FatalCaptureError extends Error {
  constructor(readonly issue: CaptureIssue) {
    super(issue.message);
  }
}

/**
 * A record parser sees the unread bytes `buf[pos..end)` (`base` is the capture offset of `buf[0]`) and
 * returns how many bytes the next record took, or 0 when the record is not all there yet; it throws
 * FatalCaptureError when the bytes cannot be a record.
 */
export interface RecordParser {
  next(buf: Uint8Array, view: DataView, pos: number, end: number, base: number): number;
  /** Non-fatal problems met so far (an unknown interface id, a skipped block). */
  readonly issues: CaptureIssue[];
  /** How many bytes from `pos` the next record needs at least (more than `end - pos` when incomplete). */
  wanted(view: DataView, pos: number, end: number): number;
  /** Describe why a record cut short at the end of the input is incomplete. */
  truncated(buf: Uint8Array, view: DataView, pos: number, end: number, base: number): CaptureIssue;
}

/** At most this many non-fatal issues are listed per capture; the rest are counted in one more. */
export const MAX_ISSUES = 50;

export function pushIssue(issues: CaptureIssue[], issue: CaptureIssue, suppressed: { n: number }): void {
  if (issues.length < MAX_ISSUES) issues.push(issue);
  else suppressed.n++;
}
