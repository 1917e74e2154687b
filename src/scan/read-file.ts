/**
 * The I/O half of reading a config, with no parser loaded (a reader thread uses only this): one read of
 * up to FIRST_READ bytes, which is the whole file for nearly every VM config.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import type { FormatIssue } from '../formats/types.js';

/** Files up to this size are read whole in one call; larger ones are sized and checked first. */
export const FIRST_READ = 256 * 1024;

/**
 * Read the whole of a small file into `buffer` (FIRST_READ bytes long) and return its length; `undefined`
 * when the file is larger than the buffer or than `maxFileSize` (the caller reads it the long way); an
 * IO_ERROR issue when it cannot be opened or read.
 */
export function readSmallFile(
  path: string,
  buffer: Uint8Array,
  maxFileSize: number,
): number | undefined | FormatIssue {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    return ioIssue(path, e);
  }
  try {
    const n = readSync(fd, buffer, 0, buffer.length, 0);
    return n < buffer.length && n <= maxFileSize ? n : undefined;
  } catch (e) {
    return ioIssue(path, e);
  } finally {
    closeSync(fd);
  }
}

export function ioIssue(path: string, e: unknown): FormatIssue {
  const code = (e as NodeJS.ErrnoException).code;
  return {
    file: path,
    code: 'IO_ERROR',
    severity: 'error',
    message: `cannot read: ${code ?? (e instanceof Error ? e.message : String(e))}`,
  };
}
