/**
 * Recursive directory walk. Symlinks are not followed unless asked (then cycles are cut by device and
 * inode); unreadable directories become issues, never crashes.
 */
import { readdirSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { FormatIssue } from '../formats/types.js';

export interface WalkResult {
  /** Files in walk order, with the scan root each was found under. */
  readonly files: { readonly path: string; readonly root: string }[];
  readonly issues: FormatIssue[];
  readonly skippedLinks: number;
}

export function walk(roots: readonly string[], options: { follow: boolean }): WalkResult {
  const files: { path: string; root: string }[] = [];
  const issues: FormatIssue[] = [];
  const seen = new Set<string>();
  let skippedLinks = 0;
  const ioIssue = (path: string, e: unknown) =>
    issues.push({
      file: path,
      code: 'IO_ERROR',
      severity: 'error',
      message: `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
    });

  const visitDir = (dir: string, root: string, st: Stats) => {
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
      if (ent.isFile()) files.push({ path, root });
      else if (ent.isDirectory()) visitDir(path, root, statOr(path) ?? st);
      else if (ent.isSymbolicLink()) {
        if (!options.follow) {
          skippedLinks++;
          continue;
        }
        let target: Stats;
        try {
          target = statSync(path);
        } catch (e) {
          ioIssue(path, e);
          continue;
        }
        if (target.isDirectory()) visitDir(path, root, target);
        else if (target.isFile()) files.push({ path, root });
      }
    }
  };

  for (const root of roots) {
    let st: Stats;
    try {
      st = statSync(root);
    } catch (e) {
      ioIssue(root, e);
      continue;
    }
    if (st.isDirectory()) visitDir(root, root, st);
    else files.push({ path: root, root });
  }
  return { files, issues, skippedLinks };
}

function statOr(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
