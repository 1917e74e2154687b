/** What the text sources (iproute2 JSON, leases, arpwatch, SNMP walks) share: their result and helpers. */
import { isMulticast, safeParseMac, type Mac } from '../mac/index.js';
import type { ObserveIssue, Observation } from './model.js';

export interface SourceResult {
  readonly observations: Observation[];
  readonly issues: ObserveIssue[];
  /** Earliest and latest time the source tells, ms (null when it tells none). */
  readonly first: number | null;
  readonly last: number | null;
}

/** A station's MAC (unicast, not all zeros) or null. */
export function stationMac(text: string): Mac | null {
  const r = safeParseMac(text);
  if (!r.success || r.data === 0 || isMulticast(r.data)) return null;
  return r.data;
}

/** 1-based line of a character offset. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** JSON.parse with the failure as a positioned issue (V8 says "at position N"). */
export function parseJson(
  text: string,
  file: string,
  what: string,
): { value: unknown } | { issue: ObserveIssue } {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (e) {
    const m = /position (\d+)/.exec((e as Error).message);
    const offset = m === null ? text.length : Number(m[1]);
    return {
      issue: {
        file,
        offset,
        line: lineAt(text, offset),
        code: 'PARSE_ERROR',
        message: `not ${what}: ${(e as Error).message}`,
      },
    };
  }
}

/**
 * A JSON array of entries (iproute2's `-j` output), or the result a source gives when the text is not
 * JSON or not an array: no observations and one positioned issue.
 */
export function parseJsonArray(
  text: string,
  file: string,
  what: string,
  expected: string,
): { items: unknown[] } | { failed: SourceResult } {
  const parsed = parseJson(text, file, what);
  const fail = (issue: ObserveIssue) => ({
    failed: { observations: [], issues: [issue], first: null, last: null },
  });
  if ('issue' in parsed) return fail(parsed.issue);
  if (!Array.isArray(parsed.value))
    return fail({ file, offset: 0, code: 'PARSE_ERROR', message: `expected ${expected}` });
  return { items: parsed.value as unknown[] };
}

/** Time span of a set of ms times (nulls ignored). */
export function span(times: Iterable<number | null>): { first: number | null; last: number | null } {
  let first: number | null = null;
  let last: number | null = null;
  for (const t of times) {
    if (t === null || !Number.isFinite(t)) continue;
    if (first === null || t < first) first = t;
    if (last === null || t > last) last = t;
  }
  return { first, last };
}

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
