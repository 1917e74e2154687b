/**
 * The plan as a terminal reads it: a table of changes, a unified diff per file (jsdiff), the PowerShell
 * for Hyper-V hosts and the warnings. Every value that came from a file is made safe for a terminal
 * (control characters shown escaped), so a crafted VM name cannot move the cursor or recolour the screen.
 */
import { createTwoFilesPatch } from 'diff';
import { escapeTerminal } from '../escape.js';
import type { FixPlan, PlanChange } from './plan-schema.js';

/** Text from files made safe for a terminal, line breaks and tabs kept (src/escape.ts, the one rule). */
export const terminalSafe = (s: string): string => escapeTerminal(s, { keepLineBreaks: true });

const oneLine = (s: string): string => terminalSafe(s).replace(/[\t\n]/g, ' ');

function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows
    .map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  '))
    .join('\n');
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

function resolves(c: PlanChange): string {
  return c.finding.kind === 'duplicate' ? `duplicate (${c.finding.scope ?? '?'})` : c.finding.kind;
}

function newValue(c: PlanChange): string {
  const mac = c.newMac ?? 'dynamic';
  return c.via === 'file' ? mac : `${mac} (${c.via === 'powershell' ? 'PowerShell' : 'by hand'})`;
}

/** One line summing the plan up. */
export function planSummary(plan: FixPlan): string {
  if (plan.changes.length === 0) return 'nothing to fix';
  const via = (v: PlanChange['via']) => plan.changes.filter((c) => c.via === v).length;
  const how = [
    ...(via('file') > 0 ? [`${via('file')} written into ${plural(plan.files.length, 'file')}`] : []),
    ...(via('powershell') > 0 ? [`${via('powershell')} by PowerShell`] : []),
    ...(via('manual') > 0 ? [`${via('manual')} by hand`] : []),
  ];
  const fresh = plan.changes.filter((c) => c.newMac !== null).length;
  const pools = [...new Set(plan.allocations.map((a) => a.pool))];
  const what = [
    ...(fresh > 0
      ? [`${plural(fresh, 'new MAC')}${pools.length > 0 ? ` from pool ${pools.join(', ')}` : ''}`]
      : []),
    ...(plan.changes.length > fresh ? [`${plan.changes.length - fresh} switched to dynamic`] : []),
  ];
  return `${plural(plan.changes.length, 'change')}: ${how.join(', ')}; ${what.join(', ')}`;
}

/** The table of changes; `shown` maps a plan path to how the user named it. */
export function changeTable(plan: FixPlan, shown: (file: string) => string): string {
  const rows = [['FILE:LINE', 'VM', 'HOST', 'NETWORK', 'OLD MAC', '', 'NEW MAC', 'RESOLVES']];
  for (const c of plan.changes)
    rows.push([
      oneLine(`${shown(c.file)}:${c.line}`),
      oneLine(c.vm),
      oneLine(c.host ?? '-'),
      oneLine(c.network ?? '-'),
      c.oldMac,
      '->',
      newValue(c),
      resolves(c),
    ]);
  return table(rows);
}

/**
 * A unified diff of one file as `patch -p1` takes it (text as decoded, line endings kept; the file keeps
 * its own encoding). Raw: escape it for where it goes.
 */
export function unifiedDiff(name: string, before: string, after: string): string {
  const patch = createTwoFilesPatch(`a/${name}`, `b/${name}`, before, after, undefined, undefined, {
    context: 2,
  });
  // jsdiff starts with an `Index:`-less `===` header line; the rest is a standard unified diff.
  return patch.replace(/^=+\n/m, '');
}

/** The diff for a terminal (control characters shown escaped, CRs dropped). */
export const fileDiff = (name: string, before: string, after: string): string =>
  terminalSafe(unifiedDiff(name, before, after).replace(/\r(?=\n)/g, ''));

export function renderPlanText(
  plan: FixPlan,
  texts: ReadonlyMap<string, { readonly before: string; readonly after: string; readonly shown: string }>,
  shown: (file: string) => string,
): string {
  const out = [planSummary(plan)];
  if (plan.changes.length > 0) out.push('', changeTable(plan, shown));
  for (const f of plan.files) {
    const t = texts.get(f.file);
    if (t !== undefined) out.push('', fileDiff(shown(f.file), t.before, t.after).trimEnd());
  }
  if (plan.powershell.length > 0)
    out.push(
      '',
      'PowerShell for the Hyper-V hosts (VMs turned off):',
      ...plan.powershell.map((c) => `  ${terminalSafe(c)}`),
    );
  if (plan.warnings.length > 0) out.push('', 'warnings:', ...plan.warnings.map((w) => `  ${oneLine(w)}`));
  return `${out.join('\n')}\n`;
}
