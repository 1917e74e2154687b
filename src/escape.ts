/**
 * Output escaped for where it goes: a terminal, a CSV cell, a shell command line. Names and text read
 * from VM configs and databases are untrusted; every renderer of those places calls these.
 */

// C0 controls (but for line breaks and tabs when kept), DEL, C1 controls, and the bidirectional
// overrides and isolates that reorder what a terminal shows ("Trojan Source", CVE-2021-42574).
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const TERMINAL_UNSAFE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex -- as above
const TERMINAL_UNSAFE_ALL = /[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\x1b': '\\e' };

const visible = (c: string): string => {
  const named = NAMED[c];
  if (named !== undefined) return named;
  const code = c.charCodeAt(0);
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
};

/** Whether the text holds a character `escapeTerminal` would escape (line breaks and tabs included). */
export function hasControlCharacters(text: string): boolean {
  TERMINAL_UNSAFE_ALL.lastIndex = 0;
  return TERMINAL_UNSAFE_ALL.test(text);
}

/**
 * Text safe to print on a terminal: control characters (ESC, CR, the other C0 and C1 codes, DEL) and
 * bidi overrides become visible escapes (`\e`, `\r`, `\x07`, `\u202e`). With `keepLineBreaks` (a whole
 * report) newlines and tabs stay as they are; without (one name or value) they are escaped too.
 *
 * @example escapeTerminal('vm\x1b]0;pwned\x07') // 'vm\\e]0;pwned\\x07'
 */
export function escapeTerminal(text: string, options: { keepLineBreaks?: boolean } = {}): string {
  const re = options.keepLineBreaks === true ? TERMINAL_UNSAFE : TERMINAL_UNSAFE_ALL;
  re.lastIndex = 0;
  return re.test(text) ? text.replace(re, visible) : text;
}

// Cells a spreadsheet would read as a formula (or a DDE call) start with one of these. OWASP "CSV
// Injection" (https://owasp.org/www-community/attacks/CSV_Injection) and ASVS 4/5 requirement 1.2.10:
// prefix such a cell with a single quote and quote the cell (RFC 4180 sections 2.6 and 2.7).
const FORMULA_START = /^[=+\-@\t\r\0]/;

/**
 * One CSV cell (RFC 4180): quoted when it holds a quote, comma or line break, and neutralised (a leading
 * `'`, then quoted) when a spreadsheet would take it for a formula. Every CSV macfleet writes uses it.
 *
 * @example csvCell('=HYPERLINK("x")') // `"'=HYPERLINK(""x"")"`
 */
export function csvCell(value: string | number | null | undefined): string {
  let s = value === null || value === undefined ? '' : String(value);
  const formula = FORMULA_START.test(s);
  if (formula) s = `'${s}`;
  return formula || /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV line (no line break) of cells. */
export const csvRow = (cells: readonly (string | number | null | undefined)[]): string =>
  cells.map(csvCell).join(',');

/**
 * A word for a POSIX shell command line: as is when it holds only characters no shell treats specially,
 * else in single quotes (a `'` inside written `'\''`).
 *
 * @example shellQuote("web 01") // "'web 01'"
 */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
