/** Observations kept by `macfleet observe --record`, and where and when a MAC was seen. */
import { parseMac, type Mac } from '../mac/index.js';
import type { ObservationSet } from '../observe/model.js';
import type { Store } from './store.js';

export interface Sighting {
  readonly source: string;
  readonly kind: string;
  readonly host: string | null;
  readonly port: string | null;
  readonly vlan: number | null;
  readonly segment: string | null;
  readonly first: number | null;
  readonly last: number | null;
  readonly count: number;
  readonly recordedAt: number;
}

const ms = (t: string | null): number | null => (t === null ? null : Date.parse(t));

/** Append every observation of the set in one transaction; returns how many rows were written. */
export async function recordObservations(store: Store, set: ObservationSet, now: number): Promise<number> {
  return store.transaction(async (tx) => {
    let n = 0;
    for (const s of set.sources) {
      for (const o of s.observations) {
        await tx.run(
          'INSERT INTO observations (mac, source, kind, host, port, vlan, segment, first_at, last_at, count, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
          [
            parseMac(o.mac),
            s.name,
            s.kind,
            o.host,
            o.port,
            o.vlan,
            o.segment,
            ms(o.first),
            ms(o.last),
            o.count,
            now,
          ],
        );
        n++;
      }
    }
    return n;
  });
}

/** Where and when a MAC was seen, newest first. */
export async function sightingsOf(store: Store, mac: Mac): Promise<Sighting[]> {
  return store.transaction(
    async (tx) =>
      (
        await tx.all<{
          source: string;
          kind: string;
          host: string | null;
          port: string | null;
          vlan: number | null;
          segment: string | null;
          first_at: number | null;
          last_at: number | null;
          count: number;
          recorded_at: number;
        }>(
          'SELECT source, kind, host, port, vlan, segment, first_at, last_at, count, recorded_at FROM observations WHERE mac = ? ORDER BY last_at DESC, id DESC',
          [mac],
        )
      ).map((r) => ({
        source: r.source,
        kind: r.kind,
        host: r.host,
        port: r.port,
        vlan: r.vlan === null ? null : Number(r.vlan),
        segment: r.segment,
        first: r.first_at === null ? null : Number(r.first_at),
        last: r.last_at === null ? null : Number(r.last_at),
        count: Number(r.count),
        recordedAt: Number(r.recorded_at),
      })),
    { mode: 'read' },
  );
}

/** One line per sighting for the terminal: `host/port vlan N segment S  first .. last  (source)`. */
export function sightingLine(s: Sighting): string {
  const t = (v: number | null): string =>
    v === null ? '?' : new Date(v).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return `${s.host ?? '?'}/${s.port ?? '?'}${s.vlan === null ? '' : ` vlan ${s.vlan}`}${s.segment === null ? '' : ` segment ${s.segment}`}  ${t(s.first)} .. ${t(s.last)}  ${s.kind} ${s.source}`;
}
