/**
 * Rewriting a MAC back into a config file: each format turns edits (an adapter's MAC span and what it
 * becomes) into replacements of exact character ranges, and nothing else in the text changes. The
 * replacements carry the text they replace, so a change can be checked and reversed.
 */
import { MacfleetError } from '../errors.js';
import { formatMac, safeParseMac, type Mac } from '../mac/index.js';

export const EDIT_KINDS = ['set', 'dynamic'] as const;
export type EditKind = (typeof EDIT_KINDS)[number];

/** One adapter's change: `offset`/`length` is its MAC value as the parser recorded it (macSpan). */
export interface MacEdit {
  readonly kind: EditKind;
  /** The adapter's id in its format (`ethernet1`, `net0`, ...), as the parser reported it. */
  readonly adapter: string;
  readonly offset: number;
  readonly length: number;
  /** The new MAC (kind `set`). */
  readonly mac?: Mac;
}

/** `text.slice(offset, offset + old.length) === old` becomes `text`. */
export interface Replacement {
  readonly offset: number;
  readonly old: string;
  readonly text: string;
}

/** A format's rewrite: the replacements that apply the edits (sorted, not overlapping). */
export type Rewriter = (text: string, edits: readonly MacEdit[]) => Replacement[];

/** Apply replacements (sorted by offset, not overlapping) to a text. */
export function applyReplacements(text: string, replacements: readonly Replacement[]): string {
  let out = '';
  let at = 0;
  for (const r of replacements) {
    out += text.slice(at, r.offset) + r.text;
    at = r.offset + r.old.length;
  }
  return out + text.slice(at);
}

/** The replacements that undo `replacements` on the text they produced. */
export function reverseReplacements(replacements: readonly Replacement[]): Replacement[] {
  let shift = 0;
  return replacements.map((r) => {
    const back = { offset: r.offset + shift, old: r.text, text: r.old };
    shift += r.text.length - r.old.length;
    return back;
  });
}

/** Sort and check: no two replacements overlap, each matches the text. */
export function checkedReplacements(text: string, replacements: readonly Replacement[]): Replacement[] {
  const sorted = [...replacements].sort((a, b) => a.offset - b.offset || a.old.length - b.old.length);
  let end = 0;
  for (const r of sorted) {
    if (r.offset < end) throw new MacfleetError('INTERNAL', `overlapping rewrites at character ${r.offset}`);
    if (text.slice(r.offset, r.offset + r.old.length) !== r.old)
      throw staleSpan(r.offset, r.old, text.slice(r.offset, r.offset + r.old.length));
    end = r.offset + r.old.length;
  }
  return sorted;
}

export function staleSpan(offset: number, expected: string, found: string): MacfleetError {
  return new MacfleetError(
    'STALE_FILE',
    `expected ${JSON.stringify(expected)} at character ${offset}, found ${JSON.stringify(found)}: the file changed since it was read`,
    { location: { position: offset } },
  );
}

/** The MAC text of an edit's span, checked to be a MAC. */
export function macAt(text: string, edit: MacEdit): string {
  const raw = text.slice(edit.offset, edit.offset + edit.length);
  if (edit.length === 0 || !safeParseMac(raw).success)
    throw new MacfleetError(
      'STALE_FILE',
      `${edit.adapter}: expected a MAC at character ${edit.offset}, found ${JSON.stringify(raw)}: the file changed since it was read`,
      { location: { position: edit.offset } },
    );
  return raw;
}

export function newMacOf(edit: MacEdit): Mac {
  if (edit.mac === undefined)
    throw new MacfleetError('INTERNAL', `${edit.adapter}: a "set" edit without a MAC`);
  return edit.mac;
}

/**
 * `mac` written the way `like` is: same separators (`:`, `-`, Cisco dots, none) and letter case, so a
 * file keeps its own notation (`00:50:56:AB:CD:EF`, `00155D0A0001`, `BC:24:11:...`).
 * @example formatMacLike(mac, '08:00:27:AA:BB:CC') → '02:AB:CD:00:00:01'
 */
export function formatMacLike(mac: Mac, like: string): string {
  const t = like.trim();
  const notation = t.includes('.')
    ? 'cisco'
    : t.includes('-')
      ? 'hyphen'
      : t.includes(':')
        ? 'colon'
        : 'bare';
  const text = formatMac(mac, notation);
  const upper = /[A-F]/.test(t);
  const lower = /[a-f]/.test(t);
  if (upper && !lower) return text.toUpperCase();
  if (lower && !upper) return text.toLowerCase();
  return text;
}

/** A span replaced by a new MAC in the notation of the old one. */
export function setMac(text: string, edit: MacEdit): Replacement {
  const old = macAt(text, edit);
  return { offset: edit.offset, old, text: formatMacLike(newMacOf(edit), old) };
}

/** The whole line holding `offset` (with its line ending), or undefined when others share it. */
export function lineAround(
  text: string,
  from: number,
  to: number,
): { start: number; end: number } | undefined {
  const start = text.lastIndexOf('\n', from - 1) + 1;
  const nl = text.indexOf('\n', to);
  const end = nl < 0 ? text.length : nl + 1;
  if (text.slice(start, from).trim() !== '' || text.slice(to, nl < 0 ? text.length : nl).trim() !== '')
    return undefined;
  return { start, end };
}

/**
 * Remove the XML element whose attribute or text holds the edit's MAC (`<mac address=.../>`,
 * `<rasd:Address>...</rasd:Address>`), with its line when it is alone on it.
 */
export function removeXmlElement(text: string, edit: MacEdit, name: string): Replacement {
  macAt(text, edit);
  const start = text.lastIndexOf('<', edit.offset);
  const tag = /^<([\w.-]+:)?([\w.-]+)/.exec(text.slice(start, start + 128));
  if (start < 0 || tag === null || tag[2] !== name)
    throw new MacfleetError(
      'STALE_FILE',
      `${edit.adapter}: no <${name}> element around character ${edit.offset}: the file changed since it was read`,
    );
  const close = text.indexOf('>', edit.offset + edit.length);
  let end: number;
  if (text[close - 1] === '/') end = close + 1;
  else {
    const closing = `</${tag[1] ?? ''}${name}`;
    const at = text.indexOf(closing, edit.offset);
    end = at < 0 ? -1 : text.indexOf('>', at) + 1;
  }
  if (close < 0 || end <= 0)
    throw new MacfleetError(
      'STALE_FILE',
      `${edit.adapter}: <${name}> element not closed: the file changed since it was read`,
    );
  const line = lineAround(text, start, end);
  const from = line?.start ?? start;
  const to = line?.end ?? end;
  return { offset: from, old: text.slice(from, to), text: '' };
}
