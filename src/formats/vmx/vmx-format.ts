/**
 * VMware `.vmx`: `key = "value"` lines, keys case-insensitive, values quoted (VMware escapes `"` and `|`
 * as `|22` and `|7C`), CRLF tolerated. One adapter per `ethernetN` prefix.
 */
import { FormatContext, isFalse, isTrue } from '../format-context.js';
import type { AdapterRecord, MacMode, ParseOptions, ParseResult } from '../types.js';

interface VmxValue {
  readonly value: string;
  /** Offset of the value's first character (inside the quotes). */
  readonly offset: number;
  readonly rawLength: number;
  readonly keyOffset: number;
}

/** One `key = "value"` line (without its `\n`): key, quoted value, or bare value. */
export const VMX_LINE = /^[ \t]*([A-Za-z0-9_.:-]+)[ \t]*=[ \t]*(?:"([^"\r\n]*)"|([^\r\n#]*?))[ \t]*\r?$/;

/** Decode VMware's `|XX` hex escapes (the raw value is kept for positions). */
const unescapeVmx = (v: string): string =>
  v.includes('|')
    ? v.replace(/\|([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)))
    : v;

/** Parse a .vmx file. @example parseVmx('ethernet0.present = "TRUE"\nethernet0.address = "00:50:56:01:02:03"') */
export function parseVmx(text: string, options?: ParseOptions): ParseResult {
  const ctx = new FormatContext(text, options);
  const keys = new Map<string, VmxValue>();
  const ethernet = new Set<string>();
  let pos = 0;
  while (pos <= text.length) {
    let end = text.indexOf('\n', pos);
    if (end === -1) end = text.length;
    // Only ethernetN.*, displayName, name and checkMACAddress keys matter: other lines are skipped
    // without slicing (most of a .vmx is disks, devices and tools settings).
    let k = pos;
    while (k < end && (text.charCodeAt(k) === 32 || text.charCodeAt(k) === 9)) k++;
    // (Never read past the end: an out-of-range charCodeAt makes V8 throw away the optimised parser.)
    const c = k < end ? text.charCodeAt(k) | 0x20 : 0;
    if (
      c !== 0x65 /* e */ &&
      c !== 0x64 /* d */ &&
      c !== 0x6e /* n */ &&
      c !== 0x63 /* c */ &&
      !isOther(text, k, end)
    ) {
      pos = end + 1;
      continue;
    }
    const line = text.slice(pos, end);
    const trimmed = line.trim();
    if (trimmed !== '' && !trimmed.startsWith('#') && !trimmed.startsWith('.encoding')) {
      const m = VMX_LINE.exec(line);
      if (!m) {
        ctx.issue(
          'PARSE_ERROR',
          `expected key = "value", found ${JSON.stringify(trimmed.slice(0, 60))}`,
          pos + line.indexOf(trimmed),
          {
            severity: 'warning',
          },
        );
      } else {
        const key = m[1]!.toLowerCase();
        const quoted = m[2] !== undefined;
        const raw = quoted ? m[2]! : (m[3] ?? '');
        const valueStart = quoted
          ? line.indexOf('"', line.indexOf('=')) + 1
          : line.indexOf(raw, line.indexOf('=') + 1);
        keys.set(key, {
          value: unescapeVmx(raw),
          offset: pos + valueStart,
          rawLength: raw.length,
          keyOffset: pos + line.indexOf(m[1]!),
        });
        const e = /^(ethernet\d+)\./.exec(key);
        if (e) ethernet.add(e[1]!);
      }
    }
    pos = end + 1;
  }

  const vm = keys.get('displayname')?.value || keys.get('name')?.value || fallbackName(ctx.file);
  const adapters: AdapterRecord[] = [];
  const sorted = [...ethernet].sort((a, b) => Number(a.slice(8)) - Number(b.slice(8)));
  for (const id of sorted) {
    const get = (k: string) => keys.get(`${id}.${k}`);
    const present = isTrue(get('present')?.value);
    const addressType = (get('addresstype')?.value ?? '').toLowerCase();
    const staticAddr = get('address');
    const generated = get('generatedaddress');
    let mode: MacMode;
    let source: VmxValue | undefined;
    if (addressType === 'static') {
      mode = 'static';
      source = staticAddr;
    } else if (addressType === 'generated' || addressType === 'vpx') {
      mode = 'dynamic';
      source = generated;
    } else if (addressType === '') {
      // VMware's default is generated; an `address` without addressType is honoured as static by ESX.
      mode = staticAddr ? 'static' : 'dynamic';
      source = staticAddr ?? generated;
    } else {
      const at = get('addresstype')!;
      ctx.issue(
        'PARSE_ERROR',
        `${id}.addressType: expected generated, static or vpx, found ${JSON.stringify(at.value)}`,
        at.offset,
      );
      mode = 'unknown';
      source = staticAddr ?? generated;
    }
    if (mode === 'static' && !staticAddr && present) {
      const at = get('addresstype')!;
      ctx.issue('MISSING_FIELD', `${id}: addressType is static but ${id}.address is missing`, at.keyOffset);
    }
    const mac =
      source && source.value !== ''
        ? ctx.mac(
            source.value,
            source.offset,
            `${id}.${source === staticAddr ? 'address' : 'generatedAddress'}`,
          )
        : null;
    const connection = (get('connectiontype')?.value ?? 'bridged').toLowerCase();
    const network =
      connection === 'custom' || connection === 'pvn'
        ? (get('vnet')?.value ?? get('pvnid')?.value ?? get('networkname')?.value ?? connection)
        : (get('networkname')?.value ?? get('dvs.portgroupid')?.value ?? connection);
    const anchor = source ?? get('present') ?? [...keys.entries()].find(([k]) => k.startsWith(`${id}.`))![1];
    const where = ctx.span(source ? source.offset : anchor.keyOffset, source ? source.rawLength : 0);
    const check = get('checkmacaddress');
    adapters.push({
      file: ctx.file,
      line: where.line,
      column: where.column,
      vm,
      adapter: id,
      mac: mac,
      macText: source && mac !== null ? source.value : null,
      macSpan: source && mac !== null ? where : null,
      mode,
      network,
      hostPrivate: connection === 'nat' || connection === 'hostonly',
      hypervisor: 'vmware',
      host: null,
      enabled: present,
      ...(check === undefined ? {} : { checkMacRange: !isFalse(check.value) }),
    });
  }
  return { adapters, issues: ctx.issues };
}

function fallbackName(file: string): string {
  const name = file.split(/[\\/]/).pop() ?? '';
  return name.replace(/\.vmx$/i, '') || '(unnamed VM)';
}

/** A line that is neither blank nor a comment nor `.encoding`, and starts with an unexpected character. */
function isOther(text: string, k: number, end: number): boolean {
  if (k >= end) return false;
  const c = text.charCodeAt(k);
  if (c === 35 /* # */ || c === 46 /* . */ || c === 13) return false;
  // Keys start with a letter or digit; anything else is a malformed line worth reporting.
  return !((c >= 48 && c <= 57) || ((c | 0x20) >= 97 && (c | 0x20) <= 122));
}
