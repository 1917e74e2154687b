/**
 * Read-only views of the fleet inventory for faces that show one page at a time (the web console;
 * the API's lists can use them too): counts, VMs filtered and paged in SQL, the adapters that hold a
 * duplicated MAC, events filtered and paged newest first, and pool utilisation over time. None of them
 * loads a whole table: each is a handful of indexed queries, whatever the size of the fleet.
 */
import type { FleetEvent } from '../fleet/events.js';
import type { Adapter, VirtualNetwork, Vm, VmState } from '../fleet/model.js';
import type { Mac } from '../mac/index.js';
import {
  ADAPTER_COLUMNS,
  EVENT_COLUMNS,
  eventsFromRows,
  toAdapter,
  type AdapterRow,
  type EventRow,
} from './fleet-store.js';
import type { SqlSession, SqlValue } from './store.js';

export interface FleetCounts {
  readonly hosts: number;
  readonly networks: number;
  readonly vms: number;
  readonly vmsByState: Readonly<Record<VmState, number>>;
  readonly adapters: number;
}

export async function fleetCounts(tx: SqlSession): Promise<FleetCounts> {
  const one = async (sql: string): Promise<number> => (await tx.get<{ n: number }>(sql))?.n ?? 0;
  const byState = await tx.all<{ state: VmState; n: number }>(
    'SELECT state, COUNT(*) AS n FROM fleet_vms GROUP BY state',
  );
  const vmsByState: Record<VmState, number> = { stopped: 0, running: 0, saved: 0 };
  for (const r of byState) vmsByState[r.state] = Number(r.n);
  return {
    hosts: Number(await one('SELECT COUNT(*) AS n FROM fleet_hosts')),
    networks: Number(await one('SELECT COUNT(*) AS n FROM fleet_networks')),
    vms: byState.reduce((n, r) => n + Number(r.n), 0),
    vmsByState,
    adapters: Number(await one('SELECT COUNT(*) AS n FROM fleet_adapters')),
  };
}

/** VMs and adapters per host. */
export async function hostCounts(
  tx: SqlSession,
): Promise<Map<string, { vms: number; running: number; adapters: number }>> {
  const out = new Map<string, { vms: number; running: number; adapters: number }>();
  for (const r of await tx.all<{ host: string; n: number; running: number }>(
    "SELECT host, COUNT(*) AS n, SUM(CASE WHEN state = 'running' THEN 1 ELSE 0 END) AS running FROM fleet_vms GROUP BY host",
  ))
    out.set(r.host, { vms: Number(r.n), running: Number(r.running ?? 0), adapters: 0 });
  for (const r of await tx.all<{ host: string; n: number }>(
    'SELECT host, COUNT(*) AS n FROM fleet_adapters GROUP BY host',
  )) {
    const c = out.get(r.host) ?? { vms: 0, running: 0, adapters: 0 };
    out.set(r.host, { ...c, adapters: Number(r.n) });
  }
  return out;
}

export interface VmFilter {
  readonly host?: string;
  /** Part of the VM name, any case. */
  readonly name?: string;
  readonly state?: VmState;
  /** VMs with an adapter holding this MAC. */
  readonly mac?: Mac;
}

export interface Page<T> {
  readonly items: readonly T[];
  /** How many match the filter in all. */
  readonly total: number;
}

const likePattern = (text: string): string => `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

function vmWhere(f: VmFilter): { clause: string; params: SqlValue[] } {
  const where: string[] = [];
  const params: SqlValue[] = [];
  if (f.host !== undefined) {
    where.push('v.host = ?');
    params.push(f.host);
  }
  if (f.name !== undefined && f.name !== '') {
    where.push("LOWER(v.name) LIKE ? ESCAPE '\\'");
    params.push(likePattern(f.name));
  }
  if (f.state !== undefined) {
    where.push('v.state = ?');
    params.push(f.state);
  }
  if (f.mac !== undefined) {
    where.push(
      'EXISTS (SELECT 1 FROM fleet_adapters m WHERE m.mac = ? AND m.host = v.host AND m.vm = v.name)',
    );
    params.push(f.mac);
  }
  return { clause: where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`, params };
}

