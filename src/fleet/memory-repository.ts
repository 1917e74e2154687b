/**
 * An in-memory FleetRepository: the reference the store contract is checked against, and the one the
 * rule tests use. Values are immutable, so a transaction snapshot is a shallow copy of the maps.
 */
import { rangeContains, type Mac, type MacRange } from '../mac/index.js';
import { eventMatches, type EventFilter, type FleetEvent, type NewFleetEvent } from './events.js';
import type { AdapterHolder, Host, VirtualNetwork, Vm } from './model.js';
import type { FleetRepository } from './ports.js';

interface State {
  hosts: Map<string, Host>;
  networks: Map<string, VirtualNetwork>;
  vms: Map<string, Vm>;
  events: FleetEvent[];
}

const key = (host: string, name: string): string => `${host}\u0000${name}`;
const byName = <T extends { name: string }>(a: T, b: T): number =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
const byHostName = <T extends { host: string; name: string }>(a: T, b: T): number =>
  a.host < b.host ? -1 : a.host > b.host ? 1 : byName(a, b);

export class MemoryFleetRepository implements FleetRepository {
  private state: State = { hosts: new Map(), networks: new Map(), vms: new Map(), events: [] };
  private queue: Promise<unknown> = Promise.resolve();

  getHost(name: string): Promise<Host | undefined> {
    return Promise.resolve(this.state.hosts.get(name));
  }
  listHosts(): Promise<Host[]> {
    return Promise.resolve([...this.state.hosts.values()].sort(byName));
  }
  putHost(host: Host): Promise<void> {
    this.state.hosts.set(host.name, host);
    return Promise.resolve();
  }
  getNetwork(host: string, name: string): Promise<VirtualNetwork | undefined> {
    return Promise.resolve(this.state.networks.get(key(host, name)));
  }
  listNetworks(host?: string): Promise<VirtualNetwork[]> {
    const all = [...this.state.networks.values()].filter((n) => host === undefined || n.host === host);
    return Promise.resolve(all.sort(byHostName));
  }
  putNetwork(network: VirtualNetwork): Promise<void> {
    this.state.networks.set(key(network.host, network.name), network);
    return Promise.resolve();
  }
  getVm(host: string, name: string): Promise<Vm | undefined> {
    return Promise.resolve(this.state.vms.get(key(host, name)));
  }
  findVms(name: string): Promise<Vm[]> {
    return Promise.resolve([...this.state.vms.values()].filter((v) => v.name === name).sort(byHostName));
  }
  listVms(host?: string): Promise<Vm[]> {
    const all = [...this.state.vms.values()].filter((v) => host === undefined || v.host === host);
    return Promise.resolve(all.sort(byHostName));
  }
  putVm(vm: Vm): Promise<void> {
    this.state.vms.set(key(vm.host, vm.name), {
      ...vm,
      adapters: [...vm.adapters].sort((a, b) => a.index - b.index),
    });
    return Promise.resolve();
  }
  deleteVm(host: string, name: string): Promise<void> {
    this.state.vms.delete(key(host, name));
    return Promise.resolve();
  }
  adaptersWithMac(mac: Mac): Promise<AdapterHolder[]> {
    const out: AdapterHolder[] = [];
    for (const vm of [...this.state.vms.values()].sort(byHostName)) {
      for (const adapter of vm.adapters) {
        if (adapter.mac === mac) out.push({ host: vm.host, vm: vm.name, vmState: vm.state, adapter });
      }
    }
    return Promise.resolve(out);
  }
  macsOnHost(host: string, range?: MacRange): Promise<Set<Mac>> {
    const out = new Set<Mac>();
    for (const vm of this.state.vms.values()) {
      if (vm.host !== host) continue;
      for (const a of vm.adapters) if (range === undefined || rangeContains(range, a.mac)) out.add(a.mac);
    }
    return Promise.resolve(out);
  }
  appendEvents(events: readonly NewFleetEvent[]): Promise<FleetEvent[]> {
    const added = events.map((e, i) => ({ ...e, seq: this.state.events.length + i + 1 }));
    this.state.events = [...this.state.events, ...added];
    return Promise.resolve(added);
  }
  listEvents(filter: EventFilter = {}): Promise<FleetEvent[]> {
    const matching = this.state.events.filter((e) => eventMatches(e, filter));
    return Promise.resolve(filter.limit === undefined ? matching : matching.slice(0, filter.limit));
  }

  /** Transactions run one at a time; a failure restores the snapshot taken at the start. */
  transaction<T>(fn: (repo: FleetRepository) => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      const snapshot: State = {
        hosts: new Map(this.state.hosts),
        networks: new Map(this.state.networks),
        vms: new Map(this.state.vms),
        events: this.state.events,
      };
      try {
        return await fn(this);
      } catch (e) {
        this.state = snapshot;
        throw e;
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }
}
