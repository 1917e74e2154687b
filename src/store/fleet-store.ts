/**
 * The fleet inventory and audit log on a Store (SQLite or PostgreSQL): the FleetRepository port of
 * src/fleet, written once over SqlSession. Fleet write transactions are serialized across processes —
 * SQLite by its single write lock, PostgreSQL by a transaction-scoped advisory lock — so two `vm start`
 * runs on one host never both miss each other's running MACs.
 */
import type { Mac, MacRange } from '../mac/index.js';
import type { EventDetail, EventFilter, FleetEvent, NewFleetEvent } from '../fleet/events.js';
import {
  formatAllocationSource,
  parseAllocationSource,
  type Adapter,
  type AdapterHolder,
  type Host,
  type HostNic,
  type VirtualNetwork,
  type Vm,
  type VmwarePolicy,
} from '../fleet/model.js';
import type { FleetRepository } from '../fleet/ports.js';
import type { PoolAllocator } from '../fleet/pool-source.js';
import type { Clock } from '../random.js';
import { storePoolAllocator } from './pool/fleet-pool-allocator.js';
import { chunks, valuesPlaceholders } from './sql.js';
import type { SqlSession, SqlValue, Store } from './store.js';

interface HostRow {
  name: string;
  hypervisor: Host['hypervisor'];
  ip: number | null;
  allocation: string;
  scheme: string;
  version: string | null;
}
export interface AdapterRow {
  host: string;
  vm: string;
  idx: number;
  network: string;
  mode: Adapter['mode'];
  mac: number | null;
  spoofing: number;
  dhcp_guard: number;
  router_guard: number;
  vmware: string | null;
  state?: Vm['state'];
}
export interface EventRow {
  seq: number;
  time: number;
  actor: string;
  kind: FleetEvent['kind'];
  host: string;
  vm: string | null;
  adapter: number | null;
  before_json: string | null;
  after_json: string | null;
  macs: string;
}

const bool = (b: boolean): number => (b ? 1 : 0);
const json = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));

// An inventory has a handful of distinct policies: each is parsed once, not once per adapter row.
const policies = new Map<string, VmwarePolicy>();
function vmwarePolicy(text: string | null): VmwarePolicy | null {
  if (text === null) return null;
  let policy = policies.get(text);
  if (policy === undefined) {
    policy = Object.freeze(JSON.parse(text) as VmwarePolicy);
    if (policies.size < 256) policies.set(text, policy);
  }
  return policy;
}

export const toAdapter = (r: AdapterRow): Adapter => ({
  index: r.idx,
  network: r.network,
  mode: r.mode,
  mac: r.mac === null ? null : (r.mac as Mac),
  spoofing: r.spoofing === 1,
  dhcpGuard: r.dhcp_guard === 1,
  routerGuard: r.router_guard === 1,
  vmware: vmwarePolicy(r.vmware),
});

export const ADAPTER_COLUMNS =
  'a.host, a.vm, a.idx, a.network, a.mode, a.mac, a.spoofing, a.dhcp_guard, a.router_guard, a.vmware';

