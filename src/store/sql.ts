/** Small SQL helpers shared by both dialects. */
import type { SqlValue } from './store.js';

/**
 * Rewrite `?` placeholders to PostgreSQL's `$1, $2, ...`, leaving `?` inside quoted literals and
 * identifiers alone. @example toPostgresPlaceholders("a = ? AND b = '?'") → "a = $1 AND b = '?'"
 */
export function toPostgresPlaceholders(sql: string): string {
  let out = '';
  let n = 0;
  let quote: string | undefined;
  for (const ch of sql) {
    if (quote !== undefined) {
      if (ch === quote) quote = undefined;
      out += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      out += ch;
    } else if (ch === '?') {
      out += `$${++n}`;
    } else {
      out += ch;
    }
  }
  return out;
}

/** Whether a driver error is a unique or primary-key violation (SQLite or PostgreSQL). */
export function isUniqueViolation(e: unknown): boolean {
  if (typeof e !== 'object' || e === null || !('code' in e)) return false;
  const code = e.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** `(?, ?), (?, ?)` for a multi-row VALUES list of `rows` rows of `width` columns. */
export function valuesPlaceholders(rows: number, width: number): string {
  const row = `(${new Array<string>(width).fill('?').join(', ')})`;
  return new Array<string>(rows).fill(row).join(', ');
}

/** Split rows into chunks that keep a statement under the drivers' parameter limits. */
export function* chunks<T>(items: readonly T[], size: number): Generator<readonly T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

export type { SqlValue };
