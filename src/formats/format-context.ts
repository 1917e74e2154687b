/** Shared helpers of the parsers: issue collection with positions and MAC values that never throw. */
import { safeParseMac, type Mac } from '../mac/index.js';
import { LineIndex } from './text-position.js';
import type { FormatIssue, IssueSeverity, ParseOptions, TextSpan } from './types.js';

export class FormatContext {
  readonly file: string;
  readonly lines: LineIndex;
  readonly issues: FormatIssue[] = [];

  constructor(
    readonly text: string,
    options: ParseOptions | undefined,
  ) {
    this.file = options?.file ?? '';
    this.lines = new LineIndex(text);
  }

  span(offset: number, length: number): TextSpan {
    return this.lines.span(offset, length);
  }

  /** Record an issue at a character offset (its line/column are computed here). */
  issue(
    code: string,
    message: string,
    offset: number,
    extra: { severity?: IssueSeverity; path?: string } = {},
  ): void {
    const { line, column } = this.lines.position(offset);
    this.issues.push({
      file: this.file,
      line,
      column,
      ...(extra.path === undefined ? {} : { path: extra.path }),
      code,
      severity: extra.severity ?? 'error',
      message,
    });
  }

  /**
   * Parse a MAC value found at `offset`; on failure record INVALID_MAC naming the field and return null.
   * `raw` must be exactly `text.slice(offset, offset + raw.length)`.
   */
  mac(raw: string, offset: number, field: string, path?: string): Mac | null {
    const r = safeParseMac(raw);
    if (r.success) return r.data;
    this.issue('INVALID_MAC', `${field}: ${r.error.message}`, offset, path === undefined ? {} : { path });
    return null;
  }
}

/** A value is "true" the way VMware, VirtualBox and PowerShell write booleans. */
export const isTrue = (v: string | undefined): boolean =>
  v !== undefined && /^\s*(true|yes|on|1)\s*$/i.test(v);
export const isFalse = (v: string | undefined): boolean =>
  v !== undefined && /^\s*(false|no|off|0)\s*$/i.test(v);

export type { Mac };
