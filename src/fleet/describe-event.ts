/** One line per audit-log event, as `macfleet events` and `history` print them. */
import type { EventDetail, EventValue, FleetEvent } from './events.js';

const text = (v: EventValue | undefined): string => {
  if (v === undefined || v === null) return '-';
  if (typeof v === 'boolean') return v ? 'on' : 'off';
  if (typeof v === 'string' || typeof v === 'number') return String(v);
  if (Array.isArray(v)) return v.map((x) => text(x as EventValue)).join(', ');
  return JSON.stringify(v);
};

/** `key a → b` for every key whose value differs. */
function diff(before: EventDetail | null, after: EventDetail | null, skip: readonly string[] = []): string {
  const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])].filter(
    (k) => !skip.includes(k),
  );
  return keys
    .filter((k) => JSON.stringify(before?.[k]) !== JSON.stringify(after?.[k]))
    .map((k) => `${k} ${text(before?.[k])} → ${text(after?.[k])}`)
    .join(', ');
}

function adapters(d: EventDetail | null): string {
  const list = d?.['adapters'];
  if (!Array.isArray(list)) return '';
  return (list as readonly { [k: string]: EventValue }[])
    .map(
      (a) =>
        `#${text(a['index'])} ${text(a['network'])} ${text(a['mode'])} ${a['mac'] === null ? 'assigned at first start' : text(a['mac'])}`,
    )
    .join('; ');
}

export function describeEvent(e: FleetEvent): string {
  const b = e.before;
  const a = e.after;
  switch (e.kind) {
    case 'host.added':
      return `host added (${text(a?.['hypervisor'])}${a?.['allocation'] === undefined ? '' : `, allocation ${text(a['allocation'])}`})`;
    case 'network.added':
      return `network ${text(a?.['name'])} added (segment ${text(a?.['segment'])})`;
    case 'vm.created':
      return `created: ${adapters(a)}`;
    case 'vm.imported':
      return `imported from ${text(a?.['file'])}: ${adapters(a)}`;
    case 'vm.registered':
      return `${a?.['copy'] === true ? 'copied' : 'moved'} from ${text(b?.['host'])}/${text(b?.['vm'])}: ${adapters(a)}`;
    case 'vm.unregistered':
      return a?.['movedTo'] === undefined ? 'removed from the host' : `moved to ${text(a['movedTo'])}`;
    case 'vm.start_failed': {
      const conflicts = Array.isArray(a?.['conflicts'])
        ? (a['conflicts'] as readonly { [k: string]: EventValue }[])
        : [];
      const what = conflicts.map(
        (c) => `adapter ${text(c['adapter'])} ${text(c['mac'])} in use by ${text(c['heldBy'])}`,
      );
      const detail = what.length > 0 ? what.join('; ') : text(a?.['message']);
      return `start refused (${text(a?.['code'])}): ${detail}`;
    }
    case 'adapter.mac_assigned': {
      const from = a?.['source'] === 'static' ? '' : `, from ${text(a?.['source'])}`;
      return `MAC ${b === null ? '' : `${text(b['mac'])} → `}${text(a?.['mac'])} (${text(a?.['mode'])}${from}, ${text(a?.['reason'])})`;
    }
    case 'adapter.mac_conflict':
      return (
        `${text(a?.['mac'])} on ${text(a?.['network'])} is in use by ${text(a?.['heldBy'])}: ${text(a?.['resolution'])}` +
        (a?.['consequence'] === undefined ? '' : ` (${text(a['consequence'])})`)
      );
    case 'vm.started': {
      const dups = Array.isArray(a?.['duplicates'])
        ? (a['duplicates'] as readonly { [k: string]: EventValue }[])
        : [];
      const what = dups.map(
        (d) => `adapter ${text(d['adapter'])} shares ${text(d['mac'])} (${text(d['behaviour'])})`,
      );
      return what.length === 0 ? diff(b, a) : `started with duplicates: ${what.join('; ')}`;
    }
    case 'adapter.duplicate':
      return `static MAC ${text(a?.['mac'])} is also held by ${text(a?.['heldBy'])} (${text(a?.['reason'])})`;
    case 'adapter.spoofing_changed':
      return `MAC address spoofing ${text(b?.['spoofing'])} → ${text(a?.['spoofing'])}`;
    case 'host.updated':
      return diff(b, a, ['nics']) || 'no change';
    default:
      return diff(b, a);
  }
}
