/**
 * Recursive directory walk. Only regular files are yielded (a FIFO, socket or device is never opened).
 * Symlinks are not followed unless asked (then cycles are cut by device and inode). Every path that
 * cannot be read becomes an issue, never a crash and never a silent miss; each real file is yielded once
 * (overlapping roots, a file root inside a directory root, links to files under --follow).
 */
import { readdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { FormatIssue } from '../formats/types.js';
import { ioIssue } from './read-file.js';

export interface WalkEntry {
  readonly path: string;
  readonly root: string;
}

/** A root given on the command line that could not be read at all: the scan is then bad input. */
export const ROOT_UNREADABLE = 'ROOT_UNREADABLE';
/** Issue codes of paths the walk or the reader could not read (counted by `--fail-on`). */
export const READ_ISSUE_CODES: ReadonlySet<string> = new Set([ROOT_UNREADABLE, 'IO_ERROR', 'NOT_A_FILE']);

/**
 * Walk the roots in sorted order, as a generator so parsing can start while directories are still
 * being read. Files come in runs (the files of one directory between two of its subdirectories), which
 * costs far less than one generator step per file. Problems are pushed onto `issues` as they are met.
 */
export function* walkFiles(
  roots: readonly string[],
  options: { follow: boolean },
  issues: FormatIssue[],
): Generator<WalkEntry[]> {
  const seen = new Set<string>();
  const ioProblem = (path: string, e: unknown) => issues.push(ioIssue(path, e));
  // Files reached other than as a directory entry (a file root, a link to a file) may also be reached as
  // one: then every file is known by its real directory's device:inode and its name, and links to files
  // wait until the end, so that a file is reported under its real path when the walk meets it there.
  const rootStats = roots.map((root) => statOr(root));
  const trackFiles = options.follow || (roots.length > 1 && rootStats.some((s) => s?.isFile() === true));
  const fileKeys = new Set<string>();
  const fileIds = new Set<string>();
  const linkedFiles: WalkEntry[] = [];

  /** Whether a file reached by a root or a link was met already (and remember it). */
  const alreadyMet = (path: string, st: Stats): boolean => {
    const id = `${st.dev}:${st.ino}`;
    let key: string | undefined;
    try {
      const real = realpathSync(path);
      const dir = statSync(dirname(real));
      key = `${dir.dev}:${dir.ino}/${basename(real)}`;
    } catch {
      key = undefined;
    }
    if (fileIds.has(id) || (key !== undefined && fileKeys.has(key))) return true;
    fileIds.add(id);
    if (key !== undefined) fileKeys.add(key);
    return false;
  };

  function* visitDir(dir: string, root: string, st: Stats): Generator<WalkEntry[]> {
    const key = `${st.dev}:${st.ino}`;
    if (seen.has(key)) return;
    seen.add(key);
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      ioProblem(dir, e);
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    // join(dir, name) for every entry, without normalising the whole path each time.
    const prefix = join(dir, '_').slice(0, -1);
    let run: WalkEntry[] = [];
    for (const ent of entries) {
      const path = prefix + ent.name;
      if (ent.isFile()) {
        if (trackFiles) {
          const fileKey = `${key}/${ent.name}`;
          if (fileKeys.has(fileKey)) continue;
          fileKeys.add(fileKey);
        }
        run.push({ path, root });
        continue;
      }
      let sub: Stats;
      if (ent.isDirectory()) {
        try {
          sub = statSync(path);
        } catch (e) {
          // Too long a path, a name that is not valid UTF-8, no search permission: said, never skipped.
          ioProblem(path, e);
          continue;
        }
      } else if (ent.isSymbolicLink() && options.follow) {
        try {
          sub = statSync(path);
        } catch (e) {
          ioProblem(path, e);
          continue;
        }
        if (sub.isFile()) {
          linkedFiles.push({ path, root });
          continue;
        }
        if (!sub.isDirectory()) {
          issues.push(notAFile(path, sub));
          continue;
        }
      } else {
        if (!ent.isSymbolicLink()) issues.push(notAFile(path, undefined));
        continue;
      }
      if (run.length > 0) yield run;
      run = [];
      yield* visitDir(path, root, sub);
    }
    if (run.length > 0) yield run;
  }

  for (const [i, root] of roots.entries()) {
    let st: Stats;
    try {
      st = statSync(root);
    } catch (e) {
      issues.push({ ...ioIssue(root, e), code: ROOT_UNREADABLE });
      continue;
    }
    if (st.isDirectory()) yield* visitDir(root, root, st);
    else if (!st.isFile()) issues.push(notAFile(root, st));
    else if (!trackFiles || !alreadyMet(root, rootStats[i] ?? st)) yield [{ path: root, root }];
  }
  const linked = linkedFiles.filter((f) => {
    const st = statOr(f.path);
    return st !== undefined && !alreadyMet(f.path, st);
  });
  if (linked.length > 0) yield linked;
}

/** A FIFO, socket or device: never opened (a FIFO would block the scan for ever). */
function notAFile(path: string, st: Stats | undefined): FormatIssue {
  const what =
    st === undefined
      ? 'not a regular file'
      : st.isFIFO()
        ? 'a FIFO'
        : st.isSocket()
          ? 'a socket'
          : st.isCharacterDevice() || st.isBlockDevice()
            ? 'a device'
            : 'not a regular file';
  return {
    file: path,
    code: 'NOT_A_FILE',
    severity: 'warning',
    message: `skipped: ${what}, only regular files are read`,
  };
}

function statOr(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
