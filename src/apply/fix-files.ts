/**
 * Applying and undoing a fix plan on disk, file by file (a batch: each file succeeds or is refused on its
 * own, and the others go on). A file is written only when its bytes hash to what the plan read; a file
 * that already holds what the plan writes is left alone, so running an interrupted apply again completes
 * it. Every write is atomic (atomic-file.ts), after an atomic backup of the old bytes.
 */
import { realpathSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { MacfleetError, type ErrorCode } from '../errors.js';
import { decodeText } from '../formats/decode.js';
import { checkedReplacements, reverseReplacements, type Replacement } from '../formats/rewrite.js';
import { spliceBytes } from '../formats/rewriters.js';
import type { FixPlan, PlanFile } from '../fix/plan-schema.js';
import { flushDirectories, mapLimit, sha256, writeFileAtomicAsync } from './atomic-file.js';

export const BACKUP_SUFFIX = '.macfleet-bak';

export const FILE_OUTCOMES = ['written', 'unchanged', 'refused'] as const;
export type FileOutcomeStatus = (typeof FILE_OUTCOMES)[number];

export interface FileOutcome {
  readonly file: string;
  readonly status: FileOutcomeStatus;
  readonly error?: { readonly code: ErrorCode; readonly message: string };
}

/** Where the backup of `file` goes: beside it, or under `backupDir` mirroring its absolute path. */
export function backupPathFor(file: string, backupDir: string | null): string {
  if (backupDir === null) return `${file}${BACKUP_SUFFIX}`;
  const abs = resolve(file);
  // Windows drive letters and the leading separator become plain path components.
  return join(resolve(backupDir), abs.replace(/^[A-Za-z]:/, (d) => d[0]!).replace(/^[\\/]+/, ''));
}

const inside = (real: string, root: string): boolean =>
  real === root || real.startsWith(root.endsWith(sep) ? root : root + sep);

/** The file's real path; refused when a symlink leads outside every scanned root. */
export function realPathInside(file: string, roots: readonly string[]): string {
  let real: string;
  try {
    real = realpathSync(file);
  } catch (e) {
    throw new MacfleetError('NOT_FOUND', `${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, {
      location: { file },
      cause: e,
    });
  }
  if (!roots.some((r) => inside(real, r)))
    throw new MacfleetError(
      'UNSAFE_PATH',
      `${file}: leads to ${real}, outside the scanned roots (${roots.join(', ')}): never written through a symlink`,
      { location: { file } },
    );
  return real;
}

function outcome(file: string, e: unknown): FileOutcome {
  if (e instanceof MacfleetError)
    return { file, status: 'refused', error: { code: e.code, message: e.message } };
  const code = (e as NodeJS.ErrnoException).code;
  return {
    file,
    status: 'refused',
    error: { code: 'IO_ERROR', message: `${file}: ${code ?? (e instanceof Error ? e.message : String(e))}` },
  };
}

const stale = (file: string, what: string): MacfleetError =>
  new MacfleetError('STALE_FILE', `${file}: ${what}; nothing of it was changed`, { location: { file } });

/** The bytes `pf.replacements` produce from `bytes` (which must hash to `pf.before`). */
function newBytes(pf: PlanFile, bytes: Uint8Array, replacements: readonly Replacement[]): Uint8Array {
  const decoded = decodeText(bytes);
  if (decoded === null) throw stale(pf.file, 'no longer readable text');
  return spliceBytes(bytes, decoded, checkedReplacements(decoded.text, replacements));
}

const readIfAny = (path: string): Promise<Buffer | undefined> => readFile(path).catch(() => undefined);

/** Apply one file of a plan; `dirs` collects the directories to flush. */
export async function applyFile(
  pf: PlanFile,
  roots: readonly string[],
  backupDir: string | null,
  dirs: string[],
): Promise<FileOutcome> {
  try {
    const real = realPathInside(pf.file, roots);
    const bytes = await readFile(real);
    const hash = sha256(bytes);
    if (hash === pf.after) return { file: pf.file, status: 'unchanged' };
    if (hash !== pf.before) throw stale(pf.file, 'changed since the plan was made (its sha256 differs)');
    const out = newBytes(pf, bytes, pf.replacements);
    if (sha256(out) !== pf.after)
      throw new MacfleetError('INTERNAL', `${pf.file}: the rewrite does not give the planned bytes`);
    const backup = backupPathFor(real, backupDir);
    const saved = await readIfAny(backup);
    if (saved === undefined || sha256(saved) !== pf.before) {
      await writeFileAtomicAsync(backup, bytes);
      dirs.push(dirname(backup));
    }
    await writeFileAtomicAsync(real, out);
    dirs.push(dirname(real));
    return { file: pf.file, status: 'written' };
  } catch (e) {
    return outcome(pf.file, e);
  }
}

/** Put one file back as the plan found it, refusing a file edited since the apply. */
export async function undoFile(
  pf: PlanFile,
  roots: readonly string[],
  backupDir: string | null,
  dirs: string[],
): Promise<FileOutcome> {
  try {
    const real = realPathInside(pf.file, roots);
    const bytes = await readFile(real);
    const hash = sha256(bytes);
    const backup = backupPathFor(real, backupDir);
    if (hash === pf.before) {
      await rm(backup, { force: true });
      return { file: pf.file, status: 'unchanged' };
    }
    if (hash !== pf.after)
      throw stale(pf.file, 'edited since the apply (its sha256 is not what the apply wrote)');
    let old = newBytes(pf, bytes, reverseReplacements(pf.replacements));
    if (sha256(old) !== pf.before) {
      // The reverse edit should always give the old bytes; the backup is the second way back.
      const saved = await readIfAny(backup);
      if (saved === undefined || sha256(saved) !== pf.before)
        throw new MacfleetError(
          'INTERNAL',
          `${pf.file}: cannot rebuild the old bytes, and no backup matches`,
        );
      old = saved;
    }
    await writeFileAtomicAsync(real, old);
    dirs.push(dirname(real));
    await rm(backup, { force: true });
    return { file: pf.file, status: 'written' };
  } catch (e) {
    return outcome(pf.file, e);
  }
}

export interface FilesOptions {
  readonly backupDir?: string | null;
  readonly onFile?: (o: FileOutcome) => void;
}

/** Files written at once: their flushes overlap (each file on its own is still old or new at every moment). */
const CONCURRENCY = 32;

async function eachFile(
  plan: FixPlan,
  options: FilesOptions,
  one: (
    pf: PlanFile,
    roots: readonly string[],
    backupDir: string | null,
    dirs: string[],
  ) => Promise<FileOutcome>,
): Promise<FileOutcome[]> {
  const backupDir = options.backupDir ?? plan.options.backupDir;
  const dirs: string[] = [];
  const outcomes = await mapLimit(plan.files, CONCURRENCY, async (pf) => {
    const o = await one(pf, plan.roots, backupDir, dirs);
    options.onFile?.(o);
    return o;
  });
  flushDirectories(dirs);
  return outcomes;
}

export const applyPlanFiles = (plan: FixPlan, options: FilesOptions = {}): Promise<FileOutcome[]> =>
  eachFile(plan, options, applyFile);

export const undoPlanFiles = (plan: FixPlan, options: FilesOptions = {}): Promise<FileOutcome[]> =>
  eachFile(plan, options, undoFile);

/** Absolute, symlink-resolved scan roots (a root that does not exist stays as given, absolute). */
export function realRoots(paths: readonly string[], cwd: string): string[] {
  return paths.map((p) => {
    const abs = isAbsolute(p) ? p : resolve(cwd, p);
    try {
      return realpathSync(abs);
    } catch {
      return abs;
    }
  });
}
