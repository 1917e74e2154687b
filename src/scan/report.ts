/** Renderings of a scan result: the stable JSON shape, CSV of findings, and the human report. */
import { segmentOf, severityRank, type Finding, type SegmentRule, type Severity } from '../audit/index.js';
import type { ScanDocument, ScanDocumentAdapter } from '../audit/scan-document.js';
import type { AdapterRecord } from '../formats/types.js';
import { formatMac } from '../mac/index.js';
import type { ScanResult } from './scan.js';
import { csvRow, escapeTerminal } from '../escape.js';

/** The `--json` document: `{files, adapters, findings, issues}` (src/audit/scan-document.ts). */
export function scanJson(r: ScanResult): ScanDocument {
  const rules = r.segmentRules;
  return { files: r.files, adapters: r.adapters.map((a) => jsonAdapter(a, rules)), ...jsonRest(r) };
}

// One literal shape per kind of object (absent optional fields are undefined, which JSON.stringify leaves
// out, as an absent key would be): building and stringifying 10k issues is several times faster so.
function jsonRest(r: ScanResult): Omit<ScanDocument, 'files' | 'adapters'> {
  return {
    findings: r.findings.map((f) => ({
      kind: f.kind,
      scope: f.scope,
      severity: f.severity,
      mac: f.mac,
      message: f.message,
      fix: f.fix,
      members: f.members.map((m) => ({
        file: m.file,
        line: m.line,
        vm: m.vm,
        host: m.host,
        network: m.network,
        column: m.column,
        adapter: m.adapter,
      })),
    })),
    issues: r.issues.map((i) => ({
      file: i.file,
      line: i.line,
      code: i.code,
      message: i.message,
      severity: i.severity,
      column: i.column,
      path: i.path,
    })),
    formats: r.formats,
    filesSeen: r.filesSeen,
  };
}

/**
 * The `--json` document in pieces to write one after the other: encoding a report of tens of megabytes as
 * one string costs several times more than its pieces. `adapterChunks` are adapters already rendered
 * while the scan ran (each a comma-joined run of `jsonAdapter` objects, in order, as text or as its UTF-8
 * bytes); without them the adapters are rendered here. The pieces joined are
 * JSON.stringify(scanJson(r)) plus a newline.
 */
export function scanJsonPieces(
  r: ScanResult,
  adapterChunks?: readonly (string | Uint8Array)[],
): (string | Uint8Array)[] {
  const chunks = (adapterChunks ?? [renderAdapters(r.adapters, r.segmentRules)]).filter((c) => c.length > 0);
  const pieces: (string | Uint8Array)[] = [`{"files":${r.files},"adapters":[`];
  chunks.forEach((c, i) => {
    if (i > 0) pieces.push(',');
    pieces.push(c);
  });
  // Each member of the rest stringified on its own and written as is: slicing or concatenating the
  // megabytes of findings and issues as one string would copy them (~30 ms on a 100k-file scan).
  let sep = '],';
  for (const [key, value] of Object.entries(jsonRest(r))) {
    pieces.push(`${sep}${JSON.stringify(key)}:`, JSON.stringify(value));
    sep = ',';
  }
  pieces.push('}\n');
  return pieces;
}

/** The `--json` document as one string. */
export const scanJsonText = (r: ScanResult, adapterChunks?: readonly (string | Uint8Array)[]): string =>
  scanJsonPieces(r, adapterChunks)
    .map((p) => (typeof p === 'string' ? p : utf8.decode(p)))
    .join('');

const utf8 = new TextDecoder();

/**
 * A comma-joined run of adapters in the `--json` shape (one stringify for the run: about 40% faster);
 * `segmentRules` are the scan's (`ScanOptions.segments`).
 */
export const renderAdapters = (
  adapters: readonly AdapterRecord[],
  segmentRules?: readonly SegmentRule[],
): string => JSON.stringify(adapters.map((a) => jsonAdapter(a, segmentRules))).slice(1, -1);

