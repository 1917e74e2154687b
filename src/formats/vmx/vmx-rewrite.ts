/**
 * Rewriting `.vmx` adapters. Static: the `ethernetN.address` value (an adapter that had a generated
 * address gets `addressType = "static"` and an `address` line after its `generatedAddress`). Dynamic:
 * `addressType = "generated"` in place of the `address` line (or the existing addressType set to it), and
 * a duplicated `generatedAddress` removed so VMware generates a new one at the next power-on. Key case,
 * quoting, spacing and line endings follow the adapter's own lines.
 */
import { MacfleetError } from '../../errors.js';
import {
  checkedReplacements,
  formatMacLike,
  macAt,
  newMacOf,
  setMac,
  type MacEdit,
  type Replacement,
} from '../rewrite.js';
import { VMX_LINE } from './vmx-format.js';

interface VmxLine {
  readonly key: string;
  readonly keyRaw: string;
  readonly start: number;
  /** Offset just past the line's `\n` (or the end of the text). */
  readonly end: number;
  readonly eol: string;
  readonly valueOffset: number;
  readonly value: string;
  /** The text between the key and the value (` = "`): reused for lines written new. */
  readonly between: string;
  readonly closing: string;
}

/** The `key = value` lines of one adapter (`ethernet1.`), by lower-case key. */
function adapterLines(text: string, adapter: string): Map<string, VmxLine> {
  const out = new Map<string, VmxLine>();
  const prefix = `${adapter.toLowerCase()}.`;
  let pos = 0;
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    const end = nl < 0 ? text.length : nl + 1;
    const line = text.slice(pos, nl < 0 ? text.length : nl);
    const m = VMX_LINE.exec(line);
    if (m && m[1]!.toLowerCase().startsWith(prefix)) {
      const keyAt = line.indexOf(m[1]!);
      const quoted = m[2] !== undefined;
      const raw = quoted ? m[2]! : (m[3] ?? '');
      const eq = line.indexOf('=', keyAt + m[1]!.length);
      const valueAt = quoted ? line.indexOf('"', eq) + 1 : line.indexOf(raw, eq + 1);
      out.set(m[1]!.toLowerCase(), {
        key: m[1]!.toLowerCase(),
        keyRaw: m[1]!,
        start: pos,
        end,
        eol: line.endsWith('\r') ? '\r\n' : nl < 0 ? '' : '\n',
        valueOffset: pos + valueAt,
        value: raw,
        between: line.slice(keyAt + m[1]!.length, valueAt),
        closing: quoted ? '"' : '',
      });
    }
    pos = end;
  }
  return out;
}

/** A new line for `key`, written like `like` (key prefix case, spacing, quoting, line ending). */
function lineLike(like: VmxLine, field: string, value: string): string {
  const prefix = like.keyRaw.slice(0, like.keyRaw.indexOf('.') + 1);
  const indent = /^[ \t]*/.exec(like.keyRaw)?.[0] ?? '';
  return `${indent}${prefix}${field}${like.between}${value}${like.closing}${like.eol || '\n'}`;
}

function setValue(line: VmxLine, value: string): Replacement {
  return { offset: line.valueOffset, old: line.value, text: value };
}

function wholeLine(text: string, line: VmxLine, replacement = ''): Replacement {
  return { offset: line.start, old: text.slice(line.start, line.end), text: replacement };
}

function editAdapter(text: string, edit: MacEdit): Replacement[] {
  const lines = adapterLines(text, edit.adapter);
  const holder = [...lines.values()].find((l) => l.valueOffset === edit.offset);
  if (holder === undefined)
    throw new MacfleetError(
      'STALE_FILE',
      `${edit.adapter}: no address line at character ${edit.offset}: the file changed since it was read`,
    );
  macAt(text, edit);
  const field = holder.key.slice(holder.key.indexOf('.') + 1);
  const addressType = lines.get(`${edit.adapter.toLowerCase()}.addresstype`);
  if (edit.kind === 'set') {
    if (field === 'address') return [setMac(text, edit)];
    // The adapter had a generated (or vCenter) address: it becomes static, the generated line stays.
    const mac = formatMacLike(newMacOf(edit), holder.value);
    const out: Replacement[] = [{ offset: holder.end, old: '', text: lineLike(holder, 'address', mac) }];
    if (addressType !== undefined) out.push(setValue(addressType, 'static'));
    else out.push({ offset: holder.end, old: '', text: lineLike(holder, 'addressType', 'static') });
    return mergeInsertions(out);
  }
  if (field === 'address') {
    // Static → generated: the address goes; addressType says generated (in place of the address line
    // when the file has none).
    if (addressType === undefined)
      return [wholeLine(text, holder, lineLike(holder, 'addressType', 'generated'))];
    return [setValue(addressType, 'generated'), wholeLine(text, holder)];
  }
  // A generated or vCenter address that is duplicated: removed, so it is generated again.
  return [wholeLine(text, holder)];
}

/** Two insertions at one offset become one (address line, then addressType line). */
function mergeInsertions(rs: Replacement[]): Replacement[] {
  const out: Replacement[] = [];
  for (const r of rs) {
    const prev = out.find((o) => o.offset === r.offset && o.old === '' && r.old === '');
    if (prev) out[out.indexOf(prev)] = { ...prev, text: prev.text + r.text };
    else out.push(r);
  }
  return out;
}

/** The replacements for edits of a .vmx text. */
export function vmxReplacements(text: string, edits: readonly MacEdit[]): Replacement[] {
  return checkedReplacements(
    text,
    edits.flatMap((e) => editAdapter(text, e)),
  );
}

/** The (unescaped-as-written) value of a top-level key such as `uuid.bios`, case-insensitively. */
export function vmxValue(text: string, key: string): string | undefined {
  const want = key.toLowerCase();
  let found: string | undefined;
  for (const line of text.split('\n')) {
    const m = VMX_LINE.exec(line);
    if (m && m[1]!.toLowerCase() === want) found = m[2] ?? m[3] ?? '';
  }
  return found;
}
