/**
 * Writing a file so that it is at every moment either wholly old or wholly new: the new bytes go to a
 * temporary file in the same directory, are flushed to disk, and are renamed over the file (rename is
 * atomic within a file system); then the directory is flushed so the rename itself survives a crash.
 */
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, statSync, writeSync, mkdirSync } from 'node:fs';
import { mkdir, open, rename, stat } from 'node:fs/promises';
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

/**
 * `writeFileAtomic` for many files at once: the same temporary file, flush and rename, without blocking
 * (flushes of several files proceed together, which the file system commits in fewer journal writes).
 * The directory is not flushed here: the caller flushes each directory once, with `flushDirectories`.
 */
export async function writeFileAtomicAsync(path: string, bytes: Uint8Array, mode?: number): Promise<void> {
  let fileMode = mode;
  if (fileMode === undefined) {
    try {
      fileMode = (await stat(path)).mode & 0o7777;
    } catch {
      fileMode = 0o644;
    }
  }
  await mkdir(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  const handle = await open(tmp, 'w', fileMode);
  try {
    let off = 0;
    while (off < bytes.length) off += (await handle.write(bytes, off, bytes.length - off)).bytesWritten;
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, path);
}

/** Flush directories (after renames in them), each once. */
export function flushDirectories(dirs: Iterable<string>): void {
  for (const dir of new Set(dirs)) fsyncDir(dir);
}

/** Run `fn` over `items` with at most `limit` at a time; results in order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
