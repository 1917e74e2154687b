/**
 * Recursive directory walk. Symlinks are not followed unless asked (then cycles are cut by device and
 * inode); unreadable directories become issues, never crashes.
 */
import { readdirSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { FormatIssue } from '../formats/types.js';

export interface WalkEntry {
  readonly path: string;
  readonly root: string;
}

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
  const ioIssue = (path: string, e: unknown) =>
    issues.push({
      file: path,
      code: 'IO_ERROR',
      severity: 'error',
      message: `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
    });

  function* visitDir(dir: string, root: string, st: Stats): Generator<WalkEntry[]> {
    const key = `${st.dev}:${st.ino}`;
    if (seen.has(key)) return;
    seen.add(key);
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      ioIssue(dir, e);
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    // join(dir, name) for every entry, without normalising the whole path each time.
    const prefix = join(dir, '_').slice(0, -1);
    let run: WalkEntry[] = [];
    for (const ent of entries) {
      const path = prefix + ent.name;
      if (ent.isFile()) {
        run.push({ path, root });
        continue;
      }
      let sub: Stats | undefined;
      if (ent.isDirectory()) sub = statOr(path) ?? st;
      else if (ent.isSymbolicLink() && options.follow) {
        try {
          sub = statSync(path);
        } catch (e) {
          ioIssue(path, e);
          continue;
        }
        if (sub.isFile()) {
          run.push({ path, root });
          continue;
        }
        if (!sub.isDirectory()) continue;
      }
      if (sub === undefined) continue;
      if (run.length > 0) yield run;
      run = [];
      yield* visitDir(path, root, sub);
    }
    if (run.length > 0) yield run;
  }

  for (const root of roots) {
    let st: Stats;
    try {
      st = statSync(root);
    } catch (e) {
      ioIssue(root, e);
      continue;
    }
    if (st.isDirectory()) yield* visitDir(root, root, st);
    else yield [{ path: root, root }];
  }
}

function statOr(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
