/**
 * Making a fix plan (the I/O around the pure planner in src/fix): scan, read the files of the findings
 * to fix, choose the changes, allocate new MACs through the caller's allocator (idempotency keys derived
 * from the plan, so planning the same state again replays the same MACs), rewrite in memory and hash.
 */
import { readFileSync, statSync } from 'node:fs';
import picomatch from 'picomatch';
import { MacfleetError } from '../errors.js';
import { isAbsolute, resolve } from 'node:path';
import { decodeText, type DecodedText } from '../formats/decode.js';
import { detectFormat } from '../formats/registry.js';
import { spliceBytes } from '../formats/rewriters.js';
import { buildPlan, needsMac, type FileEdits } from '../fix/build-plan.js';
import { dynamicWarnings } from '../fix/dynamic-warnings.js';
import { FIX_PLAN_VERSION, type FixPlan, type PlanAllocation } from '../fix/plan-schema.js';
import {
  isFixed,
  selectChanges,
  type FixScope,
  type FixTarget,
  type KeepRule,
  type PlanFileInput,
} from '../fix/select-changes.js';
import { formatMac, type Mac } from '../mac/index.js';
import { VMWARE_STATIC_RANGE } from '../schemes/vmware-scheme.js';
import { scan, type ScanOptions, type ScanResult } from '../scan/scan.js';
import { sha256 } from './atomic-file.js';
import { realPathInside, realRoots } from './fix-files.js';

export interface FixOptions {
  readonly scope: FixScope;
  readonly keep: KeepRule;
  readonly keepText: string;
  readonly dynamic: boolean;
  readonly pool: string | null;
  readonly backupDir: string | null;
  readonly cwd: string;
  readonly now: number;
}

/** One allocation request per changed adapter: who gets it and the key that makes it idempotent. */
export interface AllocationRequest {
  readonly owner: string;
  readonly key: string;
}

/**
 * The seam to the store: allocate one MAC per request (same key, same MAC). `key` is the key the MAC
 * was finally held under, when the store had to use another (the request's key was released by an undo).
 */
export type FixAllocator = (
  requests: readonly AllocationRequest[],
) => Promise<readonly { readonly pool: string; readonly mac: Mac; readonly key?: string }[]>;

interface ReadFile extends PlanFileInput {
  readonly bytes: Uint8Array;
  readonly decoded: DecodedText;
  readonly hash: string;
}

/** What planning found before anything is allocated. */
export interface PreparedFix {
  readonly scan: ScanResult;
  readonly files: ReadonlyMap<string, ReadFile>;
  readonly targets: readonly FixTarget[];
  readonly notes: string[];
  readonly roots: string[];
  readonly requests: readonly (AllocationRequest | undefined)[];
  /** How the plan names a scanned file (absolute on disk; as uploaded for an uploaded scan). */
  readonly place: (file: string) => string;
  /** Whether the files are on this machine (their real paths are checked against the roots). */
  readonly onDisk: boolean;
}

/** Where a fix plan's files come from: a scan, its files' bytes, and how the plan names them. */
export interface FixSource {
  readonly scan: ScanResult;
  /** The file as the scan read it, or undefined when it cannot be read or is no configuration. */
  readFile(file: string): ReadFile | undefined;
  readonly roots: string[];
  readonly place: (file: string) => string;
  readonly onDisk: boolean;
}

export interface PlannedFix {
  readonly plan: FixPlan;
  /** Old and new text of each file the plan writes (for diffs), keyed by the plan's (absolute) path. */
  readonly texts: ReadonlyMap<
    string,
    { readonly before: string; readonly after: string; readonly shown: string; readonly bytes: Uint8Array }
  >;
  readonly scan: ScanResult;
}

/** `--keep`: oldest (file mtime), first (path order) or a glob matched against a member's file. */
export function keepRule(text: string, cwd: string, field = '--keep'): KeepRule {
  if (text === 'oldest' || text === 'first') return { kind: text };
  if (text.trim() === '')
    throw new MacfleetError('INVALID_ARGUMENT', `${field}: expected oldest, first or a glob`, {
      location: { field },
    });
  const match = picomatch(text, { dot: true });
  // A member's file matches as scanned (`examples/fleet/esx01/...`) or as an absolute path.
  return { kind: 'glob', glob: text, matches: (file) => match(file) || match(resolve(cwd, file)) };
}

/** A configuration file's bytes as the planner reads them (undefined: not text, or no configuration). */
export function fixFileOf(file: string, bytes: Uint8Array, mtimeMs: number): ReadFile | undefined {
  const decoded = decodeText(bytes);
  if (decoded === null) return undefined;
  const format = detectFormat(file, decoded.text);
  if (format === undefined) return undefined;
  return { file, format, text: decoded.text, mtimeMs, bytes, decoded, hash: sha256(bytes) };
}

function readMemberFile(file: string, cwd: string): ReadFile | undefined {
  try {
    const abs = isAbsolute(file) ? file : resolve(cwd, file);
    return fixFileOf(file, readFileSync(abs), statSync(abs).mtimeMs);
  } catch {
    return undefined;
  }
}

/** Scan and choose the changes. */
export async function prepareFix(
  paths: readonly string[],
  scanOptions: ScanOptions,
  options: FixOptions,
): Promise<PreparedFix> {
  const result = await scan(paths, scanOptions);
  return chooseFix(
    {
      scan: result,
      readFile: (file) => readMemberFile(file, options.cwd),
      roots: realRoots(paths, options.cwd),
      place: (file) => resolve(options.cwd, file),
      onDisk: true,
    },
    options,
  );
}

