/**
 * The form in which a worker sends a batch's results back: one flat array of primitives instead of a
 * graph of objects. Structured clone copies a flat array far faster than thousands of small objects
 * (each with its own property map), and the main thread rebuilds the records for less than it costs
 * to deserialize them. `decodeResults(encodeResults(r))` is deep-equal to `r`, optional fields
 * included (absent stays absent).
 */
import type { AdapterRecord, FormatIssue, FormatName, TextSpan } from '../formats/types.js';
import type { FileResult } from './read-config.js';

/** Per file: format, issues, adapter count, then per adapter `ADAPTER_SLOTS` values. */
const ADAPTER_SLOTS = 20;

export function encodeResults(results: readonly FileResult[]): unknown[] {
  const out: unknown[] = [];
  for (const r of results) {
    out.push(r.format, r.issues.length === 0 ? null : r.issues, r.adapters.length);
    for (const a of r.adapters) {
      const s = a.macSpan;
      out.push(
        a.file,
        a.line,
        a.column,
        a.path,
        a.vm,
        a.adapter,
        a.mac,
        a.macText,
        s === null ? -1 : s.offset,
        s?.length,
        s?.line,
        s?.column,
        a.mode,
        a.network,
        a.hostPrivate,
        a.hypervisor,
        a.host,
        a.enabled,
        a.checkMacRange,
        a.macSpoofing,
      );
    }
  }
  return out;
}

export function decodeResults(wire: readonly unknown[]): FileResult[] {
  const results: FileResult[] = [];
  let i = 0;
  while (i < wire.length) {
    const format = wire[i] as FormatName | undefined;
    const issues = (wire[i + 1] as FormatIssue[] | null) ?? [];
    const n = wire[i + 2] as number;
    i += 3;
    const adapters: AdapterRecord[] = [];
    for (let k = 0; k < n; k++, i += ADAPTER_SLOTS) adapters.push(decodeAdapter(wire, i));
    results.push(format === undefined ? { adapters, issues } : { adapters, issues, format });
  }
  return results;
}

function decodeAdapter(w: readonly unknown[], i: number): AdapterRecord {
  const offset = w[i + 8] as number;
  const macSpan: TextSpan | null =
    offset === -1
      ? null
      : { offset, length: w[i + 9] as number, line: w[i + 10] as number, column: w[i + 11] as number };
  const path = w[i + 3] as string | undefined;
  const checkMacRange = w[i + 18] as boolean | undefined;
  const macSpoofing = w[i + 19] as boolean | undefined;
  return {
    file: w[i] as string,
    line: w[i + 1] as number,
    column: w[i + 2] as number,
    ...(path === undefined ? {} : { path }),
    vm: w[i + 4] as string,
    adapter: w[i + 5] as string,
    mac: w[i + 6] as AdapterRecord['mac'],
    macText: w[i + 7] as string | null,
    macSpan,
    mode: w[i + 12] as AdapterRecord['mode'],
    network: w[i + 13] as string | null,
    hostPrivate: w[i + 14] as boolean,
    hypervisor: w[i + 15] as AdapterRecord['hypervisor'],
    host: w[i + 16] as string | null,
    enabled: w[i + 17] as boolean,
    ...(checkMacRange === undefined ? {} : { checkMacRange }),
    ...(macSpoofing === undefined ? {} : { macSpoofing }),
  };
}
