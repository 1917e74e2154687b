/**
 * Read-only views of the fleet inventory for faces that show one page at a time (the web console;
 * the API's lists can use them too): counts, VMs filtered and paged in SQL, the adapters that hold a
 * duplicated MAC, events filtered and paged newest first, and pool utilisation over time. None of them
 * loads a whole table: each is a handful of indexed queries, whatever the size of the fleet.
 */
import type { EventFilter, FleetEvent } from '../fleet/events.js';
import { fleetFindings, type InventoryFinding } from '../fleet/findings.js';
import type { Adapter, Host, VirtualNetwork, Vm, VmState } from '../fleet/model.js';
import { NLB_MASKED_RANGE, NLB_MULTICAST_RANGE, NLB_UNICAST_RANGE, type Mac } from '../mac/index.js';
import {
  ADAPTER_COLUMNS,
  EVENT_COLUMNS,
  eventsFromRows,
  eventWhere,
  selectHosts,
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

/** VMs (by state), adapters and networks of one host. */
export interface HostTally {
  readonly vmsByState: Readonly<Record<VmState, number>>;
  readonly adapters: number;
  readonly networks: number;
}

const noVms = (): Record<VmState, number> => ({ stopped: 0, running: 0, saved: 0 });

/**
 * What every host holds: one grouped pass over each table (the primary keys lead with the host). With
 * `only`, just those hosts, each by a range of the primary keys: what a change to a few hosts needs.
 */
export async function hostTallies(tx: SqlSession, only?: readonly string[]): Promise<Map<string, HostTally>> {
  const where = (column: string) =>
    only === undefined
      ? ''
      : `WHERE ${only.length === 0 ? '0 = 1' : `${column} IN (${only.map(() => '?').join(', ')})`}`;
  const params = only ?? [];
  const out = new Map<string, { vmsByState: Record<VmState, number>; adapters: number; networks: number }>();
  const of = (host: string) => {
    let t = out.get(host);
    if (t === undefined) out.set(host, (t = { vmsByState: noVms(), adapters: 0, networks: 0 }));
    return t;
  };
  for (const r of await tx.all<{ name: string }>(`SELECT name FROM fleet_hosts ${where('name')}`, params))
    of(r.name);
  for (const r of await tx.all<{ host: string; state: VmState; n: number }>(
    `SELECT host, state, COUNT(*) AS n FROM fleet_vms ${where('host')} GROUP BY host, state`,
    params,
  ))
    of(r.host).vmsByState[r.state] = Number(r.n);
  for (const r of await tx.all<{ host: string; n: number }>(
    `SELECT host, COUNT(*) AS n FROM fleet_adapters ${where('host')} GROUP BY host`,
    params,
  ))
    of(r.host).adapters = Number(r.n);
  for (const r of await tx.all<{ host: string; n: number }>(
    `SELECT host, COUNT(*) AS n FROM fleet_networks ${where('host')} GROUP BY host`,
    params,
  ))
    of(r.host).networks = Number(r.n);
  return out;
}

/** The fleet's counts, summed from its hosts' tallies. */
export function fleetCounts(tallies: ReadonlyMap<string, HostTally>): FleetCounts {
  const vmsByState = noVms();
  let adapters = 0;
  let networks = 0;
  for (const t of tallies.values()) {
    for (const k of Object.keys(vmsByState) as VmState[]) vmsByState[k] += t.vmsByState[k];
    adapters += t.adapters;
    networks += t.networks;
  }
  const vms = vmsByState.stopped + vmsByState.running + vmsByState.saved;
  return { hosts: tallies.size, networks, vms, vmsByState, adapters };
}

/** What changed in the inventory between two versions of its audit log (every change appends to it). */
export interface FleetChanges {
  readonly hosts: ReadonlySet<string>;
  /** `host\u0000vm` of every VM an event is about. */
  readonly vms: ReadonlySet<string>;
  readonly macs: ReadonlySet<Mac>;
  readonly actors: ReadonlySet<string>;
  /** Whether a host or a network changed (what a VM's segment and a host's rules depend on). */
  readonly hostsOrNetworks: boolean;
}

/** The changes after `seq`, or undefined when more than `limit` events came since (recompute instead). */
export async function fleetChangesSince(
  tx: SqlSession,
  seq: number,
  limit: number,
): Promise<FleetChanges | undefined> {
  const rows = await tx.all<{ kind: string; host: string; vm: string | null; actor: string }>(
    'SELECT kind, host, vm, actor FROM fleet_events WHERE seq > ? ORDER BY seq LIMIT ?',
    [seq, limit + 1],
  );
  if (rows.length > limit) return undefined;
  const macs = await tx.all<{ mac: number }>('SELECT mac FROM fleet_event_macs WHERE seq > ?', [seq]);
  return {
    hosts: new Set(rows.map((r) => r.host)),
    vms: new Set(rows.filter((r) => r.vm !== null).map((r) => `${r.host}\u0000${r.vm}`)),
    macs: new Set(macs.map((m) => m.mac as Mac)),
    actors: new Set(rows.map((r) => r.actor)),
    hostsOrNetworks: rows.some((r) => r.kind.startsWith('host.') || r.kind.startsWith('network.')),
  };
}

/** The MACs of the given VMs' adapters (`host\u0000vm` keys). */
export async function macsOfVms(tx: SqlSession, vms: Iterable<string>): Promise<Mac[]> {
  const pairs = [...vms].map((k) => k.split('\u0000') as [string, string]);
  if (pairs.length === 0) return [];
  const rows = await tx.all<{ mac: number | null }>(
    `SELECT mac FROM fleet_adapters WHERE ${pairs.map(() => '(host = ? AND vm = ?)').join(' OR ')}`,
    pairs.flat(),
  );
  return rows.flatMap((r) => (r.mac === null ? [] : [r.mac as Mac]));
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

/** The MAC ranges the NLB rules look at (cluster MACs, masked source MACs), for range scans of the MAC index. */
const NLB_RANGES = [NLB_UNICAST_RANGE, NLB_MULTICAST_RANGE, NLB_MASKED_RANGE];

/**
 * The adapters the inventory's findings are about — those holding a MAC some other adapter holds too,
 * and those holding an NLB MAC — each as a VM carrying only those adapters (what `fleetFindings`
 * needs), and the networks they are on. One grouped pass over the MAC index, and a range scan of it
 * per NLB range.
 */
export async function findingHolders(
  tx: SqlSession,
  /** Only the holders of these MACs (every one, duplicated or not): what a change to a few MACs needs. */
  macs?: readonly Mac[],
): Promise<{ vms: Vm[]; networks: VirtualNetwork[] }> {
  const rows =
    macs === undefined
      ? await tx.all<AdapterRow & Record<string, unknown>>(
          `SELECT ${ADAPTER_COLUMNS}, v.state FROM fleet_adapters a JOIN fleet_vms v ON v.host = a.host AND v.name = a.vm
           WHERE a.mac IN (SELECT mac FROM fleet_adapters GROUP BY mac HAVING COUNT(*) > 1)
           ${NLB_RANGES.map(() => 'OR a.mac BETWEEN ? AND ?').join(' ')}
           ORDER BY a.host, a.vm, a.idx`,
          NLB_RANGES.flatMap((r) => [r.start, r.end]),
        )
      : macs.length === 0
        ? []
        : await tx.all<AdapterRow & Record<string, unknown>>(
            `SELECT ${ADAPTER_COLUMNS}, v.state FROM fleet_adapters a JOIN fleet_vms v ON v.host = a.host AND v.name = a.vm
             WHERE a.mac IN (${macs.map(() => '?').join(', ')}) ORDER BY a.host, a.vm, a.idx`,
            macs,
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

/**
 * The inventory's findings as `fleetFindings` gives them (duplicates by scope, then NLB problems), each
 * host's hypervisor known, over the holders of `macs` (default: every shared or NLB MAC) — what the
 * CLI's `findings`, GET /api/v1/findings, the inventory fix and the console's Conflicts page show.
 */
export async function readFleetFindings(tx: SqlSession, macs?: readonly Mac[]): Promise<InventoryFinding[]> {
  const { vms, networks } = await findingHolders(tx, macs);
  return fleetFindings(vms, networks, await selectHosts(tx, '', []));
}

/** One page of events, newest first; `more` when older events match too. */
export async function eventPage(
  tx: SqlSession,
  filter: Omit<EventFilter, 'limit'>,
  limit: number,
): Promise<{ events: FleetEvent[]; more: boolean }> {
  const { clause, params } = eventWhere(filter);
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

/**
 * Keyset pages for the API's lists: the items after the last key of the previous page, in key order,
 * `limit` of them and whether more follow. Each is one indexed range scan (the primary keys), however
 * far the page is into the table.
 */
export async function hostsAfter(
  tx: SqlSession,
  after: string | undefined,
  limit: number,
): Promise<{ items: Host[]; more: boolean }> {
  const hosts = await selectHosts(
    tx,
    after === undefined ? '' : 'WHERE name > ?',
    after === undefined ? [] : [after],
    limit + 1,
  );
  return { items: hosts.slice(0, limit), more: hosts.length > limit };
}

/** VMs by (host, name) after `after`, filtered by host and state, with their adapters. */
export async function vmsAfter(
  tx: SqlSession,
  filter: { readonly host?: string | undefined; readonly state?: VmState | undefined },
  after: { readonly host: string; readonly name: string } | undefined,
  limit: number,
): Promise<{ items: Vm[]; more: boolean }> {
  const where: string[] = [];
  const params: SqlValue[] = [];
  if (filter.host !== undefined) {
    where.push('v.host = ?');
    params.push(filter.host);
  }
  if (filter.state !== undefined) {
    where.push('v.state = ?');
    params.push(filter.state);
  }
  if (after !== undefined) {
    where.push('(v.host, v.name) > (?, ?)');
    params.push(after.host, after.name);
  }
  const vms = await tx.all<{ host: string; name: string; state: VmState }>(
    `SELECT v.host, v.name, v.state FROM fleet_vms v ${where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`}
     ORDER BY v.host, v.name LIMIT ?`,
    [...params, limit + 1],
  );
  return { items: await withAdapters(tx, vms.slice(0, limit)), more: vms.length > limit };
}

/** Virtual networks by (host, name) after `after`, optionally of one host. */
export async function networksAfter(
  tx: SqlSession,
  host: string | undefined,
  after: { readonly host: string; readonly name: string } | undefined,
  limit: number,
): Promise<{ items: VirtualNetwork[]; more: boolean }> {
  const where: string[] = [];
  const params: SqlValue[] = [];
  if (host !== undefined) {
    where.push('host = ?');
    params.push(host);
  }
  if (after !== undefined) {
    where.push('(host, name) > (?, ?)');
    params.push(after.host, after.name);
  }
  const rows = await tx.all<{ host: string; name: string; nic: number | null; segment: string }>(
    `SELECT host, name, nic, segment FROM fleet_networks ${where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`}
     ORDER BY host, name LIMIT ?`,
    [...params, limit + 1],
  );
  return {
    items: rows
      .slice(0, limit)
      .map((n) => ({ host: n.host, name: n.name, nic: n.nic as Mac | null, segment: n.segment })),
    more: rows.length > limit,
  };
}

/** The inventory's version: the audit log's last sequence number (every change appends to it). */
export async function fleetVersion(tx: SqlSession): Promise<number> {
  const row = await tx.get<{ v: number | null }>('SELECT MAX(seq) AS v FROM fleet_events');
  return Number(row?.v ?? 0);
}