/** Read the files of the findings to fix and choose the changes (a scan from disk or an upload). */
export function chooseFix(source: FixSource, options: FixOptions): PreparedFix {
  const result = source.scan;
  const files = new Map<string, ReadFile>();
  for (const f of result.findings) {
    if (!isFixed(f, options.scope)) continue;
    for (const m of f.members) {
      if (files.has(m.file)) continue;
      const read = source.readFile(m.file);
      if (read !== undefined) files.set(m.file, read);
    }
  }
  const { targets, notes } = selectChanges({
    adapters: result.adapters,
    findings: result.findings,
    files,
    scope: options.scope,
    keep: options.keep,
    dynamic: options.dynamic,
  });
  const requests = targets.map((t) => {
    if (!needsMac(t)) return undefined;
    const file = files.get(t.record.file)!;
    const abs = source.place(t.record.file);
    const key = [options.pool ?? '', file.hash, abs, t.record.adapter, formatMac(t.record.mac!)].join('\0');
    return {
      owner: `${abs} ${t.record.adapter}`,
      key: `macfleet-fix:${sha256(Buffer.from(key)).slice(0, 32)}`,
    };
  });
  return {
    scan: result,
    files,
    targets,
    notes,
    roots: source.roots,
    requests,
    place: source.place,
    onDisk: source.onDisk,
  };
}

/**
 * Allocate the new MACs, re-asking (with a derived key) for any MAC the scan found configured somewhere:
 * the pool does not know every MAC of the fleet, and a MAC in use is never handed to another adapter.
 */
export async function allocateNewMacs(
  prepared: PreparedFix,
  allocate: FixAllocator,
): Promise<{ macs: (Mac | undefined)[]; allocations: PlanAllocation[]; warnings: string[] }> {
  const inUse = new Set<number>();
  for (const a of prepared.scan.adapters) if (a.mac !== null) inUse.add(a.mac);
  const macs: (Mac | undefined)[] = prepared.requests.map(() => undefined);
  const allocations: PlanAllocation[] = [];
  const warnings: string[] = [];
  let pending = prepared.requests.flatMap((r, i) =>
    r === undefined ? [] : [{ index: i, req: r, attempt: 1 }],
  );
  while (pending.length > 0) {
    const answers = await allocate(pending.map((p) => p.req));
    const again: typeof pending = [];
    pending.forEach((p, k) => {
      const a = answers[k]!;
      allocations.push({ mac: formatMac(a.mac), pool: a.pool, owner: p.req.owner, key: a.key ?? p.req.key });
      if (inUse.has(a.mac) && p.attempt < 8) {
        warnings.push(
          `pool ${a.pool} handed out ${formatMac(a.mac)}, which the scan found configured: kept held, another asked for`,
        );
        const base = prepared.requests[p.index]!;
        again.push({
          index: p.index,
          req: { owner: base.owner, key: `${base.key}:${p.attempt + 1}` },
          attempt: p.attempt + 1,
        });
      } else macs[p.index] = a.mac;
    });
    pending = again;
  }
  return { macs, allocations, warnings };
}

/** The plan document, from the prepared changes and the MACs allocated for them. */
export function finishFix(
  prepared: PreparedFix,
  allocated: { macs: readonly (Mac | undefined)[]; allocations: PlanAllocation[]; warnings: string[] },
  options: FixOptions,
): PlannedFix {
  const built = buildPlan(prepared.targets, allocated.macs, prepared.files);
  const abs = prepared.place;
  const texts = new Map<string, { before: string; after: string; shown: string; bytes: Uint8Array }>();
  const warnings = [
    ...prepared.notes,
    ...allocated.warnings,
    ...dynamicWarnings(prepared.targets, prepared.scan.adapters, prepared.files),
  ];
  const files = built.files.map((fe: FileEdits) => {
    const read = prepared.files.get(fe.file)!;
    const out = spliceBytes(read.bytes, read.decoded, fe.replacements);
    const after = decodeText(out)?.text ?? '';
    texts.set(abs(fe.file), { before: read.text, after, shown: fe.file, bytes: out });
    if (prepared.onDisk) {
      try {
        realPathInside(abs(fe.file), prepared.roots);
      } catch (e) {
        warnings.push(e instanceof Error ? `${e.message}; the apply will refuse it` : String(e));
      }
    }
    return {
      file: abs(fe.file),
      format: fe.format,
      before: read.hash,
      after: sha256(out),
      replacements: fe.replacements.map((r) => ({ offset: r.offset, old: r.old, text: r.text })),
    };
  });
  prepared.targets.forEach((t, i) => {
    const mac = allocated.macs[i];
    if (t.format !== 'vmx' || mac === undefined || t.record.checkMacRange === false) return;
    if (mac < VMWARE_STATIC_RANGE.start || mac > VMWARE_STATIC_RANGE.end)
      warnings.push(
        `${t.record.file}:${t.record.line} (${t.record.vm} ${t.record.adapter}): ${formatMac(mac)} is outside VMware's static range ` +
          `00:50:56:00:00:00-00:50:56:3f:ff:ff and the VM will not power on; use --pool with a pool inside it, or set ${t.record.adapter}.checkMACAddress = "FALSE"`,
      );
  });
  const plan: FixPlan = {
    macfleetFixPlan: FIX_PLAN_VERSION,
    createdAt: new Date(options.now).toISOString(),
    roots: prepared.roots,
    options: {
      scope: options.scope,
      keep: options.keepText,
      dynamic: options.dynamic,
      pool: options.pool,
      backupDir: options.backupDir === null ? null : resolve(options.cwd, options.backupDir),
    },
    changes: built.changes.map((c) => ({ ...c, file: abs(c.file) })),
    files,
    allocations: allocated.allocations,
    powershell: built.powershell,
    warnings,
  };
  return { plan, texts, scan: prepared.scan };
}
