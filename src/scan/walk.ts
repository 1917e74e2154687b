/**
 * Recursive directory walk. Symlinks are not followed unless asked (then cycles are cut by device and
 * inode); unreadable directories become issues, never crashes.
 */
import { readdirSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { FormatIssue } from '../formats/types.js';

/**
 * Walk the roots in sorted order, as a generator so parsing can start while directories are still
 * being read. Problems are pushed onto `issues` as they are met.
 */
export function* walkFiles(
  roots: readonly string[],
  options: { follow: boolean },
  issues: FormatIssue[],
): Generator<{ path: string; root: string }> {
  const seen = new Set<string>();
  const ioIssue = (path: string, e: unknown) =>
    issues.push({
      file: path,
      code: 'IO_ERROR',
      severity: 'error',
      message: `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
    });

  function* visitDir(dir: string, root: string, st: Stats): Generator<{ path: string; root: string }> {
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
    for (const ent of entries) {
      const path = join(dir, ent.name);
      if (ent.isFile()) yield { path, root };
      else if (ent.isDirectory()) yield* visitDir(path, root, statOr(path) ?? st);
      else if (ent.isSymbolicLink() && options.follow) {
        let target: Stats;
        try {
          target = statSync(path);
        } catch (e) {
          ioIssue(path, e);
          continue;
        }
        if (target.isDirectory()) yield* visitDir(path, root, target);
        else if (target.isFile()) yield { path, root };
      }
    }
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
    else yield { path: root, root };
  }
}

function statOr(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
