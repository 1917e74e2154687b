/**
 * Which formats macfleet writes back into, and how: each format's rewrite beside its parser. Hyper-V
 * exports and the inventory CSV are not the configuration itself (the host is): they are never written.
 */
import { MacfleetError } from '../errors.js';
import type { DecodedText } from './decode.js';
import { libvirtReplacements } from './libvirt-xml/libvirt-rewrite.js';
import { ovfMacIsAttribute, ovfReplacements } from './ovf/ovf-rewrite.js';
import { proxmoxReplacements } from './proxmox/proxmox-rewrite.js';
import { applyReplacements, type MacEdit, type Replacement, type Rewriter } from './rewrite.js';
import type { FormatName } from './types.js';
import { vboxReplacements } from './vbox/vbox-rewrite.js';
import { vmcReplacements } from './vmc/vmc-rewrite.js';
import { vmxReplacements } from './vmx/vmx-rewrite.js';

export const REWRITERS: Readonly<Partial<Record<FormatName, Rewriter>>> = {
  vmx: vmxReplacements,
  'libvirt-xml': libvirtReplacements,
  proxmox: proxmoxReplacements,
  vmc: vmcReplacements,
  vbox: vboxReplacements,
  ovf: ovfReplacements,
};

/** Whether a format's files are written back (else the change is a command or a manual step). */
export const isRewritable = (format: FormatName): boolean => REWRITERS[format] !== undefined;

/**
 * Whether an adapter of this format can be switched to the hypervisor's dynamic MAC (`text` and the MAC's
 * offset decide for OVF: an embedded VirtualBox machine has no dynamic setting).
 */
export function hasDynamicSetting(format: FormatName, text: string, offset: number): boolean {
  switch (format) {
    case 'vmx':
    case 'libvirt-xml':
    case 'vmc':
    case 'hyperv-json':
    case 'hyperv-csv':
      return true;
    case 'ovf':
      return !ovfMacIsAttribute(text, offset);
    default:
      return false;
  }
}

/** The replacements applying `edits` to a text of `format`. */
export function replacementsFor(format: FormatName, text: string, edits: readonly MacEdit[]): Replacement[] {
  const rewriter = REWRITERS[format];
  if (rewriter === undefined)
    throw new MacfleetError('INVALID_ARGUMENT', `${format} files are not written back by macfleet`);
  return rewriter(text, edits);
}

/**
 * Rewrite a config text: only the characters of the edited MACs (and, for dynamic, the lines that hold
 * the setting) change. @example rewrite('vmx', text, [{ kind: 'set', adapter: 'ethernet0', offset, length, mac }])
 */
export function rewrite(format: FormatName, text: string, edits: readonly MacEdit[]): string {
  return applyReplacements(text, replacementsFor(format, text, edits));
}

const utf8 = new TextEncoder();

function encodeUtf16(text: string, bigEndian: boolean): Uint8Array {
  const out = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out[i * 2 + (bigEndian ? 1 : 0)] = c & 0xff;
    out[i * 2 + (bigEndian ? 0 : 1)] = c >>> 8;
  }
  return out;
}

/** `text` in the decoded file's encoding (no BOM). */
export function encodeLike(decoded: DecodedText, text: string): Uint8Array {
  if (decoded.encoding === 'utf-8') return utf8.encode(text);
  return encodeUtf16(text, decoded.encoding === 'utf-16be');
}

/**
 * The file's bytes with the replacements (character offsets into `decoded.text`) spliced in: every byte
 * outside them is the original byte, whatever the encoding, BOM or line endings.
 */
export function spliceBytes(
  bytes: Uint8Array,
  decoded: DecodedText,
  replacements: readonly Replacement[],
): Uint8Array {
  const head = decoded.bom ? (decoded.encoding === 'utf-8' ? 3 : 2) : 0;
  const parts: Uint8Array[] = [];
  let byteAt = head;
  let charAt = 0;
  parts.push(bytes.subarray(0, head));
  const byteLength = (from: number, to: number) =>
    decoded.encoding === 'utf-8' ? utf8.encode(decoded.text.slice(from, to)).length : (to - from) * 2;
  for (const r of replacements) {
    const start = byteAt + byteLength(charAt, r.offset);
    const oldEnd = start + byteLength(r.offset, r.offset + r.old.length);
    parts.push(bytes.subarray(byteAt, start), encodeLike(decoded, r.text));
    byteAt = oldEnd;
    charAt = r.offset + r.old.length;
  }
  parts.push(bytes.subarray(byteAt));
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let k = 0;
  for (const p of parts) {
    out.set(p, k);
    k += p.length;
  }
  return out;
}
