/**
 * From the chosen changes and the MACs allocated for them to the edits of each file, the PowerShell
 * commands and the plan's change list (pure). The caller adds what needs I/O: hashes and absolute paths.
 */
import { MacfleetError } from '../errors.js';
import { formatMac, type Mac } from '../mac/index.js';
import { replacementsFor } from '../formats/rewriters.js';
import type { MacEdit, Replacement } from '../formats/rewrite.js';
import type { FormatName } from '../formats/types.js';
import type { PlanChange } from './plan-schema.js';
import { setVmNetworkAdapter } from './powershell.js';
import { describeMember, type FixTarget, type PlanFileInput } from './select-changes.js';

export interface FileEdits {
  readonly file: string;
  readonly format: FormatName;
  readonly text: string;
  readonly replacements: Replacement[];
}

export interface BuiltPlan {
  readonly changes: PlanChange[];
  readonly files: FileEdits[];
  readonly powershell: string[];
}

/** Whether a target needs a new MAC from the pool. */
export const needsMac = (t: FixTarget): boolean => t.action === 'static';

/**
 * `newMacs[i]` is the MAC allocated for `targets[i]` (undefined for dynamic changes). A file whose edits
 * cannot be made (it changed since the scan) throws its MacfleetError naming the file.
 */
export function buildPlan(
  targets: readonly FixTarget[],
  newMacs: readonly (Mac | undefined)[],
  files: ReadonlyMap<string, PlanFileInput>,
): BuiltPlan {
  const changes: PlanChange[] = [];
  const edits = new Map<string, MacEdit[]>();
  const powershell: string[] = [];
  targets.forEach((t, i) => {
    const r = t.record;
    const mac = newMacs[i];
    changes.push({
      file: r.file,
      line: r.line,
      column: r.column,
      vm: r.vm,
      host: r.host,
      network: r.network,
      adapter: r.adapter,
      format: t.format,
      oldMac: formatMac(r.mac!),
      action: t.action,
      newMac: mac === undefined ? null : formatMac(mac),
      via: t.via,
      finding: {
        kind: t.finding.kind,
        ...(t.finding.scope === undefined ? {} : { scope: t.finding.scope }),
        mac: t.finding.mac ?? formatMac(r.mac!),
      },
      keeps: t.keeper === null ? null : describeMember(t.keeper),
    });
    if (t.via === 'powershell')
      powershell.push(setVmNetworkAdapter({ vm: r.vm, adapter: r.adapter, host: r.host, mac: mac ?? null }));
    if (t.via !== 'file') return;
    const span = r.macSpan!;
    const edit: MacEdit =
      t.action === 'dynamic'
        ? { kind: 'dynamic', adapter: r.adapter, offset: span.offset, length: span.length }
        : { kind: 'set', adapter: r.adapter, offset: span.offset, length: span.length, mac: mac! };
    const list = edits.get(r.file);
    if (list) list.push(edit);
    else edits.set(r.file, [edit]);
  });
  const out: FileEdits[] = [];
  for (const [file, list] of edits) {
    const input = files.get(file)!;
    try {
      out.push({
        file,
        format: input.format,
        text: input.text,
        replacements: replacementsFor(input.format, input.text, list),
      });
    } catch (e) {
      if (!(e instanceof MacfleetError)) throw e;
      throw new MacfleetError(e.code, `${file}: ${e.message}`, {
        location: { ...e.location, file },
        cause: e,
      });
    }
  }
  return { changes, files: out, powershell };
}
