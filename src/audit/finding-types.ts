/** Findings: what is wrong, how bad, who is involved and what to do. Pure data, JSON-ready. */
import type { AdapterRecord } from '../formats/types.js';
import { formatMac } from '../mac/index.js';

export const FINDING_KINDS = ['duplicate', 'range-overlap', 'nlb', 'invalid'] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];
export const DUPLICATE_SCOPES = ['blocking', 'conflicting', 'latent'] as const;
export type DuplicateScope = (typeof DUPLICATE_SCOPES)[number];
export const SEVERITIES = ['error', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Higher is worse. */
export const severityRank = (s: Severity): number => (s === 'error' ? 3 : s === 'warning' ? 2 : 1);

export interface FindingMember {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly vm: string;
  readonly host: string | null;
  readonly network: string | null;
  readonly adapter: string;
  readonly mac: string | null;
}

export interface Finding {
  readonly kind: FindingKind;
  readonly scope?: DuplicateScope;
  readonly severity: Severity;
  /** Canonical colon-lower MAC (or the pool prefix for range overlaps). */
  readonly mac?: string;
  /** One line an administrator understands. */
  readonly message: string;
  readonly fix: string;
  readonly members: FindingMember[];
}

/** An adapter with its host resolved (from the file or the path) and its segment. */
export type AuditAdapter = AdapterRecord & { readonly segment: string | null };

export function member(a: AdapterRecord): FindingMember {
  return {
    file: a.file,
    line: a.line,
    column: a.column,
    vm: a.vm,
    host: a.host,
    network: a.network,
    adapter: a.adapter,
    mac: a.mac === null ? null : formatMac(a.mac),
  };
}
