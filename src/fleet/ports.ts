/**
 * The two ports the fleet core talks through: a repository (the Store implements it on SQLite and
 * PostgreSQL; an in-memory one serves tests) and MAC sources (the host's hypervisor scheme or a pool).
 */
import type { Mac, MacRange } from '../mac/index.js';
import type { EventFilter, FleetEvent, NewFleetEvent } from './events.js';
import type { Clock } from '../random.js';
import type { AdapterHolder, Host, SchemeState, VirtualNetwork, Vm } from './model.js';
import type { PoolAllocator } from './pool-source.js';

export interface FleetRepository {
  getHost(name: string): Promise<Host | undefined>;
  listHosts(): Promise<Host[]>;
  /** Insert or replace a host (its NICs, allocation source and scheme state). */
  putHost(host: Host): Promise<void>;

  getNetwork(host: string, name: string): Promise<VirtualNetwork | undefined>;
  listNetworks(host?: string): Promise<VirtualNetwork[]>;
  putNetwork(network: VirtualNetwork): Promise<void>;

  getVm(host: string, name: string): Promise<Vm | undefined>;
  /** Every VM with this name, on any host (VM names are unique per host only). */
  findVms(name: string): Promise<Vm[]>;
  listVms(host?: string): Promise<Vm[]>;
  /** Insert or replace a VM with its adapters. */
  putVm(vm: Vm): Promise<void>;
  /** Insert or replace many VMs with their adapters (an import): as putVm on each, in fewer writes. */
  putVms(vms: readonly Vm[]): Promise<void>;
  deleteVm(host: string, name: string): Promise<void>;
  /** Every adapter in the fleet holding this MAC. */
  adaptersWithMac(mac: Mac): Promise<AdapterHolder[]>;
  /** The MACs adapters of VMs on this host hold, within `range` when given (what a hypervisor checks). */
  macsOnHost(host: string, range?: MacRange): Promise<Set<Mac>>;

  /** Append events (never updated or deleted); returns them with their sequence numbers. */
  appendEvents(events: readonly NewFleetEvent[]): Promise<FleetEvent[]>;
  /** Events in sequence order. */
  listEvents(filter?: EventFilter): Promise<FleetEvent[]>;

  /** Run `fn` atomically: everything it wrote is kept if it resolves, nothing if it throws. */
  transaction<T>(fn: (repo: FleetRepository) => Promise<T>): Promise<T>;

  /**
   * The pool allocator working inside this repository's transaction (the MAC source of `pool:<name>`
   * hosts); undefined outside a transaction or where no pools are kept.
   */
  poolAllocator?(clock: Clock): PoolAllocator | undefined;
}

/** What a dynamic MAC is needed for. */
export interface MacRequest {
  readonly host: Host;
  readonly vm: string;
  readonly adapter: number;
  readonly network: string;
  /** MACs the grant must not be (e.g. the one that just conflicted). */
  readonly avoid: ReadonlySet<Mac>;
}

/** A dynamic MAC handed out, and the host's scheme state after handing it out (to persist). */
export interface MacGrant {
  readonly mac: Mac;
  /** `hypervisor:<kind>` or `pool:<name>`, recorded in the event. */
  readonly source: string;
  readonly scheme?: SchemeState;
}

/**
 * Allocates dynamic MACs for one host. Satisfied by the hypervisor scheme of the host (Virtual Server
 * counter, Hyper-V next-available pointer, random prefixes) or by the fleet allocator (`pool:<name>`).
 */
export interface MacSource {
  allocate(request: MacRequest): Promise<MacGrant>;
  /** The host gave this MAC up (a dynamic adapter got a new MAC, or its VM left the host). */
  release(host: Host, mac: Mac): Promise<void>;
}

/** Chooses the MAC source for a host; called with the repository of the running transaction. */
export type MacSourceResolver = (host: Host, repo: FleetRepository) => MacSource;