/** One page of VMs (by host, then name) with their adapters. */
export async function vmPage(
  tx: SqlSession,
  filter: VmFilter,
  offset: number,
  limit: number,
): Promise<Page<Vm>> {
  const { clause, params } = vmWhere(filter);
  const total = Number(
    (await tx.get<{ n: number }>(`SELECT COUNT(*) AS n FROM fleet_vms v ${clause}`, params))?.n ?? 0,
  );
  const vms = await tx.all<{ host: string; name: string; state: VmState }>(
    `SELECT v.host, v.name, v.state FROM fleet_vms v ${clause} ORDER BY v.host, v.name LIMIT ? OFFSET ?`,
    [...params, limit, offset],
  );
  return { items: await withAdapters(tx, vms), total };
}

/** The VMs given by host and name, with their adapters (one query for all of them). */
async function withAdapters(
  tx: SqlSession,
  vms: readonly { host: string; name: string; state: VmState }[],
): Promise<Vm[]> {
  if (vms.length === 0) return [];
  const rows = await tx.all<AdapterRow & Record<string, unknown>>(
    `SELECT ${ADAPTER_COLUMNS} FROM fleet_adapters a WHERE ${vms.map(() => '(a.host = ? AND a.vm = ?)').join(' OR ')}
     ORDER BY a.host, a.vm, a.idx`,
    vms.flatMap((v) => [v.host, v.name]),
  );
  const byVm = new Map<string, Adapter[]>();
  for (const r of rows) {
    const k = `${r.host}\u0000${r.vm}`;
    const list = byVm.get(k);
    if (list === undefined) byVm.set(k, [toAdapter(r)]);
    else list.push(toAdapter(r));
  }
  return vms.map((v) => ({ ...v, adapters: byVm.get(`${v.host}\u0000${v.name}`) ?? [] }));
}

/**
 * The adapters that hold a MAC some other adapter holds too, each as a VM carrying only those adapters
 * (what `duplicateFindings` needs), and the networks they are on. One grouped pass over the MAC index.
 */
export async function duplicateHolders(tx: SqlSession): Promise<{ vms: Vm[]; networks: VirtualNetwork[] }> {
  const rows = await tx.all<AdapterRow & Record<string, unknown>>(
    `SELECT ${ADAPTER_COLUMNS}, v.state FROM fleet_adapters a JOIN fleet_vms v ON v.host = a.host AND v.name = a.vm
     WHERE a.mac IN (SELECT mac FROM fleet_adapters GROUP BY mac HAVING COUNT(*) > 1)
     ORDER BY a.host, a.vm, a.idx`,
  );
  const vms = new Map<string, { host: string; name: string; state: VmState; adapters: Adapter[] }>();
  const wanted = new Set<string>();
  for (const r of rows) {
    const k = `${r.host}\u0000${r.vm}`;
    let vm = vms.get(k);
    if (vm === undefined) {
      vm = { host: r.host, name: r.vm, state: r.state ?? 'stopped', adapters: [] };
      vms.set(k, vm);
    }
    vm.adapters.push(toAdapter(r));
    wanted.add(`${r.host}\u0000${r.network}`);
  }
  const networks =
    wanted.size === 0
      ? []
      : (
          await tx.all<{ host: string; name: string; nic: number | null; segment: string }>(
            'SELECT host, name, nic, segment FROM fleet_networks ORDER BY host, name',
          )
        )
          .filter((n) => wanted.has(`${n.host}\u0000${n.name}`))
          .map((n) => ({ host: n.host, name: n.name, nic: n.nic as Mac | null, segment: n.segment }));
  return { vms: [...vms.values()], networks };
}

export interface EventPageFilter {
  readonly host?: string;
  readonly vm?: string;
  readonly mac?: Mac;
  readonly actor?: string;
  /** At or after (ms since the epoch). */
  readonly since?: number;
  /** Before (ms since the epoch). */
  readonly until?: number;
  /** Only events with a sequence number below this one (the next page of a newest-first timeline). */
  readonly before?: number;
}

