/**
 * Observed against intended: findings from an observation set and what configurations, inventory and
 * pools say. Pure; options carry the windows. Shared by design (NLB cluster and masked addresses,
 * `--allow` ranges) is never a duplicate or a flap.
 */
import { classifyMac, formatMac, parseMac, rangeContains, type Mac, type MacRange } from '../mac/index.js';
import type { IntendedAdapter, Intended } from './intended.js';
import {
  isCaptureKind,
  type IntendedRef,
  type Observation,
  type ObservationSet,
  type ObserveFinding,
  type ObservedSource,
  type Where,
} from './model.js';

export interface ReconcileOptions {
  readonly allow: readonly MacRange[];
  /** A table entry (fdb, neigh, SNMP, lease) stands for this long before its time (Linux bridge ageing: 300 s). */
  readonly snapshotSlackMs: number;
  /** `flap`: at least this many moves ... */
  readonly flapMoves: number;
  /** ... within this window. */
  readonly flapWindowMs: number;
  /** Vendor lookup (the OUI registry is large: the CLI passes it in). */
  readonly vendorOf?: (mac: Mac) => string | undefined;
}

export const DEFAULT_RECONCILE: ReconcileOptions = {
  allow: [],
  snapshotSlackMs: 300_000,
  flapMoves: 3,
  flapWindowMs: 60_000,
};

interface Seen {
  readonly o: Observation;
  readonly source: ObservedSource;
  readonly from: number;
  readonly to: number;
}

const NLB_KINDS = new Set(['nlb-unicast', 'nlb-multicast', 'nlb-igmp', 'nlb-masked']);
const VM_KINDS = new Set([
  'virtual-server',
  'hyper-v',
  'vmware-generated',
  'vmware-static',
  'vmware-vcenter',
  'qemu',
  'xen',
  'virtualbox',
  'proxmox',
  'scvmm',
  'ovirt',
  'openstack',
]);

export function reconcile(
  set: ObservationSet,
  intended: Intended,
  options: ReconcileOptions = DEFAULT_RECONCILE,
): ObserveFinding[] {
  const byMac = new Map<Mac, Seen[]>();
  for (const source of set.sources) {
    const slack = isCaptureKind(source.kind) ? 0 : options.snapshotSlackMs;
    for (const o of source.observations) {
      const mac = parseMac(o.mac);
      const first = o.first === null ? Number.NEGATIVE_INFINITY : Date.parse(o.first) - slack;
      const last = o.last === null ? Number.POSITIVE_INFINITY : Date.parse(o.last);
      const list = byMac.get(mac) ?? [];
      list.push({ o, source, from: first, to: last });
      byMac.set(mac, list);
    }
  }
  const intendedBy = new Map<Mac, IntendedAdapter[]>();
  for (const a of intended.adapters) intendedBy.set(a.mac, [...(intendedBy.get(a.mac) ?? []), a]);
  const allowed = (mac: Mac): boolean => options.allow.some((r) => rangeContains(r, mac));

  const findings: ObserveFinding[] = [];
  const nlbSeen: Seen[] = [];
  for (const [mac, seen] of [...byMac].sort((a, b) => a[0] - b[0])) {
    const kind = classifyMac(mac).kind;
    const macText = seen[0]!.o.mac;
    const refs = (intendedBy.get(mac) ?? []).map(ref);
    if (NLB_KINDS.has(kind) || seen.some((s) => s.o.nlb !== undefined)) {
      nlbSeen.push(...seen);
      if (NLB_KINDS.has(kind)) continue;
    }
    const shared = allowed(mac) || NLB_KINDS.has(kind);
    const dup = shared ? null : liveDuplicate(macText, seen, refs);
    if (dup !== null) findings.push(dup);
    if (!shared && dup === null) {
      const flap = flapFinding(macText, seen, refs, options);
      if (flap !== null) findings.push(flap);
    }
    const mine = intendedBy.get(mac);
    if (mine === undefined) {
      if (!intended.poolHeld.has(mac) && !allowed(mac)) {
        const u = unknownFinding(mac, macText, seen, options);
        if (u !== null) findings.push(u);
      }
    } else findings.push(...mismatchFindings(macText, seen, mine, refs));
  }
  findings.push(...staleFindings(set, byMac, intended));
  findings.push(...nlbFindings(nlbSeen));
  return findings;
}

const where = (s: Seen): Where => ({
  host: s.o.host,
  port: s.o.port,
  vlan: s.o.vlan,
  segment: s.o.segment,
  first: s.o.first,
  last: s.o.last,
  source: s.source.name,
});

const ref = (a: IntendedAdapter): IntendedRef => ({
  file: a.file,
  line: a.line,
  vm: a.vm,
  host: a.host,
  network: a.network,
});

const placeText = (s: Seen): string =>
  `${s.o.host ?? '?'}/${s.o.port ?? '?'}${s.o.vlan === null ? '' : ` vlan ${s.o.vlan}`}`;