/** The WHERE clause of an event filter over `fleet_events e` (one copy for every event query). */
export function eventWhere(filter: EventFilter): { clause: string; params: SqlValue[] } {
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
  when(filter.afterSeq, 'e.seq > ?');
  when(filter.beforeSeq, 'e.seq < ?');
  when(filter.mac, 'e.seq IN (SELECT seq FROM fleet_event_macs WHERE mac = ?)');
  return { clause: where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`, params };
}

/** The columns `eventsFromRows` reads, on `fleet_events e`. */
export const EVENT_COLUMNS =
  'e.seq, e.time, e.actor, e.kind, e.host, e.vm, e.adapter, e.before_json, e.after_json, e.macs';

/** Events from their rows (`macs`: the event's MACs in position order, decimal, comma-separated). */
export function eventsFromRows(rows: readonly EventRow[]): FleetEvent[] {
  return rows.map((r) => ({
    seq: r.seq,
    time: r.time,
    actor: r.actor,
    kind: r.kind,
    subject: {
      host: r.host,
      ...(r.vm === null ? {} : { vm: r.vm }),
      ...(r.adapter === null ? {} : { adapter: r.adapter }),
    },
    before: json<EventDetail>(r.before_json),
    after: json<EventDetail>(r.after_json),
    macs: r.macs === '' ? [] : r.macs.split(',').map((m) => Number(m) as Mac),
  }));
}

/**
 * Run `sql(n)`, a statement over `n` rows of `width` parameters, over the rows whose parameters are
 * `values` one after the other (flat: no array per row to allocate and flatten again), in chunks under
 * the drivers' parameter limits (SQLite 32,766 since 3.32, https://www.sqlite.org/limits.html#max_variable_number;
 * PostgreSQL 65,535): 8,000 parameters a statement, so a big import is a few hundred statements.
 */
async function forRows(
  tx: SqlSession,
  width: number,
  values: readonly SqlValue[],
  sql: (n: number) => string,
): Promise<void> {
  const step = Math.max(1, Math.floor(8000 / width)) * width;
  for (let i = 0; i < values.length; i += step) {
    const part = i === 0 && values.length <= step ? values : values.slice(i, i + step);
    await tx.run(sql(part.length / width), part);
  }
}

/**
 * Hosts by name with their NICs: all of them, or those `where` selects (up to `limit`). The NICs are
 * read for the hosts returned only, so a page of hosts reads a page of NICs.
 */
export async function selectHosts(
  tx: SqlSession,
  where: string,
  params: readonly SqlValue[],
  limit?: number,
): Promise<Host[]> {
  const rows = await tx.all<HostRow & Record<string, unknown>>(
    `SELECT name, hypervisor, ip, allocation, scheme, version FROM fleet_hosts ${where} ORDER BY name${limit === undefined ? '' : ' LIMIT ?'}`,
    limit === undefined ? params : [...params, limit],
  );
  if (rows.length === 0) return [];
  const all = where === '' && limit === undefined;
  const nics = new Map<string, HostNic[]>();
  for (const part of all ? [[]] : chunks(rows, 500)) {
    for (const n of await tx.all<{ host: string; mac: number; kind: HostNic['kind'] }>(
      `SELECT host, mac, kind FROM fleet_host_nics ${all ? '' : `WHERE host IN (${part.map(() => '?').join(', ')})`} ORDER BY host, position`,
      part.map((r) => r.name),
    )) {
      const list = nics.get(n.host);
      const nic = { mac: n.mac as Mac, kind: n.kind };
      if (list === undefined) nics.set(n.host, [nic]);
      else list.push(nic);
    }
  }
  return rows.map((r) => ({
    name: r.name,
    hypervisor: r.hypervisor,
    ip: r.ip,
    allocation: parseAllocationSource(r.allocation),
    scheme: JSON.parse(r.scheme) as Host['scheme'],
    version: r.version ?? null,
    nics: nics.get(r.name) ?? [],
  }));
}

/** Multi-row INSERTs into `target` (`table (columns)`) by `forRows`, with `suffix` after each VALUES list. */
const insertRows = (
  tx: SqlSession,
  target: string,
  width: number,
  values: readonly SqlValue[],
  suffix = '',
): Promise<void> =>
  forRows(tx, width, values, (n) => `INSERT INTO ${target} VALUES ${valuesPlaceholders(n, width)}${suffix}`);

/** Rows in the order of the tables' keys: each B-tree is written front to back, not at random places. */
const byHostAndName = (x: Vm, y: Vm): number =>
  x.host < y.host ? -1 : x.host > y.host ? 1 : x.name < y.name ? -1 : x.name > y.name ? 1 : 0;

/** Serialize fleet writers: SQLite's write transaction already does; PostgreSQL takes an advisory lock. */
const lockFleet = (tx: SqlSession): Promise<void> => tx.adapter.lock(tx, 'fleet');

export class StoreFleetRepository implements FleetRepository {
  /** @param session the open transaction, when this repository is the one a transaction hands out */
  constructor(
    readonly store: Store,
    readonly session?: SqlSession,
  ) {}

  private run<T>(fn: (tx: SqlSession) => Promise<T>): Promise<T> {
    return this.session === undefined ? this.store.transaction(fn) : fn(this.session);
  }

  /** A read outside a transaction is a read snapshot: on SQLite it takes no write lock. */
  private read<T>(fn: (tx: SqlSession) => Promise<T>): Promise<T> {
    return this.session === undefined ? this.store.transaction(fn, { mode: 'read' }) : fn(this.session);
  }

  transaction<T>(fn: (repo: FleetRepository) => Promise<T>): Promise<T> {
    if (this.session !== undefined) return fn(this);
    return this.store.transaction(async (tx) => {
      await lockFleet(tx);
      return fn(new StoreFleetRepository(this.store, tx));
    });
  }

  poolAllocator(clock: Clock): PoolAllocator | undefined {
    return this.session === undefined ? undefined : storePoolAllocator(this.session, clock);
  }

  getHost(name: string): Promise<Host | undefined> {
    return this.read(async (tx) => (await this.hosts(tx, name))[0]);
  }
  listHosts(): Promise<Host[]> {
    return this.read((tx) => this.hosts(tx));
  }
  private hosts(tx: SqlSession, name?: string): Promise<Host[]> {
    return name === undefined ? selectHosts(tx, '', []) : selectHosts(tx, 'WHERE name = ?', [name]);
  }
  putHost(host: Host): Promise<void> {
    return this.run(async (tx) => {
      const values = [
        host.hypervisor,
        host.ip,
        formatAllocationSource(host.allocation),
        JSON.stringify(host.scheme),
        host.version,
      ];
      const { changes } = await tx.run(
        'UPDATE fleet_hosts SET hypervisor = ?, ip = ?, allocation = ?, scheme = ?, version = ? WHERE name = ?',
        [...values, host.name],
      );
      if (changes === 0) {
        await tx.run(
          'INSERT INTO fleet_hosts (hypervisor, ip, allocation, scheme, version, name) VALUES (?, ?, ?, ?, ?, ?)',
          [...values, host.name],
        );
      }
      await tx.run('DELETE FROM fleet_host_nics WHERE host = ?', [host.name]);
      for (const [position, nic] of host.nics.entries()) {
        await tx.run('INSERT INTO fleet_host_nics (host, position, mac, kind) VALUES (?, ?, ?, ?)', [
          host.name,
          position,
          nic.mac,
          nic.kind,
        ]);
      }
    });
  }

  getNetwork(host: string, name: string): Promise<VirtualNetwork | undefined> {
    return this.read(async (tx) => (await this.networks(tx, 'WHERE host = ? AND name = ?', [host, name]))[0]);
  }
  listNetworks(host?: string): Promise<VirtualNetwork[]> {
    return this.read((tx) =>
      host === undefined ? this.networks(tx, '', []) : this.networks(tx, 'WHERE host = ?', [host]),
    );
  }
  private async networks(tx: SqlSession, where: string, params: SqlValue[]): Promise<VirtualNetwork[]> {
    const rows = await tx.all<{ host: string; name: string; nic: number | null; segment: string }>(
      `SELECT host, name, nic, segment FROM fleet_networks ${where} ORDER BY host, name`,
      params,
    );
    return rows.map((r) => ({ host: r.host, name: r.name, nic: r.nic as Mac | null, segment: r.segment }));
  }
  putNetwork(n: VirtualNetwork): Promise<void> {
    return this.run(async (tx) => {
      const { changes } = await tx.run(
        'UPDATE fleet_networks SET nic = ?, segment = ? WHERE host = ? AND name = ?',
        [n.nic, n.segment, n.host, n.name],
      );
      if (changes === 0) {
        await tx.run('INSERT INTO fleet_networks (nic, segment, host, name) VALUES (?, ?, ?, ?)', [
          n.nic,
          n.segment,
          n.host,
          n.name,
        ]);
      }
    });
  }

  getVm(host: string, name: string): Promise<Vm | undefined> {
    return this.read(async (tx) => (await this.vms(tx, 'v.host = ? AND v.name = ?', [host, name]))[0]);
  }
  findVms(name: string): Promise<Vm[]> {
    return this.read((tx) => this.vms(tx, 'v.name = ?', [name]));
  }
  listVms(host?: string): Promise<Vm[]> {
    return this.read((tx) =>
      host === undefined ? this.vms(tx, '1 = 1', []) : this.vms(tx, 'v.host = ?', [host]),
    );
  }
  private async vms(tx: SqlSession, where: string, params: SqlValue[]): Promise<Vm[]> {
    const vms = await tx.all<{ host: string; name: string; state: Vm['state'] }>(
      `SELECT v.host, v.name, v.state FROM fleet_vms v WHERE ${where} ORDER BY v.host, v.name`,
      params,
    );
    if (vms.length === 0) return [];
    const adapters = await tx.all<AdapterRow & Record<string, unknown>>(
      `SELECT ${ADAPTER_COLUMNS} FROM fleet_adapters a JOIN fleet_vms v ON v.host = a.host AND v.name = a.vm
       WHERE ${where} ORDER BY a.host, a.vm, a.idx`,
      params,
    );
    const byVm = new Map<string, Adapter[]>();
    for (const r of adapters) {
      const k = `${r.host}\u0000${r.vm}`;
      const list = byVm.get(k);
      if (list === undefined) byVm.set(k, [toAdapter(r)]);
      else list.push(toAdapter(r));
    }
    return vms.map((v) => ({ ...v, adapters: byVm.get(`${v.host}\u0000${v.name}`) ?? [] }));
  }
  putVm(vm: Vm): Promise<void> {
    return this.putVms([vm]);
  }
  /**
   * VMs upserted and their adapters replaced, in key order and in batches (`forRows`: an import of
   * 25,000 VMs is a few hundred statements on PostgreSQL): `INSERT ... ON CONFLICT DO UPDATE` has the
   * same syntax on SQLite (https://www.sqlite.org/lang_upsert.html) and PostgreSQL.
   */
  putVms(vms: readonly Vm[]): Promise<void> {
    if (vms.length === 0) return Promise.resolve();
    const sorted = [...vms].sort(byHostAndName);
    const keys: SqlValue[] = [];
    const states: SqlValue[] = [];
    const adapters: SqlValue[] = [];
    for (const vm of sorted) {
      keys.push(vm.host, vm.name);
      states.push(vm.host, vm.name, vm.state);
      for (const a of vm.adapters) {
        adapters.push(
          vm.host,
          vm.name,
          a.index,
          a.network,
          a.mode,
          a.mac,
          bool(a.spoofing),
          bool(a.dhcpGuard),
          bool(a.routerGuard),
          a.vmware === null ? null : JSON.stringify(a.vmware),
        );
      }
    }
    return this.run(async (tx) => {
      await insertRows(
        tx,
        'fleet_vms (host, name, state)',
        3,
        states,
        ' ON CONFLICT (host, name) DO UPDATE SET state = excluded.state',
      );
      await forRows(
        tx,
        2,
        keys,
        (n) => `DELETE FROM fleet_adapters WHERE (host, vm) IN (VALUES ${valuesPlaceholders(n, 2)})`,
      );
      await insertRows(
        tx,
        'fleet_adapters (host, vm, idx, network, mode, mac, spoofing, dhcp_guard, router_guard, vmware)',
        10,
        adapters,
      );
    });
  }
  deleteVm(host: string, name: string): Promise<void> {
    return this.run(async (tx) => {
      await tx.run('DELETE FROM fleet_adapters WHERE host = ? AND vm = ?', [host, name]);
      await tx.run('DELETE FROM fleet_vms WHERE host = ? AND name = ?', [host, name]);
    });
  }
  adaptersWithMac(mac: Mac): Promise<AdapterHolder[]> {
    return this.read(async (tx) => {
      const rows = await tx.all<AdapterRow & Record<string, unknown>>(
        `SELECT ${ADAPTER_COLUMNS}, v.state FROM fleet_adapters a JOIN fleet_vms v ON v.host = a.host AND v.name = a.vm
         WHERE a.mac = ? ORDER BY a.host, a.vm, a.idx`,
        [mac],
      );
      return rows.map((r) => ({
        host: r.host,
        vm: r.vm,
        vmState: r.state ?? 'stopped',
        adapter: toAdapter(r),
      }));
    });
  }

  macsOnHost(host: string, range?: MacRange): Promise<Set<Mac>> {
    return this.read(async (tx) => {
      const rows = await tx.all<{ mac: number }>(
        range === undefined
          ? 'SELECT mac FROM fleet_adapters WHERE host = ? AND mac IS NOT NULL'
          : 'SELECT mac FROM fleet_adapters WHERE host = ? AND mac BETWEEN ? AND ?',
        range === undefined ? [host] : [host, range.start, range.end],
      );
      return new Set(rows.map((r) => r.mac as Mac));
    });
  }

  /**
   * Events get consecutive sequence numbers under the fleet lock (SQLite's write lock; a PostgreSQL
   * advisory lock, re-entrant within the transaction), written in multi-row statements.
   */
  appendEvents(events: readonly NewFleetEvent[]): Promise<FleetEvent[]> {
    if (events.length === 0) return Promise.resolve([]);
    return this.run(async (tx) => {
      await lockFleet(tx);
      const last = await tx.get<{ seq: number | null }>('SELECT MAX(seq) AS seq FROM fleet_events');
      const first = (last?.seq ?? 0) + 1;
      const out = events.map((e, i) => ({ ...e, seq: first + i }));
      const rows: SqlValue[] = [];
      const macs: SqlValue[] = [];
      for (const e of out) {
        rows.push(
          e.seq,
          e.time,
          e.actor,
          e.kind,
          e.subject.host,
          e.subject.vm ?? null,
          e.subject.adapter ?? null,
          e.before === null ? null : JSON.stringify(e.before),
          e.after === null ? null : JSON.stringify(e.after),
          e.macs.join(','),
        );
        for (const m of e.macs.length > 1 ? new Set(e.macs) : e.macs) macs.push(m, e.seq);
      }
      await insertRows(
        tx,
        'fleet_events (seq, time, actor, kind, host, vm, adapter, before_json, after_json, macs)',
        10,
        rows,
      );
      await insertRows(tx, 'fleet_event_macs (mac, seq)', 2, macs);
      return out;
    });
  }

  listEvents(filter: EventFilter = {}): Promise<FleetEvent[]> {
    const { clause, params } = eventWhere(filter);
    const limit = filter.limit === undefined ? '' : ` LIMIT ${Math.max(0, Math.floor(filter.limit))}`;
    return this.read(async (tx) =>
      eventsFromRows(
        await tx.all<EventRow & Record<string, unknown>>(
          `SELECT ${EVENT_COLUMNS} FROM fleet_events e ${clause} ORDER BY e.seq${limit}`,
          params,
        ),
      ),
    );
  }
}
