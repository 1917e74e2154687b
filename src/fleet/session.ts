/**
 * One fleet operation in one transaction: loads what the rules need, allocates dynamic MACs through the
 * host's source (persisting the scheme state it returns), and collects the events it appends at commit.
 * A refusal rolls everything back and then records the events that explain it, in a transaction of
 * their own, so `vm.start_failed` is in the log even though nothing else changed.
 */
import { shellQuote } from '../escape.js';
import { MacfleetError } from '../errors.js';
import { formatMac, type Mac } from '../mac/index.js';
import type { Clock } from '../random.js';
import type { EventDetail, EventKind, EventSubject, NewFleetEvent } from './events.js';
import type { Host, Vm } from './model.js';
import type { FleetRepository, MacSourceResolver } from './ports.js';

export interface FleetDeps {
  readonly repo: FleetRepository;
  readonly clock: Clock;
  /** Who makes the changes (user name, API token name): recorded in every event. */
  readonly actor: string;
  readonly sources: MacSourceResolver;
}

class Refusal extends Error {
  constructor(
    readonly error: MacfleetError,
    readonly events: readonly NewFleetEvent[],
  ) {
    super(error.message);
  }
}

export class Session {
  private readonly events: NewFleetEvent[] = [];
  private readonly hosts = new Map<string, Host>();

  constructor(
    readonly repo: FleetRepository,
    private readonly deps: FleetDeps,
  ) {}

  emit(
    kind: EventKind,
    subject: EventSubject,
    before: EventDetail | null,
    after: EventDetail | null,
    macs: readonly Mac[],
  ): void {
    this.events.push({
      time: this.deps.clock.now(),
      actor: this.deps.actor,
      kind,
      subject,
      before,
      after,
      macs: [...new Set(macs)],
    });
  }

  /** Stop the operation: nothing it wrote is kept, but the events emitted so far are recorded. */
  refuse(error: MacfleetError): never {
    throw new Refusal(error, [...this.events]);
  }

  async host(name: string): Promise<Host> {
    const cached = this.hosts.get(name);
    if (cached !== undefined) return cached;
    const host = await this.repo.getHost(name);
    if (host === undefined) throw new MacfleetError('NOT_FOUND', `no host named ${JSON.stringify(name)}`);
    this.hosts.set(name, host);
    return host;
  }

  async savedHost(host: Host): Promise<void> {
    this.hosts.set(host.name, host);
    await this.repo.putHost(host);
  }

  /** A VM by name, on the given host or on the only host that has one by that name. */
  async vm(name: string, host?: string): Promise<Vm> {
    if (host !== undefined) {
      await this.host(host);
      const vm = await this.repo.getVm(host, name);
      if (vm === undefined)
        throw new MacfleetError('NOT_FOUND', `no VM named ${JSON.stringify(name)} on host ${host}`);
      return vm;
    }
    const found = await this.repo.findVms(name);
    if (found.length === 0) throw new MacfleetError('NOT_FOUND', `no VM named ${JSON.stringify(name)}`);
    if (found.length > 1) {
      throw new MacfleetError(
        'INVALID_ARGUMENT',
        `VM ${JSON.stringify(name)} exists on hosts ${found.map((v) => v.host).join(', ')}; say which with --host`,
        { location: { field: 'host' } },
      );
    }
    return found[0]!;
  }

  async requireNetwork(host: string, network: string): Promise<void> {
    if ((await this.repo.getNetwork(host, network)) === undefined) {
      throw new MacfleetError(
        'NOT_FOUND',
        `host ${host} has no virtual network ${JSON.stringify(network)} (add it with: macfleet network add ${shellQuote(network)} --host ${shellQuote(host)})`,
      );
    }
  }

  /**
   * Rule 1: a new dynamic MAC from the host's allocation source. Logs `adapter.mac_assigned` with the
   * reason and the source.
   */
  async assignDynamic(
    hostName: string,
    vm: string,
    index: number,
    network: string,
    previous: Mac | null,
    reason: string,
    avoid: ReadonlySet<Mac> = new Set(),
  ): Promise<Mac> {
    const host = await this.host(hostName);
    const source = this.deps.sources(host, this.repo);
    const grant = await source.allocate({
      host,
      vm,
      adapter: index,
      network,
      avoid: previous === null ? avoid : new Set([...avoid, previous]),
    });
    if (grant.scheme !== undefined) await this.savedHost({ ...host, scheme: grant.scheme });
    this.emit(
      'adapter.mac_assigned',
      { host: hostName, vm, adapter: index },
      previous === null ? null : { mac: formatMac(previous) },
      { mac: formatMac(grant.mac), mode: 'dynamic', network, source: grant.source, reason },
      previous === null ? [grant.mac] : [previous, grant.mac],
    );
    return grant.mac;
  }

  /** The host gave up a dynamic MAC: tell its source (a pool puts it in quarantine). */
  async releaseDynamic(hostName: string, mac: Mac): Promise<void> {
    const host = await this.host(hostName);
    await this.deps.sources(host, this.repo).release(host, mac);
  }

  async flush(): Promise<void> {
    if (this.events.length > 0) await this.repo.appendEvents(this.events.splice(0));
  }
}

/** Run one fleet operation atomically (see the file comment for refusals). */
export async function inSession<T>(deps: FleetDeps, fn: (s: Session) => Promise<T>): Promise<T> {
  try {
    return await deps.repo.transaction(async (repo) => {
      const session = new Session(repo, deps);
      const value = await fn(session);
      await session.flush();
      return value;
    });
  } catch (e) {
    if (!(e instanceof Refusal)) throw e;
    if (e.events.length > 0) await deps.repo.transaction((repo) => repo.appendEvents(e.events));
    throw e.error;
  }
}