const segKey = (o: Observation): string => `${o.segment ?? ''}|${o.vlan ?? ''}|${o.outerVlan ?? ''}`;

function liveDuplicate(mac: string, seen: readonly Seen[], refs: IntendedRef[]): ObserveFinding | null {
  const reasons: string[] = [];
  const evidence = new Set<Seen>();
  // One MAC behind VM-facing ports of two places of one segment at overlapping times.
  const groups = new Map<string, Seen[]>();
  for (const s of seen)
    if (s.o.portKind === 'vm') groups.set(segKey(s.o), [...(groups.get(segKey(s.o)) ?? []), s]);
  for (const list of groups.values()) {
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const a = list[i]!;
        const b = list[j]!;
        if (a.o.host === b.o.host && a.o.port === b.o.port) continue;
        if (a.from <= b.to && b.from <= a.to) {
          evidence.add(a);
          evidence.add(b);
        }
      }
    }
  }
  if (evidence.size > 0) {
    const places = [...new Set([...evidence].map(placeText))];
    reasons.push(`live behind ${places.length} VM-facing ports at overlapping times: ${places.join(', ')}`);
  }
  // Two DHCP clients with one chaddr.
  const dhcp = seen.filter((s) => s.o.dhcp !== undefined);
  const ids = new Set(dhcp.flatMap((s) => s.o.dhcp!.clientIds));
  const names = new Set(dhcp.flatMap((s) => s.o.dhcp!.hostNames));
  if (ids.size > 1 || names.size > 1) {
    dhcp.forEach((s) => evidence.add(s));
    const what = [
      ...(ids.size > 1 ? [`client-ids ${[...ids].join(', ')}`] : []),
      ...(names.size > 1 ? [`host names ${[...names].join(', ')}`] : []),
    ];
    reasons.push(`two DHCP clients use it as chaddr (${what.join('; ')})`);
  }
  // An IPv6 DAD probe for its link-local address was answered.
  const dad = seen.filter((s) => (s.o.dad?.defended ?? 0) > 0);
  if (dad.length > 0) {
    seen.filter((s) => s.o.dad !== undefined).forEach((s) => evidence.add(s));
    reasons.push(
      'an IPv6 duplicate address detection probe for its link-local address was answered by another station',
    );
  }
  if (reasons.length === 0) return null;
  return {
    kind: 'live-duplicate',
    severity: 'error',
    mac,
    message: `${mac} is live twice on one segment: ${reasons.join('; ')}`,
    where: [...evidence].map(where),
    intended: refs,
  };
}

function flapFinding(
  mac: string,
  seen: readonly Seen[],
  refs: IntendedRef[],
  options: ReconcileOptions,
): ObserveFinding | null {
  const sources = new Set(seen.map((s) => s.source));
  for (const source of sources) {
    const times = source.moves
      .filter((m) => m.mac === mac)
      .map((m) => Date.parse(m.at))
      .sort((a, b) => a - b);
    for (let i = 0; i + options.flapMoves - 1 < times.length; i++) {
      if (times[i + options.flapMoves - 1]! - times[i]! <= options.flapWindowMs) {
        const ports = [
          ...new Set(source.moves.filter((m) => m.mac === mac).flatMap((m) => [m.from ?? '?', m.to ?? '?'])),
        ];
        return {
          kind: 'flap',
          severity: 'warning',
          mac,
          message: `${mac} moved between ports ${ports.join(', ')} ${times.length} times in ${source.name} (${options.flapMoves} within ${options.flapWindowMs / 1000} s): a loop, a misconfigured bond, or two stations sharing it`,
          where: seen.filter((s) => s.source === source).map(where),
          intended: refs,
        };
      }
    }
  }
  return null;
}

function unknownFinding(
  mac: Mac,
  macText: string,
  seen: readonly Seen[],
  options: ReconcileOptions,
): ObserveFinding | null {
  const relevant = seen.filter((s) => s.o.portKind !== 'uplink');
  if (relevant.length === 0) return null;
  const c = classifyMac(mac);
  const vendor = options.vendorOf?.(mac) ?? null;
  const local = (Math.floor(mac / 2 ** 40) & 2) === 2;
  const vmLike = VM_KINDS.has(c.kind);
  const why = vmLike
    ? `a VM of a host macfleet does not manage (${c.description})`
    : local
      ? 'a locally administered address in no pool: a VM of an unmanaged host or a spoofed address'
      : `a device of ${vendor ?? 'an unregistered vendor'}, not a managed VM`;
  return {
    kind: 'unknown',
    severity: vmLike || local ? 'warning' : 'info',
    mac: macText,
    message: `${macText} is on the wire but in no configuration, inventory entry or pool: ${why}`,
    where: relevant.map(where),
    intended: [],
    vendor,
    classification: c.kind,
  };
}

