/**
 * Writing a file so that it is at every moment either wholly old or wholly new: the new bytes go to a
 * temporary file in the same directory, are flushed to disk, and are renamed over the file (rename is
 * atomic within a file system); then the directory is flushed so the rename itself survives a crash.
 */
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, statSync, writeSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/**
 * The temporary file beside `path`. It ends in `.tmp`, which the scan skips as a backup copy; a run
 * killed between writing and renaming leaves it behind, and the next run overwrites it.
 */
export const tempPathFor = (path: string): string => `${path}.macfleet.tmp`;

function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on a directory (EINVAL/EISDIR): the rename is still atomic there.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Replace (or create) `path` with `bytes`, atomically; `mode` defaults to the existing file's. */
export function writeFileAtomic(path: string, bytes: Uint8Array, mode?: number): void {
  let fileMode = mode;
  if (fileMode === undefined) {
    try {
      fileMode = statSync(path).mode & 0o7777;
    } catch {
      fileMode = 0o644;
    }
  }
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  const fd = openSync(tmp, 'w', fileMode);
  try {
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  fsyncDir(dirname(path));
}