/**
 * The adapter in the `--json` shape. One literal shape for every adapter keeps stringify fast; a `path`
 * of undefined (non-XML formats) is left out by JSON.stringify, as an absent key would be.
 */
function jsonAdapter(
  a: AdapterRecord,
  segmentRules: readonly SegmentRule[] | undefined,
): ScanDocumentAdapter {
  return {
    file: a.file,
    line: a.line,
    vm: a.vm,
    host: a.host,
    network: a.network,
    mac: a.mac === null ? null : formatMac(a.mac),
    mode: a.mode,
    hypervisor: a.hypervisor,
    column: a.column,
    path: a.path,
    adapter: a.adapter,
    enabled: a.enabled,
    hostPrivate: a.hostPrivate,
    segment: segmentOf(a, segmentRules),
  };
}

/** `--csv`: one row per finding member. */
export function scanCsv(r: ScanResult): string {
  const rows = [
    [
      'kind',
      'scope',
      'severity',
      'mac',
      'file',
      'line',
      'column',
      'host',
      'vm',
      'adapter',
      'network',
      'message',
      'fix',
    ],
  ];
  for (const f of r.findings) {
    for (const m of f.members) {
      rows.push([
        f.kind,
        f.scope ?? '',
        f.severity,
        f.mac ?? '',
        m.file,
        String(m.line),
        String(m.column),
        m.host ?? '',
        m.vm,
        m.adapter,
        m.network ?? '',
        f.message,
        f.fix,
      ]);
    }
  }
  return rows.map(csvRow).join('\n') + '\n';
}

const count = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The human report, grouped by finding, worst first. */
export function scanText(r: ScanResult): string {
  const out: string[] = [];
  const bySeverity = (s: Severity) => r.findings.filter((f) => f.severity === s).length;
  const formats = Object.entries(r.formats)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const live = r.adapters.filter((a) => a.enabled).length;
  out.push(
    `Scanned ${count(r.files, 'VM config file')}${formats ? ` (${formats})` : ''} out of ${count(r.filesSeen, 'file')}: ` +
      `${count(r.adapters.length, 'adapter')} (${live} enabled).`,
  );
  out.push(
    `${count(r.findings.length, 'finding')}: ${bySeverity('error')} error, ${bySeverity('warning')} warning, ${bySeverity('info')} info.`,
  );
  const noHost = r.adapters.filter((a) => a.host === null).length;
  if (noHost > 0)
    out.push(`${count(noHost, 'adapter')} on an unknown host (give --host-from-path to tell hosts apart).`);
  for (const f of r.findings) out.push('', ...findingLines(f));
  if (r.issues.length > 0) {
    out.push('', `Notes and problems reading files (${r.issues.length}):`);
    const sorted = [...r.issues].sort(
      (a, b) => severityRank(b.severity) - severityRank(a.severity) || a.file.localeCompare(b.file),
    );
    for (const i of sorted) {
      const where =
        i.line === undefined ? i.file : `${i.file}:${i.line}${i.column === undefined ? '' : `:${i.column}`}`;
      out.push(`  ${i.severity.padEnd(7)} ${where}  ${i.code}: ${i.message}`);
    }
  }
  // Names, paths and messages come from the files: no line may carry a terminal control sequence.
  return out.map((line) => escapeTerminal(line)).join('\n') + '\n';
}

function findingLines(f: Finding): string[] {
  const title = `${f.severity.toUpperCase()}  ${f.kind}${f.scope ? ` (${f.scope})` : ''}${f.mac ? `  ${f.mac}` : ''}`;
  const lines = [title, `  ${f.message}`];
  for (const m of f.members) {
    lines.push(
      `  - ${m.host ?? 'unknown host'} / ${m.vm} / ${m.adapter} on ${m.network ?? 'no network'}  ${m.file}:${m.line}:${m.column}`,
    );
  }
  lines.push(`  fix: ${f.fix}`);
  return lines;
}