function mismatchFindings(
  mac: string,
  seen: readonly Seen[],
  mine: readonly IntendedAdapter[],
  refs: IntendedRef[],
): ObserveFinding[] {
  const out: ObserveFinding[] = [];
  const hosts = new Set(mine.map((a) => a.host).filter((h): h is string => h !== null));
  const segments = new Set(
    mine.flatMap((a) => [a.segment, a.network]).filter((s): s is string => s !== null),
  );
  const vlans = new Set(mine.map((a) => a.vlan).filter((v): v is number => v !== null));
  const wrong: { s: Seen; what: string }[] = [];
  for (const s of seen) {
    if (s.o.portKind === 'vm' && s.o.host !== null && hosts.size > 0 && !hosts.has(s.o.host))
      wrong.push({ s, what: `host ${s.o.host} (configured: ${[...hosts].join(', ')})` });
    else if (
      s.o.portKind !== 'uplink' &&
      s.o.segment !== null &&
      segments.size > 0 &&
      !segments.has(s.o.segment)
    )
      wrong.push({ s, what: `segment ${s.o.segment} (configured: ${[...segments].join(', ')})` });
    else if (s.o.portKind !== 'uplink' && s.o.vlan !== null && vlans.size > 0 && !vlans.has(s.o.vlan))
      wrong.push({ s, what: `VLAN ${s.o.vlan} (configured: ${[...vlans].join(', ')})` });
  }
  if (wrong.length > 0) {
    out.push({
      kind: 'mismatch',
      severity: 'warning',
      mac,
      message: `${mac} of ${mine.map((a) => a.vm).join(', ')} is seen where its configuration does not put it: ${[...new Set(wrong.map((w) => w.what))].join('; ')}`,
      where: wrong.map((w) => where(w.s)),
      intended: refs,
    });
  }
  return out;
}

function staleFindings(
  set: ObservationSet,
  byMac: ReadonlyMap<Mac, Seen[]>,
  intended: Intended,
): ObserveFinding[] {
  const hosts = new Set(
    set.sources.flatMap((s) => [s.host, ...s.observations.map((o) => o.host)]).filter((h) => h !== null),
  );
  const segments = new Set(
    set.sources.flatMap((s) => s.observations.map((o) => o.segment)).filter((s) => s !== null),
  );
  const window = set.sources
    .flatMap((s) => [s.first, s.last])
    .filter((t): t is string => t !== null)
    .sort();
  const out: ObserveFinding[] = [];
  for (const a of intended.adapters) {
    if (a.state !== 'running' || byMac.has(a.mac)) continue;
    const covered = (a.host !== null && hosts.has(a.host)) || (a.segment !== null && segments.has(a.segment));
    if (!covered) continue;
    out.push({
      kind: 'stale',
      severity: 'warning',
      mac: formatMac(a.mac),
      message: `${a.host ?? '?'}/${a.vm} is running according to the inventory, but ${formatMac(a.mac)} never showed on the wire${window.length > 0 ? ` between ${window[0]} and ${window.at(-1)}` : ''}`,
      where: [],
      intended: [ref(a)],
    });
  }
  return out;
}

function nlbFindings(seen: readonly Seen[]): ObserveFinding[] {
  const byVip = new Map<string, Seen[]>();
  for (const s of seen) {
    const c = classifyMac(parseMac(s.o.mac));
    const vip = 'vip' in c ? c.vip : s.o.nlb?.vip;
    if (vip === undefined) continue;
    byVip.set(vip, [...(byVip.get(vip) ?? []), s]);
  }
  const out: ObserveFinding[] = [];
  for (const [vip, list] of [...byVip].sort()) {
    const cluster = list.filter((s) => /^0[23]:bf:/.test(s.o.mac));
    const clusterMac =
      cluster[0]?.o.mac ??
      `02:bf:${vip
        .split('.')
        .map((o) => Number(o).toString(16).padStart(2, '0'))
        .join(':')}`;
    const spoofingAt = [
      ...new Set(
        cluster.filter((s) => s.o.seenAs.includes('frame') && s.o.mac.startsWith('02:bf')).map(placeText),
      ),
    ];
    const masked = list.filter((s) => /^02:(0[1-9a-f]|1[0-9a-f]|20):/.test(s.o.mac));
    const maskedPorts = [...new Set(masked.map(placeText))];
    const parts = [`NLB cluster with VIP ${vip}, cluster MAC ${clusterMac}`];
    if (spoofingAt.length > 0)
      parts.push(
        `the cluster MAC is a frame source at ${spoofingAt.join(', ')}: MAC address spoofing is allowed there`,
      );
    if (cluster.some((s) => s.o.seenAs.includes('arp-payload')))
      parts.push('ARP replies carry the cluster MAC');
    if (masked.length > 0)
      parts.push(
        `masked sources ${[...new Set(masked.map((s) => s.o.mac))].join(', ')} from ${maskedPorts.length} port(s): normal with MaskSourceMAC`,
      );
    if (list.some((s) => s.o.nlb !== undefined)) parts.push('heartbeats seen');
    out.push({
      kind: 'nlb',
      severity: 'info',
      mac: clusterMac,
      message: parts.join('; '),
      where: list.map(where),
      intended: [],
      vip,
    });
  }
  return out;
}
