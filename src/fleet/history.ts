/**
 * `history <mac>`: every holder of a MAC over time, read back from the audit log. An adapter holds a
 * MAC from the `adapter.mac_assigned` event that gives it until one that takes it away or the VM leaves.
 */
import { formatMac, type Mac } from '../mac/index.js';
import { subjectText, type FleetEvent } from './events.js';

export interface Holding {
  /** `host/vm#index` */
  readonly holder: string;
  readonly mode: string;
  readonly from: number;
  /** Undefined while the adapter still holds it. */
  readonly until?: number;
  readonly source: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The holdings of `mac`, oldest first, from events in sequence order. */
export function macHistory(mac: Mac, events: readonly FleetEvent[]): Holding[] {
  const text = formatMac(mac);
  const open = new Map<string, Holding>();
  const done: Holding[] = [];
  const close = (holder: string, time: number): void => {
    const h = open.get(holder);
    if (h === undefined) return;
    open.delete(holder);
    done.push({ ...h, until: time });
  };
  for (const e of events) {
    if (!e.macs.includes(mac)) continue;
    const holder = subjectText(e.subject);
    if (e.kind === 'adapter.mac_assigned' || e.kind === 'adapter.mode_changed') {
      if (str(e.before?.mac) === text && str(e.after?.mac) !== text) close(holder, e.time);
      if (str(e.after?.mac) === text && !open.has(holder)) {
        open.set(holder, {
          holder,
          mode: str(e.after?.mode) ?? 'unknown',
          from: e.time,
          source: str(e.after?.source) ?? 'unknown',
        });
      } else if (e.kind === 'adapter.mode_changed' && open.has(holder)) {
        open.set(holder, { ...open.get(holder)!, mode: str(e.after?.mode) ?? 'unknown' });
      }
    } else if (e.kind === 'vm.unregistered') {
      for (const h of [...open.keys()]) if (h.startsWith(`${holder}#`)) close(h, e.time);
    }
  }
  return [...done, ...open.values()].sort((a, b) => a.from - b.from);
}
