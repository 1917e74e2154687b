/**
 * Every config format: its parser, the extensions it owns and a content sniffer. Detection is by
 * extension first (`.vmx`, `.vmc`, `.vbox`, `.ovf` are unambiguous), then by content for shared
 * extensions (`.xml`, `.conf`, `.json`, `.csv`) and for files with any other name.
 */
import { parseHypervCsv, parseInventoryCsv, sniffCsvFormat } from './csv/csv-formats.js';
import { parseHypervJson } from './hyperv/hyperv-json-format.js';
import { parseLibvirtXml } from './libvirt-xml/libvirt-format.js';
import { parseOvf } from './ovf/ovf-format.js';
import { parseProxmox } from './proxmox/proxmox-format.js';
import type { FormatName, Parser } from './types.js';
import { parseVbox } from './vbox/vbox-format.js';
import { parseVmc } from './vmc/vmc-format.js';
import { parseVmx } from './vmx/vmx-format.js';

export const PARSERS: Readonly<Record<FormatName, Parser>> = {
  vmx: parseVmx,
  'libvirt-xml': parseLibvirtXml,
  proxmox: parseProxmox,
  vmc: parseVmc,
  vbox: parseVbox,
  ovf: parseOvf,
  'hyperv-json': parseHypervJson,
  'hyperv-csv': parseHypervCsv,
  'inventory-csv': parseInventoryCsv,
};

const BY_EXTENSION: Readonly<Record<string, FormatName>> = {
  vmx: 'vmx',
  vmc: 'vmc',
  vbox: 'vbox',
  ovf: 'ovf',
};

// Backup and previous copies (`web01.vmx~`, `lab.vbox-prev`, `101.conf.bak`) are history, not VMs:
// reading them would report every VM they copy as a duplicate of itself.
const BACKUP = /(?:~|\.(?:bak|old|orig|prev|vbox-prev|vbox-tmp|swp|tmp|lck|macfleet-bak))$/i;

/** Whether a file name is a backup or previous copy, never read as a VM config. */
export const isBackupCopy = (file: string): boolean => BACKUP.test(file);

/** Extensions worth reading as candidates (the rest are only sniffed when small). */
export const CONFIG_EXTENSIONS: ReadonlySet<string> = new Set([
  ...Object.keys(BY_EXTENSION),
  'xml',
  'conf',
  'json',
  'csv',
]);

/** The extension of a file name, lower case, without the dot ('' when none). */
export function extensionOf(file: string): string {
  const name = file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

/** The format a file holds, from its name then its content; undefined when it is not a VM config. */
export function detectFormat(file: string, text: string): FormatName | undefined {
  if (isBackupCopy(file)) return undefined;
  const byExt = BY_EXTENSION[extensionOf(file)];
  if (byExt) return byExt;
  return sniffFormat(text);
}

/** XML formats by the name of the document's root element (namespace prefix dropped). */
const BY_ROOT: Readonly<Record<string, FormatName>> = {
  domain: 'libvirt-xml',
  domainsnapshot: 'libvirt-xml',
  Envelope: 'ovf',
  VirtualBox: 'vbox',
  preferences: 'vmc',
};

/** libvirt documents that are not VM definitions, though some contain a <domain> element. */
const LIBVIRT_NOT_VM_ROOTS: ReadonlySet<string> = new Set([
  'network',
  'networkport',
  'capabilities',
  'domainCapabilities',
  'pool',
  'volume',
  'interface',
  'nodedev',
  'secret',
  'filter',
]);

/** The root element's local name: after the XML declaration, comments, processing instructions, DOCTYPE. */
function rootElementName(head: string, from: number): string | undefined {
  let i = from;
  while (i < head.length) {
    if (head.charCodeAt(i) !== 60 /* < */) {
      if (/\s/.test(head[i]!)) {
        i++;
        continue;
      }
      return undefined;
    }
    const next = head[i + 1];
    if (next === '?' || next === '!') {
      const comment = head.startsWith('<!--', i);
      const close = comment ? head.indexOf('-->', i + 4) : head.indexOf('>', i);
      if (close < 0) return undefined;
      i = close + (comment ? 3 : 1);
      continue;
    }
    const m = /^<(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)[\s/>]/.exec(head.slice(i, i + 256));
    return m?.[1];
  }
  return undefined;
}

/** Content sniffing over the first few kilobytes. */
export function sniffFormat(text: string): FormatName | undefined {
  const head = text.slice(0, 8192);
  let start = head.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (start < head.length && /\s/.test(head[start]!)) start++;
  if (head.startsWith('<', start)) {
    // The root element decides (the common case, one short look); documents that wrap the known roots
    // (libvirt's test driver `<node>`) are searched for them.
    const root = rootElementName(head, start);
    const byRoot = root === undefined ? undefined : BY_ROOT[root];
    if (byRoot !== undefined) return byRoot;
    if (/<(?:\w+:)?Envelope[\s>]/.test(head)) return 'ovf';
    if (/<VirtualBox[\s>]/.test(head)) return 'vbox';
    if (/<preferences[\s>]/.test(head)) return 'vmc';
    // Only a VM definition: a libvirt <domain> always has a type (kvm, qemu, xen, test, ...). Network XML
    // (<domain name="example.com"/>), capabilities and domainCapabilities (<domain>kvm</domain>) have a
    // <domain> element that is not one.
    if (LIBVIRT_NOT_VM_ROOTS.has(root ?? '')) return undefined;
    if (/<domain\s[^>]*\btype\s*=/.test(head)) return 'libvirt-xml';
    return undefined;
  }
  if (head.startsWith('{', start) || head.startsWith('[', start))
    return /"MacAddress"\s*:/.test(head) ? 'hyperv-json' : undefined;
  if (/^ethernet\d+\.[A-Za-z]+\s*=/im.test(head) || /^\s*\.encoding\s*=/m.test(head)) return 'vmx';
  if (/^net\d+:\s*\S/m.test(head) && /^[a-z][a-z0-9_-]*:\s/m.test(head)) return 'proxmox';
  return sniffCsvFormat(head);
}
