/**
 * The audit log: every change to the inventory is an append-only event. Events are values; the store
 * assigns the sequence number and never updates or deletes one.
 */
import { formatMac, type Mac } from '../mac/index.js';
import { isoTime } from '../time.js';

export const EVENT_KINDS = [
  'host.added',
  'host.updated',
  'network.added',
  'vm.created',
  'vm.registered',
  'vm.unregistered',
  'vm.imported',
  'vm.started',
  'vm.start_failed',
  'vm.stopped',
  'vm.saved',
  'adapter.added',
  'adapter.updated',
  'adapter.mac_assigned',
  'adapter.mac_conflict',
  'adapter.mode_changed',
  'adapter.spoofing_changed',
  'adapter.guard_changed',
  'adapter.vmware_policy_changed',
  'adapter.duplicate',
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** A JSON-safe detail value (MACs appear as canonical colon-lower strings). */
export type EventValue =
  string | number | boolean | null | readonly EventValue[] | { readonly [k: string]: EventValue };
export type EventDetail = { readonly [k: string]: EventValue };

/** What an event is about: a host, a VM on it, or one adapter of that VM. */
export interface EventSubject {
  readonly host: string;
  readonly vm?: string;
  readonly adapter?: number;
}

/** An event before the store has given it a sequence number. */
export interface NewFleetEvent {
  /** Milliseconds since the epoch, from the injected Clock. */
  readonly time: number;
  readonly actor: string;
  readonly kind: EventKind;
  readonly subject: EventSubject;
  readonly before: EventDetail | null;
  readonly after: EventDetail | null;
  /** Every MAC the event concerns, for `events --mac` and `history`. */
  readonly macs: readonly Mac[];
}

export interface FleetEvent extends NewFleetEvent {
  readonly seq: number;
}

export interface EventFilter {
  readonly host?: string;
  readonly vm?: string;
  readonly mac?: Mac;
  /** Only events at or after this time (ms since the epoch). */
  readonly since?: number;
  /** Only events before this time (ms since the epoch). */
  readonly until?: number;
  readonly actor?: string;
  /** Only events after this sequence number (the API's cursor). */
  readonly afterSeq?: number;
  /** Only events before this sequence number (the next page of a newest-first timeline). */
  readonly beforeSeq?: number;
  /** At most this many events (the first ones in sequence order). */
  readonly limit?: number;
}

export const macText = (mac: Mac): string => formatMac(mac);

/** `host`, `host/vm` or `host/vm#index`. */
export function subjectText(s: EventSubject): string {
  if (s.vm === undefined) return s.host;
  return s.adapter === undefined ? `${s.host}/${s.vm}` : `${s.host}/${s.vm}#${s.adapter}`;
}

export function eventMatches(e: FleetEvent, f: EventFilter): boolean {
  if (f.host !== undefined && e.subject.host !== f.host) return false;
  if (f.vm !== undefined && e.subject.vm !== f.vm) return false;
  if (f.mac !== undefined && !e.macs.includes(f.mac)) return false;
  if (f.since !== undefined && e.time < f.since) return false;
  if (f.until !== undefined && e.time >= f.until) return false;
  if (f.afterSeq !== undefined && e.seq <= f.afterSeq) return false;
  if (f.beforeSeq !== undefined && e.seq >= f.beforeSeq) return false;
  if (f.actor !== undefined && e.actor !== f.actor) return false;
  return true;
}

/** The JSON form of an event, as `events --json` prints it and the API returns it. */
export function eventJson(e: FleetEvent): Record<string, unknown> {
  return {
    seq: e.seq,
    time: isoTime(e.time),
    actor: e.actor,
    kind: e.kind,
    subject: subjectText(e.subject),
    host: e.subject.host,
    vm: e.subject.vm ?? null,
    adapter: e.subject.adapter ?? null,
    before: e.before,
    after: e.after,
    macs: e.macs.map(macText),
  };
}
