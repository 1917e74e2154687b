/**
 * The data several pages share, each computed over the whole inventory: counts, the inventory's
 * findings (the fleet core's rules, over only the adapters that hold a duplicated or an NLB MAC), the
 * predicted collisions between hosts' own schemes, the audit log's actors. They are cached per fleet
 * version: every change to the inventory appends to the audit log, so the log's last sequence number
 * (one index lookup) says whether a cached value is still the inventory's. When it is not, the events
 * since the cached version say what changed, and a value that knows how brings itself up to date from
 * them — the tallies of the hosts named, the findings about the MACs named — instead of a full pass
 * (tens of ms on 100,000 adapters). Many changes at once (an import) recompute.
 */
import {
  fleetCollisions,
  replaceDuplicatesOf,
  type FleetCollisions,
  type InventoryFinding,
} from '../fleet/index.js';
import { formatMac, safeParseMac, type Mac } from '../mac/index.js';
import { isNlbCandidate } from '../audit/pool-findings.js';
import { StoreFleetRepository } from '../store/fleet-store.js';
import {
  eventActors,
  readFleetFindings,
  fleetChangesSince,
  fleetCounts,
  fleetVersion,
  hostTallies,
  macsOfVms,
  type FleetChanges,
  type FleetCounts,
  type HostTally,
} from '../store/fleet-pages.js';
import type { SqlSession } from '../store/store.js';
import type { Kit } from './route-kit.js';

/** More events than this since a cached value: recompute it rather than follow them. */
const MAX_FOLLOWED_EVENTS = 2_000;
/** More MACs than this changed: recompute the findings (the query names each). */
const MAX_FOLLOWED_MACS = 500;

interface Cached {
  readonly version: number;
  readonly value: Promise<unknown>;
}

export { fleetVersion };

/** Per-console cache of whole-inventory values, keyed by what they are. */
export class FleetCache {
  readonly #entries = new Map<string, Cached>();
  /** The changes between two versions, read once for every value that follows them. */
  #changes: { from: number; to: number; value: Promise<FleetChanges | undefined> } | undefined;

  /**
   * The value for the inventory as `tx` sees it: cached, brought up to date by `update` from the
   * changes since (when given, and not too many), or computed.
   */
  async get<T>(
    tx: SqlSession,
    key: string,
    compute: () => Promise<T>,
    update?: (previous: T, changes: FleetChanges) => Promise<T | undefined>,
  ): Promise<T> {
    const version = await fleetVersion(tx);
    const hit = this.#entries.get(key);
    if (hit !== undefined && hit.version === version) return hit.value as Promise<T>;
    const value =
      hit !== undefined && update !== undefined && hit.version < version
        ? this.#update(tx, hit, version, compute, update)
        : compute();
    this.#entries.set(key, { version, value });
    value.catch(() => this.#entries.delete(key));
    return value;
  }

  async #update<T>(
    tx: SqlSession,
    hit: Cached,
    version: number,
    compute: () => Promise<T>,
    update: (previous: T, changes: FleetChanges) => Promise<T | undefined>,
  ): Promise<T> {
    const changes = await this.#changesBetween(tx, hit.version, version);
    if (changes === undefined) return compute();
    let previous: T;
    try {
      previous = (await hit.value) as T;
    } catch {
      return compute();
    }
    return (await update(previous, changes)) ?? compute();
  }

  #changesBetween(tx: SqlSession, from: number, to: number): Promise<FleetChanges | undefined> {
    const c = this.#changes;
    if (c !== undefined && c.from === from && c.to === to) return c.value;
    const value = fleetChangesSince(tx, from, MAX_FOLLOWED_EVENTS);
    this.#changes = { from, to, value };
    return value;
  }
}

/** The inventory's findings (duplicates, NLB problems) as `fleetFindings` gives them, hosts' hypervisors known. */
export function inventoryFindings(kit: Kit, tx: SqlSession): Promise<InventoryFinding[]> {
  return kit.cache.get(
    tx,
    'findings',
    () => readFleetFindings(tx),
    async (previous, changes) => {
      // A host's hypervisor or a network's segment decides scopes of MACs no event names: recompute.
      if (changes.hostsOrNetworks) return undefined;
      // The MACs whose findings may differ: those the events name, those of the VMs they are about (a
      // start or stop changes what members show), and those of findings with a member on such a VM.
      const macs = new Set<Mac>([...changes.macs, ...(await macsOfVms(tx, changes.vms))]);
      for (const f of previous) {
        if (!f.members.some((m) => changes.vms.has(`${m.host}\u0000${m.vm}`))) continue;
        const mac = safeParseMac(f.mac);
        if (!mac.success) return undefined;
        macs.add(mac.data);
      }
      // NLB findings depend on every NLB adapter together: any NLB MAC changed recomputes them all.
      if (macs.size > MAX_FOLLOWED_MACS || [...macs].some((mac) => isNlbCandidate({ mac }))) return undefined;
      const text = new Set([...macs].map((m) => formatMac(m)));
      return replaceDuplicatesOf(previous, text, await readFleetFindings(tx, [...macs]));
    },
  );
}

/** What each host holds, the hosts an event names tallied again. */
export const cachedHostTallies = (kit: Kit, tx: SqlSession): Promise<Map<string, HostTally>> =>
  kit.cache.get(
    tx,
    'host-tallies',
    () => hostTallies(tx),
    async (previous, changes) => {
      const next = new Map(previous);
      const fresh = await hostTallies(tx, [...changes.hosts]);
      for (const h of changes.hosts) {
        const t = fresh.get(h);
        if (t === undefined) next.delete(h);
        else next.set(h, t);
      }
      return next;
    },
  );

export const cachedFleetCounts = async (kit: Kit, tx: SqlSession): Promise<FleetCounts> =>
  fleetCounts(await cachedHostTallies(kit, tx));

/** VMs, running VMs and adapters per host. */
export async function cachedHostCounts(
  kit: Kit,
  tx: SqlSession,
): Promise<Map<string, { vms: number; running: number; adapters: number }>> {
  const tallies = await cachedHostTallies(kit, tx);
  return new Map(
    [...tallies].map(([h, t]) => [
      h,
      {
        vms: t.vmsByState.stopped + t.vmsByState.running + t.vmsByState.saved,
        running: t.vmsByState.running,
        adapters: t.adapters,
      },
    ]),
  );
}

/** The audit log's actors (for the Events page's filter), those of new events added. */
export const cachedActors = (kit: Kit, tx: SqlSession): Promise<string[]> =>
  kit.cache.get(
    tx,
    'actors',
    // Sorted here, not by the database's collation, so a list brought up to date keeps the same order.
    async () => (await eventActors(tx)).sort(),
    (previous, changes) => Promise.resolve([...new Set([...previous, ...changes.actors])].sort()),
  );

/** Which hosts will hand out the same dynamic MACs, with each host's adapter count for the odds. */
export function hostCollisions(kit: Kit, tx: SqlSession): Promise<FleetCollisions> {
  return kit.cache.get(tx, 'collisions', async () => {
    const hosts = await new StoreFleetRepository(kit.deps.store, tx).listHosts();
    const counts = await cachedHostTallies(kit, tx);
    const adapters = new Map([...counts].map(([h, c]) => [h, c.adapters]));
    return fleetCollisions(hosts, kit.deps.random, adapters);
  });
}
