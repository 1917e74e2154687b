/**
 * The I/O half of reading a config, with no parser loaded (a reader thread uses only this): one read of
 * up to FIRST_READ bytes, which is the whole file for nearly every VM config.
 */
import { closeSync, constants, openSync, readSync } from 'node:fs';
import type { FormatIssue } from '../formats/types.js';

/**
 * Open flags of every config read: non-blocking, so that a FIFO put where a file was listed (the walk
 * only lists regular files) reads as empty instead of waiting for a writer for ever.
 */
export const READ_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

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
    fd = openSync(path, READ_FLAGS);
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
  // A name that is not valid UTF-8 comes out of the listing with U+FFFD in it, under which it cannot be
  // opened: say so rather than "no such file".
  const why =
    code === 'ENOENT' && path.includes('\uFFFD')
      ? 'the name is not valid UTF-8 (ENOENT)'
      : code === 'ENAMETOOLONG'
        ? 'the path is longer than the system allows (ENAMETOOLONG)'
        : (code ?? (e instanceof Error ? e.message : String(e)));
  return { file: path, code: 'IO_ERROR', severity: 'error', message: `cannot read: ${why}` };
}
