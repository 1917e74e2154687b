/**
 * Collects observations of one source, one per (MAC, port, VLAN, segment, host): the first and last
 * time, a count, how the MAC showed itself, the addresses it used. Memory grows with the distinct
 * (MAC, place) pairs, never with the input size; the lists inside an observation are capped.
 */
import { formatMac, type Mac } from '../mac/index.js';
import { iso, type Observation, type PortKind, type SeenAs, type SourceContext } from './model.js';

/** At most this many addresses, client-ids or host names are kept per observation. */
export const MAX_LIST = 16;

export interface Sighting {
  readonly mac: Mac;
  readonly segment: string | null;
  readonly host: string | null;
  readonly port: string | null;
  readonly vlan: number | null;
  readonly outerVlan?: number | null;
  readonly portKind: PortKind;
  /** ms since the epoch, or null when the source does not tell. */
  readonly at: number | null;
  readonly seenAs: SeenAs;
  readonly ip?: string | null;
  readonly count?: number;
}

interface Entry {
  mac: Mac;
  segment: string | null;
  host: string | null;
  port: string | null;
  vlan: number | null;
  outerVlan: number | null;
  portKind: PortKind;
  first: number | null;
  last: number | null;
  count: number;
  seenAs: Set<SeenAs>;
  ips: Set<string>;
  dhcp: { clientIds: Set<string>; hostNames: Set<string>; messages: Set<string> } | null;
  dad: { probes: number; defended: number } | null;
  nlb: { vip: string; priority: number } | null;
}

const addCapped = (set: Set<string>, value: string): void => {
  if (set.size < MAX_LIST) set.add(value);
};

export class ObservationTable {
  private readonly entries = new Map<string, Entry>();

  /** Record one sighting; returns the entry so callers can add DHCP, DAD or NLB detail. */
  add(s: Sighting): Entry {
    const key = `${s.mac}|${s.segment ?? ''}|${s.host ?? ''}|${s.port ?? ''}|${s.vlan ?? ''}|${s.outerVlan ?? ''}`;
    let e = this.entries.get(key);
    if (e === undefined) {
      e = {
        mac: s.mac,
        segment: s.segment,
        host: s.host,
        port: s.port,
        vlan: s.vlan,
        outerVlan: s.outerVlan ?? null,
        portKind: s.portKind,
        first: s.at,
        last: s.at,
        count: 0,
        seenAs: new Set(),
        ips: new Set(),
        dhcp: null,
        dad: null,
        nlb: null,
      };
      this.entries.set(key, e);
    } else if (s.at !== null) {
      if (e.first === null || s.at < e.first) e.first = s.at;
      if (e.last === null || s.at > e.last) e.last = s.at;
    }
    e.count += s.count ?? 1;
    e.seenAs.add(s.seenAs);
    if (s.ip !== undefined && s.ip !== null) addCapped(e.ips, s.ip);
    return e;
  }

  /**
   * A DHCP server's lease (dnsmasq, ISC dhcpd, Kea): `mac` held `ip` on the source's segment; a lease
   * file knows no switch port or VLAN. `state` is the lease's binding state, kept with the DHCP detail.
   */
  lease(
    ctx: Pick<SourceContext, 'segment' | 'host'>,
    mac: Mac,
    ip: string | null,
    at: number | null,
    dhcp: {
      readonly clientId: string | null;
      readonly hostName: string | null;
      readonly state: string | null;
    },
  ): void {
    const e = this.add({
      mac,
      segment: ctx.segment,
      host: ctx.host,
      port: null,
      vlan: null,
      portKind: 'unknown',
      at,
      seenAs: 'lease',
      ip,
    });
    this.dhcp(e, dhcp.clientId, dhcp.hostName, dhcp.state);
  }

  dhcp(e: Entry, clientId: string | null, hostName: string | null, message: string | null): void {
    e.dhcp ??= { clientIds: new Set(), hostNames: new Set(), messages: new Set() };
    if (clientId !== null) addCapped(e.dhcp.clientIds, clientId);
    if (hostName !== null) addCapped(e.dhcp.hostNames, hostName);
    if (message !== null) addCapped(e.dhcp.messages, message);
  }

  dad(e: Entry, probes: number, defended: number): void {
    e.dad ??= { probes: 0, defended: 0 };
    e.dad.probes += probes;
    e.dad.defended += defended;
  }

  nlb(e: Entry, vip: string, priority: number): void {
    e.nlb = { vip, priority };
  }

  get size(): number {
    return this.entries.size;
  }

  /** The observations, ordered by MAC then place, with lists sorted (stable output). */
  observations(): Observation[] {
    const list = [...this.entries.values()].sort(
      (a, b) =>
        a.mac - b.mac ||
        cmp(a.host, b.host) ||
        cmp(a.port, b.port) ||
        (a.vlan ?? -1) - (b.vlan ?? -1) ||
        cmp(a.segment, b.segment),
    );
    return list.map((e) => ({
      mac: formatMac(e.mac),
      segment: e.segment,
      host: e.host,
      port: e.port,
      vlan: e.vlan,
      ...(e.outerVlan === null ? {} : { outerVlan: e.outerVlan }),
      portKind: e.portKind,
      first: iso(e.first),
      last: iso(e.last),
      count: e.count,
      seenAs: [...e.seenAs].sort(),
      ips: [...e.ips].sort(),
      ...(e.dhcp === null
        ? {}
        : {
            dhcp: {
              clientIds: [...e.dhcp.clientIds].sort(),
              hostNames: [...e.dhcp.hostNames].sort(),
              messages: [...e.dhcp.messages].sort(),
            },
          }),
      ...(e.dad === null ? {} : { dad: { ...e.dad } }),
      ...(e.nlb === null ? {} : { nlb: { ...e.nlb } }),
    }));
  }
}

const cmp = (a: string | null, b: string | null): number => (a ?? '').localeCompare(b ?? '');
