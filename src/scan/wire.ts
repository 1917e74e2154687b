/**
 * The form in which a worker sends a batch's results back: one flat array of primitives instead of a
 * graph of objects. Structured clone copies a flat array far faster than thousands of small objects
 * (each with its own property map), and the main thread rebuilds the records for less than it costs
 * to deserialize them. An adapter's file is almost always the file the batch named: it is then not sent,
 * and the decoded record shares the main thread's path string. `decodeResults(encodeResults(r, files),
 * files)` is deep-equal to `r`, optional fields included (absent stays absent).
 */
import {
  HYPERVISORS,
  MAC_MODES,
  type AdapterRecord,
  type FormatIssue,
  type FormatName,
  type TextSpan,
} from '../formats/types.js';
import type { FileResult } from './read-config.js';

/** Per file: format, issues, adapter count, then per adapter `ADAPTER_SLOTS` values. */
const ADAPTER_SLOTS = 20;

/** `files[i]` is the path `results[i]` was read from. */
export function encodeResults(results: readonly FileResult[], files: readonly string[]): unknown[] {
  const out: unknown[] = [];
  results.forEach((r, f) => {
    out.push(r.format, r.issues.length === 0 ? null : r.issues, r.adapters.length);
    for (const a of r.adapters) {
      const s = a.macSpan;
      out.push(
        a.file === files[f] ? null : a.file,
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
  });
  return out;
}

/**
 * Strings that repeat from adapter to adapter (modes, hypervisors, network and adapter names) arrive as a
 * new copy each; one copy per batch is kept, so the records the scan keeps share them.
 */
class Strings {
  private readonly seen = new Map<string, string>(CONSTANTS);
  get<T extends string | null>(s: T): T {
    if (s === null) return s;
    const known = this.seen.get(s);
    if (known !== undefined) return known as T;
    this.seen.set(s, s);
    return s;
  }
}
const CONSTANTS: readonly (readonly [string, string])[] = [...MAC_MODES, ...HYPERVISORS].map((s) => [s, s]);

export function decodeResults(wire: readonly unknown[], files: readonly string[]): FileResult[] {
  const strings = new Strings();
  const results: FileResult[] = [];
  let i = 0;
  while (i < wire.length) {
    const file = files[results.length]!;
    const format = wire[i] as FormatName | undefined;
    const issues = (wire[i + 1] as FormatIssue[] | null) ?? [];
    const n = wire[i + 2] as number;
    i += 3;
    const adapters: AdapterRecord[] = [];
    for (let k = 0; k < n; k++, i += ADAPTER_SLOTS) adapters.push(decodeAdapter(wire, i, file, strings));
    results.push(format === undefined ? { adapters, issues } : { adapters, issues, format });
  }
  return results;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function decodeAdapter(w: readonly unknown[], i: number, file: string, strings: Strings): AdapterRecord {
  const offset = w[i + 8] as number;
  const macSpan: TextSpan | null =
    offset === -1
      ? null
      : { offset, length: w[i + 9] as number, line: w[i + 10] as number, column: w[i + 11] as number };
  // Every record gets the same shape (optional fields appended only when present): cheaper to build and
  // to read later than object spreads.
  const a: Mutable<AdapterRecord> = {
    file: (w[i] as string | null) ?? file,
    line: w[i + 1] as number,
    column: w[i + 2] as number,
    vm: w[i + 4] as string,
    adapter: strings.get(w[i + 5] as string),
    mac: w[i + 6] as AdapterRecord['mac'],
    macText: w[i + 7] as string | null,
    macSpan,
    mode: strings.get(w[i + 12] as AdapterRecord['mode']),
    network: strings.get(w[i + 13] as string | null),
    hostPrivate: w[i + 14] as boolean,
    hypervisor: strings.get(w[i + 15] as AdapterRecord['hypervisor']),
    host: w[i + 16] as string | null,
    enabled: w[i + 17] as boolean,
  };
  const path = w[i + 3] as string | undefined;
  const checkMacRange = w[i + 18] as boolean | undefined;
  const macSpoofing = w[i + 19] as boolean | undefined;
  if (path !== undefined) a.path = path;
  if (checkMacRange !== undefined) a.checkMacRange = checkMacRange;
  if (macSpoofing !== undefined) a.macSpoofing = macSpoofing;
  return a;
}