/** One page of events, newest first; `more` when older events match too. */
export async function eventPage(
  tx: SqlSession,
  filter: EventPageFilter,
  limit: number,
): Promise<{ events: FleetEvent[]; more: boolean }> {
  const where: string[] = [];
  const params: SqlValue[] = [];
  const when = (value: SqlValue | undefined, condition: string): void => {
    if (value === undefined) return;
    where.push(condition);
    params.push(value);
  };
  when(filter.host, 'e.host = ?');
  when(filter.vm, 'e.vm = ?');
  when(filter.actor, 'e.actor = ?');
  when(filter.since, 'e.time >= ?');
  when(filter.until, 'e.time < ?');
  when(filter.before, 'e.seq < ?');
  when(filter.mac, 'e.seq IN (SELECT seq FROM fleet_event_macs WHERE mac = ?)');
  const clause = where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`;
  const rows = await tx.all<EventRow & Record<string, unknown>>(
    `SELECT ${EVENT_COLUMNS} FROM fleet_events e ${clause} ORDER BY e.seq DESC LIMIT ?`,
    [...params, limit + 1],
  );
  return { events: eventsFromRows(rows.slice(0, limit)), more: rows.length > limit };
}

/** The distinct actors of the audit log (for the Events page's filter). */
export async function eventActors(tx: SqlSession): Promise<string[]> {
  const rows = await tx.all<{ actor: string }>('SELECT DISTINCT actor FROM fleet_events ORDER BY actor');
  return rows.map((r) => r.actor);
}

/** Held and quarantined MACs of a pool at the end of each time bucket. */
export interface PoolSample {
  readonly at: number;
  readonly held: number;
  readonly quarantined: number;
}

/**
 * A pool's utilisation over time, from its MAC event log: a MAC is held from its allocation (or
 * reservation) to its release, then quarantined for the pool's quarantine period. `buckets` samples
 * from the pool's creation to `now`.
 */
export async function poolHistory(
  tx: SqlSession,
  pool: string,
  now: number,
  buckets = 48,
): Promise<PoolSample[]> {
  const row = await tx.get<{ id: number; created_at: number; quarantine_ms: number }>(
    'SELECT id, created_at, quarantine_ms FROM pools WHERE name = ?',
    [pool],
  );
  if (row === undefined) return [];
  const start = Number(row.created_at);
  const width = Math.max(1, Math.ceil((now - start + 1) / buckets));
  const events = await tx.all<{ event: string; b: number; n: number }>(
    'SELECT event, CAST((at - ?) / ? AS INTEGER) AS b, COUNT(*) AS n FROM mac_events WHERE pool_id = ? GROUP BY event, CAST((at - ?) / ? AS INTEGER)',
    [start, width, row.id, start, width],
  );
  const quarantineBuckets = Math.ceil(Number(row.quarantine_ms) / width);
  const delta = new Float64Array(buckets + 1);
  const released = new Float64Array(buckets + quarantineBuckets + 2);
  for (const e of events) {
    const b = Math.min(buckets - 1, Math.max(0, Math.floor(Number(e.b))));
    const n = Number(e.n);
    if (e.event === 'released') {
      delta[b]! -= n;
      released[b]! += n;
    } else if (e.event === 'allocated' || e.event === 'reserved' || e.event === 'in_use') delta[b]! += n;
  }
  const out: PoolSample[] = [];
  let held = 0;
  let quarantined = 0;
  for (let b = 0; b < buckets; b++) {
    held += delta[b]!;
    quarantined += released[b]!;
    if (quarantineBuckets > 0 && b - quarantineBuckets >= 0) quarantined -= released[b - quarantineBuckets]!;
    if (quarantineBuckets === 0) quarantined = 0;
    out.push({ at: start + (b + 1) * width, held: Math.max(0, held), quarantined: Math.max(0, quarantined) });
  }
  return out;
}
