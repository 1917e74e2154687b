/**
 * Proxmox VE guest config (`/etc/pve/qemu-server/<vmid>.conf`, also LXC `/etc/pve/lxc/<vmid>.conf`):
 * `key: value` lines; `netN: <model>=<MAC>,bridge=..,tag=..` (or `macaddr=`, LXC `hwaddr=`). Sections
 * `[snapshot]`, `[PENDING]` and `[special:...]` repeat the adapters as history or pending changes: only
 * the current configuration (before the first section) is reported, and an info issue says so.
 */
import { FormatContext } from '../format-context.js';
import { baseName } from '../text-position.js';
import type { AdapterRecord, ParseOptions, ParseResult } from '../types.js';

const KEY_LINE = /^([A-Za-z][A-Za-z0-9_-]*):[ \t]*(.*?)\r?$/;
const SECTION = /^\[([^\]]+)\]\s*$/;
// Options of a net device that are never the model (the model is the first `name=MAC` or bare name).
const NET_OPTIONS = new Set([
  'bridge',
  'tag',
  'trunks',
  'firewall',
  'link_down',
  'mtu',
  'queues',
  'rate',
  'macaddr',
  'hwaddr',
  'name',
  'ip',
  'ip6',
  'gw',
  'gw6',
  'type',
]);

/** Parse a Proxmox qemu-server or LXC config. */
export function parseProxmox(text: string, options?: ParseOptions): ParseResult {
  const ctx = new FormatContext(text, options);
  const adapters: AdapterRecord[] = [];
  const sections: string[] = [];
  let historyNics = 0;
  let vm: string | undefined;
  let pos = 0;
  let inCurrent = true;
  const pending: { id: string; value: string; valueOffset: number; keyOffset: number }[] = [];
  while (pos <= text.length) {
    let end = text.indexOf('\n', pos);
    if (end === -1) end = text.length;
    const line = text.slice(pos, end);
    const trimmed = line.trim();
    pos = end + 1;
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const s = SECTION.exec(trimmed);
    if (s) {
      inCurrent = false;
      sections.push(s[1]!);
      continue;
    }
    const m = KEY_LINE.exec(line);
    const lineStart = end - line.length;
    if (!m) {
      ctx.issue(
        'PARSE_ERROR',
        `expected "key: value", found ${JSON.stringify(trimmed.slice(0, 60))}`,
        lineStart + line.indexOf(trimmed),
        {
          severity: 'warning',
        },
      );
      continue;
    }
    const key = m[1]!;
    if (!inCurrent) {
      if (/^net\d+$/.test(key)) historyNics++;
      continue;
    }
    if (key === 'name' || key === 'hostname') vm = m[2]!.trim();
    else if (/^net\d+$/.test(key)) {
      pending.push({
        id: key,
        value: m[2]!,
        valueOffset: lineStart + line.indexOf(m[2]!, key.length + 1),
        keyOffset: lineStart,
      });
    }
  }
  const vmName = vm || baseName(ctx.file) || '(unnamed VM)';
  for (const nic of pending) adapters.push(readNic(ctx, vmName, nic));
  if (sections.length > 0) {
    const names = [...new Set(sections)];
    const first = text.search(/^\[/m);
    ctx.issue(
      'HISTORY_IGNORED',
      `${sections.length} section(s) after the current configuration (${names.slice(0, 5).join(', ')}${names.length > 5 ? ', ...' : ''}) ` +
        `are snapshots, pending changes or cloud-init state` +
        (historyNics > 0
          ? `; their ${historyNics} network adapter line(s) are history, not duplicates, and are not counted`
          : '') +
        '; only the current configuration is reported',
      first < 0 ? 0 : first,
      { severity: 'info' },
    );
  }
  return { adapters, issues: ctx.issues };
}

function readNic(
  ctx: FormatContext,
  vm: string,
  nic: { id: string; value: string; valueOffset: number; keyOffset: number },
): AdapterRecord {
  let offset = nic.valueOffset;
  let macRaw: string | undefined;
  let macOffset = 0;
  let model: string | undefined;
  const opts = new Map<string, string>();
  for (const part of nic.value.split(',')) {
    const eq = part.indexOf('=');
    const k = (eq < 0 ? part : part.slice(0, eq)).trim();
    const v = eq < 0 ? '' : part.slice(eq + 1);
    if (k === 'macaddr' || k === 'hwaddr' || (!NET_OPTIONS.has(k) && model === undefined && eq >= 0)) {
      if (k !== 'macaddr' && k !== 'hwaddr') model = k;
      macRaw = v.trim();
      macOffset = offset + eq + 1 + (v.length - v.trimStart().length);
    } else if (eq < 0 && model === undefined && k !== '') {
      model = k;
    } else {
      opts.set(k, v.trim());
    }
    offset += part.length + 1;
  }
  const mac =
    macRaw !== undefined && macRaw !== '' ? ctx.mac(macRaw, macOffset, `${nic.id} MAC address`) : null;
  const where = ctx.span(mac !== null ? macOffset : nic.keyOffset, mac !== null ? macRaw!.length : 0);
  return {
    file: ctx.file,
    line: where.line,
    column: where.column,
    vm,
    adapter: nic.id,
    mac,
    macText: mac !== null ? macRaw! : null,
    macSpan: mac !== null ? where : null,
    // Proxmox writes the MAC it generates into the config once and never changes it: the file pins it.
    mode: mac !== null ? 'static' : 'dynamic',
    network: networkOf(opts),
    hostPrivate: false,
    hypervisor: 'proxmox',
    host: null,
    // link_down=1 only unplugs the virtual cable: the MAC stays configured and bites when the link comes up.
    enabled: true,
  };
}

/** A VLAN tag makes a different L2 segment on the same bridge. */
function networkOf(opts: ReadonlyMap<string, string>): string | null {
  const bridge = opts.get('bridge');
  if (bridge === undefined || bridge === '') return null;
  const tag = opts.get('tag');
  return tag ? `${bridge} (VLAN ${tag})` : bridge;
}
