/** Read one file and parse it with the format it holds; every problem is an issue. */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { FIRST_READ, ioIssue, READ_FLAGS, readSmallFile } from './read-file.js';
import { decodeText, type DecodedText } from '../formats/decode.js';
import { CONFIG_EXTENSIONS, detectFormat, extensionOf, PARSERS } from '../formats/registry.js';
import type { AdapterRecord, FormatIssue, FormatName } from '../formats/types.js';

export interface FileResult {
  readonly adapters: AdapterRecord[];
  readonly issues: FormatIssue[];
  /** The format read, or undefined when the file is not a VM config (skipped). */
  readonly format?: FormatName;
}

const SNIFF_BYTES = 8192;

/** Read and parse `path`. Files with no config extension are only parsed when their content is recognised. */
export function readConfig(path: string, maxFileSize: number): FileResult {
  // Most configs fit the shared buffer: one read and no fstat (the same read a reader thread does).
  const small = readSmallFile(path, shared, maxFileSize);
  if (typeof small === 'number') return parseFileBytes(path, shared.subarray(0, small));
  if (small !== undefined) return { adapters: [], issues: [small] };
  return readLargeConfig(path, maxFileSize);
}

/** A file too large for one read (or for --max-file-size): sized first, and only read when it may matter. */
function readLargeConfig(path: string, maxFileSize: number): FileResult {
  const known = CONFIG_EXTENSIONS.has(extensionOf(path));
  let fd: number;
  try {
    fd = openSync(path, READ_FLAGS);
  } catch (e) {
    return { adapters: [], issues: [ioIssue(path, e)] };
  }
  try {
    const size = fstatSync(fd).size;
    if (size > maxFileSize) {
      if (!known) return { adapters: [], issues: [] };
      return {
        adapters: [],
        issues: [
          {
            file: path,
            code: 'TOO_LARGE',
            severity: 'info',
            message: `skipped: ${size} bytes is over --max-file-size ${maxFileSize}`,
          },
        ],
      };
    }
    // Unknown extensions: look at the head first, so large foreign files (disks, logs) are not read whole.
    let bytes = Buffer.allocUnsafe(known ? size : Math.min(size, SNIFF_BYTES));
    let got = readAll(fd, bytes);
    if (!known) {
      const head = decodeText(bytes.subarray(0, got));
      if (head === null || detectFormat(path, head.text) === undefined) return { adapters: [], issues: [] };
      if (size > got) {
        bytes = Buffer.allocUnsafe(size);
        got = readAll(fd, bytes, 0);
      }
    }
    return parseDecoded(path, decodeText(bytes.subarray(0, got)));
  } catch (e) {
    return { adapters: [], issues: [ioIssue(path, e)] };
  } finally {
    closeSync(fd);
  }
}

const shared = Buffer.allocUnsafe(FIRST_READ);

/**
 * Parse the whole content of `path` (read by the caller). A file with no config extension is only a
 * config when its content says so; else it is skipped (no format, no issue).
 */
export function parseFileBytes(path: string, bytes: Uint8Array): FileResult {
  const decoded = decodeText(bytes);
  if (
    !CONFIG_EXTENSIONS.has(extensionOf(path)) &&
    (decoded === null || detectFormat(path, decoded.text) === undefined)
  )
    return { adapters: [], issues: [] };
  return parseDecoded(path, decoded);
}

function parseDecoded(path: string, decoded: DecodedText | null): FileResult {
  {
    if (decoded === null) {
      return {
        adapters: [],
        issues: [
          {
            file: path,
            code: 'BINARY_FILE',
            severity: 'warning',
            message: 'binary or not valid UTF-8/UTF-16 text: not a readable VM config',
          },
        ],
      };
    }
    const format = detectFormat(path, decoded.text);
    if (format === undefined) return { adapters: [], issues: [] };
    try {
      const r = PARSERS[format](decoded.text, { file: path });
      return { adapters: r.adapters, issues: r.issues, format };
    } catch (e) {
      // Parsers report problems as issues; an exception here is a macfleet bug, reported per file.
      const message = e instanceof Error ? e.message : String(e);
      return {
        adapters: [],
        issues: [
          { file: path, code: 'INTERNAL', severity: 'error', message: `${format} parser failed: ${message}` },
        ],
        format,
      };
    }
  }
}

function readAll(fd: number, buf: Buffer, position: number | null = null): number {
  let off = 0;
  let pos = position;
  while (off < buf.length) {
    const n = readSync(fd, buf, off, buf.length - off, pos);
    if (n === 0) break;
    off += n;
    if (pos !== null) pos += n;
  }
  return off;
}
