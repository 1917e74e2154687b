/**
 * Which adapters change, and how (pure). Every member but one of each blocking and conflicting duplicate
 * (latent ones too with scope `latent`), and every adapter with an invalid MAC. NLB cluster MACs, shared
 * by design, are never touched. The member that keeps its MAC: the file modified longest ago (`oldest`),
 * the first in path order (`first`), or the member whose file matches a glob.
 */
import type { Finding, FindingMember } from '../audit/index.js';
import { MacfleetError } from '../errors.js';
import { hasDynamicSetting, isRewritable } from '../formats/rewriters.js';
import type { AdapterRecord, FormatName } from '../formats/types.js';
import { classifyMac, formatMac, safeParseMac } from '../mac/index.js';
import type { ChangeAction, ChangeVia } from './plan-schema.js';

export const FIX_SCOPES = ['default', 'latent'] as const;
export type FixScope = (typeof FIX_SCOPES)[number];

/** A fix scope from text (`--scope`, a form's `scope`); refused with the field named. */
export function parseFixScope(text: string, field: string): FixScope {
  const scope = FIX_SCOPES.find((s) => s === text);
  if (scope === undefined)
    throw new MacfleetError(
      'INVALID_ARGUMENT',
      `${field}: expected default or latent, got ${JSON.stringify(text)}`,
      {
        location: { field },
      },
    );
  return scope;
}

export type KeepRule =
  | { readonly kind: 'oldest' }
  | { readonly kind: 'first' }
  | { readonly kind: 'glob'; readonly glob: string; readonly matches: (file: string) => boolean };

/** A file holding a member of a finding being fixed, as read when planning. */
export interface PlanFileInput {
  readonly file: string;
  readonly format: FormatName;
  readonly text: string;
  readonly mtimeMs: number;
}

export interface SelectInput {
  readonly adapters: readonly AdapterRecord[];
  readonly findings: readonly Finding[];
  readonly files: ReadonlyMap<string, PlanFileInput>;
  readonly scope: FixScope;
  readonly keep: KeepRule;
  readonly dynamic: boolean;
}

export interface FixTarget {
  readonly record: AdapterRecord;
  readonly format: FormatName;
  readonly action: ChangeAction;
  readonly via: ChangeVia;
  readonly finding: Finding;
  readonly keeper: FindingMember | null;
}

export interface Selection {
  readonly targets: FixTarget[];
  readonly notes: string[];
}

const recordKey = (m: { file: string; line: number; column: number; adapter: string }): string =>
  `${m.file}\0${m.line}\0${m.column}\0${m.adapter}`;

export const describeMember = (m: FindingMember): string => `${m.file}:${m.line} ${m.vm} ${m.adapter}`;

function isNlb(mac: string): boolean {
  const parsed = safeParseMac(mac);
  return parsed.success && classifyMac(parsed.data).kind.startsWith('nlb');
}

/** Which findings are fixed under a scope (a scan's findings, or the inventory's: the same rule). */
export function isFixed(f: Pick<Finding, 'kind' | 'scope' | 'mac'>, scope: FixScope): boolean {
  if (f.mac !== undefined && isNlb(f.mac)) return false;
  if (f.kind === 'invalid') return true;
  if (f.kind !== 'duplicate') return false;
  return f.scope === 'blocking' || f.scope === 'conflicting' || (scope === 'latent' && f.scope === 'latent');
}

/** The member that keeps the MAC. */
export function chooseKeeper(
  members: readonly FindingMember[],
  keep: KeepRule,
  mtimeOf: (file: string) => number,
): FindingMember {
  const byPath = [...members].sort((a, b) =>
    a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column,
  );
  if (keep.kind === 'first') return byPath[0]!;
  const candidates = keep.kind === 'glob' ? byPath.filter((m) => keep.matches(m.file)) : byPath;
  const pool = candidates.length > 0 ? candidates : byPath;
  // Oldest modification time; ties in path order (the sort above is stable).
  return pool.reduce((best, m) => (mtimeOf(m.file) < mtimeOf(best.file) ? m : best), pool[0]!);
}

/** The changes that resolve the fixed findings, one per adapter, in file order. */
export function selectChanges(input: SelectInput): Selection {
  const byKey = new Map<string, AdapterRecord>();
  // Only the files holding members of the findings were read: the other adapters are never looked up.
  for (const a of input.adapters) if (input.files.has(a.file)) byKey.set(recordKey(a), a);
  const mtimeOf = (file: string) => input.files.get(file)?.mtimeMs ?? Number.POSITIVE_INFINITY;
  const notes: string[] = [];
  const chosen = new Map<string, FixTarget>();
  const add = (m: FindingMember, finding: Finding, keeper: FindingMember | null) => {
    const key = recordKey(m);
    if (chosen.has(key)) return;
    const record = byKey.get(key);
    const file = input.files.get(m.file);
    if (record === undefined || record.mac === null || file === undefined) {
      notes.push(`${describeMember(m)}: not found in the scan any more; left alone`);
      return;
    }
    chosen.set(key, target(record, file, finding, keeper, input.dynamic));
  };
  for (const f of input.findings) {
    if (!isFixed(f, input.scope)) continue;
    if (f.kind === 'invalid') {
      for (const m of f.members) add(m, f, null);
      continue;
    }
    const keeper = chooseKeeper(f.members, input.keep, mtimeOf);
    if (
      input.keep.kind === 'glob' &&
      !f.members.some((m) => input.keep.kind === 'glob' && input.keep.matches(m.file))
    )
      notes.push(
        `${f.mac}: no member's file matches --keep ${input.keep.glob}; kept ${describeMember(keeper)} (oldest)`,
      );
    for (const m of f.members) if (m !== keeper) add(m, f, keeper);
  }
  const targets = [...chosen.values()].sort(
    (a, b) =>
      (a.record.file < b.record.file ? -1 : a.record.file > b.record.file ? 1 : 0) ||
      a.record.line - b.record.line ||
      a.record.column - b.record.column,
  );
  return { targets, notes };
}

function target(
  record: AdapterRecord,
  file: PlanFileInput,
  finding: Finding,
  keeper: FindingMember | null,
  dynamic: boolean,
): FixTarget {
  const format = file.format;
  const offset = record.macSpan?.offset ?? 0;
  const action: ChangeAction = dynamic && hasDynamicSetting(format, file.text, offset) ? 'dynamic' : 'static';
  const via: ChangeVia = isRewritable(format)
    ? 'file'
    : format === 'hyperv-json' || format === 'hyperv-csv'
      ? 'powershell'
      : 'manual';
  return { record, format, action, via, finding, keeper };
}

/** The MAC of a record as plan text. */
export const macTextOf = (r: AdapterRecord): string => (r.mac === null ? '' : formatMac(r.mac));
