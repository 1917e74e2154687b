/**
 * From a replayed scenario to what an administrator would see for each NLB cluster: does it work, the
 * symptoms (each with the frames or observations that prove it), the NLB events, the warnings that do not
 * stop it working, and the fixes. Nothing here is asserted: every finding is read off the run.
 */
import { formatIpv4, formatMac, nlbMaskedSourceMac, type Mac, type NlbMode } from '../mac/index.js';
import { describeObservation, droppingHop, frameEvidence } from './lab-report.js';
import type { FrameRecord, LabWorld, StepRecord } from './lab-world.js';
import type { PortPolicy, SwitchKind } from './port-policy.js';
import type { ClusterSpec } from './scenario.js';
import type { NlbEvent, Observation, Station } from './station.js';
import type { DropReason } from './virtual-switch.js';

export interface Finding {
  readonly code: string;
  readonly message: string;
  readonly evidence: readonly string[];
}
export interface Fix {
  readonly code: string;
  readonly message: string;
}

export interface Diagnosis {
  readonly works: boolean;
  readonly mode: NlbMode;
  readonly hypervisor: SwitchKind;
  readonly cluster: { readonly vip: string; readonly mac: string; readonly group?: string };
  readonly symptoms: readonly Finding[];
  readonly events: readonly NlbEvent[];
  readonly warnings: readonly Finding[];
  readonly fixes: readonly Fix[];
}

/** How many frames of evidence a finding quotes at most. */
const MAX_EVIDENCE = 4;
const POLICY_DROPS: ReadonlySet<DropReason> = new Set([
  'mac-spoofing',
  'forged-transmits',
  'port-security',
  'no-mac-spoofing',
  'mac-changes',
]);

const hy = (m: Mac): string => formatMac(m, 'hyphen');
const list = (names: Iterable<string>): string => [...new Set(names)].join(', ');

type Obs<K extends Observation['kind']> = Extract<Observation, { kind: K }> & { step: StepRecord };

export function diagnoseAll(world: LabWorld): Diagnosis[] {
  return world.scenario.clusters.map((c) => diagnoseCluster(world, c));
}

export function diagnoseCluster(world: LabWorld, cluster: ClusterSpec): Diagnosis {
  const nodes = [...world.stations.values()].filter((s) => s.nlb?.cluster.name === cluster.name);
  const nodeNames = new Set(nodes.map((n) => n.name));
  const steps = world.steps;
  const frames = steps.flatMap((s) => s.frames);
  const obs = <K extends Observation['kind']>(kind: K): Obs<K>[] =>
    steps.flatMap((s) =>
      s.observations
        .filter((o): o is Extract<Observation, { kind: K }> => o.kind === kind)
        .map((o) => ({ ...o, step: s })),
    );
  const first = nodes[0];
  const hypervisor: SwitchKind = first ? world.attachmentOf(first.name)!.spec.kind : 'physical';
  const addrs = first?.nlb?.addrs;
  const clusterMac = first?.nlb?.clusterMac ?? (0 as Mac);
  const vip = cluster.vip;
  const byId = new Map(frames.map((r) => [r.id, r]));
  const withFrame = (id: number | undefined): string => {
    const r = id === undefined ? undefined : byId.get(id);
    return r ? `; ${frameEvidence(r)}` : '';
  };
  const symptoms: Finding[] = [];
  const warnings: Finding[] = [];
  const fixes = new Map<string, string>();
  const nodePolicyDrops = new Set<DropReason>();

  // Frames to or from the nodes that a port policy dropped: connectivity lost on the NLB adapter.
  const dropped = frames.filter((r) => {
    const hop = droppingHop(r);
    if (hop?.dropped !== undefined && nodeNames.has(r.origin) && POLICY_DROPS.has(hop.dropped)) {
      nodePolicyDrops.add(hop.dropped);
      return true;
    }
    const blocked = r.hops
      .flatMap((h) => h.portDrops)
      .filter((d) => nodeNames.has(d.port) && POLICY_DROPS.has(d.reason));
    for (const d of blocked) nodePolicyDrops.add(d.reason);
    return blocked.length > 0;
  });
  if (dropped.length > 0) {
    const who = list(
      dropped.flatMap((r) =>
        nodeNames.has(r.origin)
          ? [r.origin]
          : r.hops.flatMap((h) => h.portDrops.map((d) => d.port)).filter((p) => nodeNames.has(p)),
      ),
    );
    symptoms.push({
      code: 'connectivity-lost',
      message: `Connectivity lost on the NLB adapter of ${who}: the virtual switch drops ${dropped.length} frame(s) to or from it (${list(nodePolicyDrops)}).`,
      evidence: dropped.slice(0, MAX_EVIDENCE).map(frameEvidence),
    });
  }

  const events = obs('event').filter((o) => nodeNames.has(o.station));
  if (events.length > 0) {
    symptoms.push({
      code: 'event-53',
      message: `NLB did not attach on ${list(events.map((e) => e.station))}: event 53 from ${events[0]!.event.source} (the adapter refused the change to the cluster MAC ${hy(clusterMac)}).`,
      evidence: [
        ...obs('mac-change')
          .filter((o) => o.refused && nodeNames.has(o.station))
          .map((o) => `step ${o.step.index + 1}: ${describeObservation(o)}`),
        ...events.map((o) => `step ${o.step.index + 1}: ${describeObservation(o)}`),
      ].slice(0, MAX_EVIDENCE),
    });
  }

  // After a restart: NLB looks bound but the VIP is not on the adapter, and ipconfig shows the old MAC.
  const notAttached = nodes.filter((n) => n.nlb!.state === 'not-attached');
  if (notAttached.length > 0) {
    const ipconfigs = obs('ipconfig').filter((o) => nodeNames.has(o.station) && o.nlb === 'not-attached');
    const since = Math.min(...ipconfigs.map((o) => o.step.index));
    const unanswered = obs('resolve').filter(
      (o) => o.ip === vip && o.mac === undefined && o.step.index >= since,
    );
    symptoms.push({
      code: 'vip-not-on-adapter',
      message: `After a restart NLB looks bound on ${list(notAttached.map((n) => n.name))} but the VIP ${formatIpv4(vip)} is not on the adapter: nobody answers ARP for it.`,
      evidence: [
        ...ipconfigs.slice(0, 2).map((o) => `step ${o.step.index + 1}: ${describeObservation(o)}`),
        ...unanswered.slice(0, 2).map((o) => `step ${o.step.index + 1}: ${describeObservation(o)}`),
      ],
    });
  }
  if (cluster.mode === 'unicast') {
    const stale = obs('ipconfig').filter((o) => nodeNames.has(o.station) && o.mac !== addrs?.unicast);
    if (stale.length > 0) {
      symptoms.push({
        code: 'mac-not-changed',
        message: `ipconfig /all on ${list(stale.map((o) => o.station))} still shows the adapter's own MAC instead of the cluster MAC ${hy(clusterMac)} (02-BF-...).`,
        evidence: stale
          .slice(0, MAX_EVIDENCE)
          .map((o) => `step ${o.step.index + 1}: ${describeObservation(o)}`),
      });
    }
  }
  const conflicts = obs('ip-conflict').filter((o) => o.ip === vip);
  if (conflicts.length > 0) {
    symptoms.push({
      code: 'vip-conflict',
      message: `The VIP ${formatIpv4(vip)} added by hand conflicts between the nodes: each announces it with its own MAC, Windows reports an IP address conflict and clients follow whichever announced last.`,
      evidence: conflicts
        .slice(0, MAX_EVIDENCE)
        .map((o) => `step ${o.step.index + 1}: ${describeObservation(o)}${withFrame(o.frameId)}`),
    });
  }

  // Clients (not routers) that could not reach the VIP, or got several answers.
  const toVip = obs('exchange').filter((o) => o.to === vip);
  const routers = new Set([...world.stations.values()].filter((s) => s.kind === 'router').map((s) => s.name));
  const ignoredByRouter = obs('arp-ignored').filter((o) => o.ip === vip);
  // Frames to the cluster MAC pinned to one port by a RARP (VMware notify switches) until the entry ages out.
  const rarps = frames.filter((r) => r.frame.payload.kind === 'rarp' && r.frame.payload.mac === clusterMac);
  const rarpTimes = steps.filter((s) => s.frames.some((r) => rarps.includes(r))).map((s) => s.at);
  const aging = Math.max(...world.scenario.networks.map((n) => n.agingSeconds), 300);
  const pinned = (o: Obs<'exchange'>): boolean =>
    rarpTimes.some((t) => o.step.at >= t && o.step.at - t <= aging);
  const lostToPinning = toVip.filter((o) => o.answeredBy.length === 0 && pinned(o));
  const failed = toVip.filter(
    (o) =>
      o.answeredBy.length === 0 &&
      !pinned(o) &&
      !(routers.has(o.station) && ignoredByRouter.some((i) => i.station === o.station)),
  );
  if (failed.length > 0) {
    symptoms.push({
      code: 'vip-unreachable',
      message: `Clients cannot reach the cluster: ${failed.length} of ${toVip.length} connection(s) to ${formatIpv4(vip)} got no answer.`,
      evidence: failed
        .slice(0, MAX_EVIDENCE)
        .map((o) => `step ${o.step.index + 1}: ${describeObservation(o)}`),
    });
  }
  const dup = toVip.filter((o) => o.answeredBy.length > 1);
  if (dup.length > 0) {
    symptoms.push({
      code: 'duplicate-replies',
      message: `Several nodes answer the same connection: the nodes do not see each other's heartbeats, so each believes it owns every flow.`,
      evidence: dup.slice(0, MAX_EVIDENCE).map((o) => `step ${o.step.index + 1}: ${describeObservation(o)}`),
    });
  }
  const lastViews = new Map<string, Obs<'converged'>>();
  for (const o of obs('converged')) if (nodeNames.has(o.station)) lastViews.set(o.station, o);
  const attached = nodes.filter((n) => n.nlb!.state === 'attached' && n.running);
  const partial = [...lastViews.values()].filter(
    (o) => attached.some((n) => n.name === o.station) && o.view.length < attached.length,
  );
  if (partial.length > 0) {
    symptoms.push({
      code: 'no-convergence',
      message: `The nodes do not converge: ${list(partial.map((o) => o.station))} hear(s) fewer than the ${attached.length} attached hosts (heartbeats are dropped).`,
      evidence: partial
        .slice(0, MAX_EVIDENCE)
        .map((o) => `step ${o.step.index + 1}: ${describeObservation(o)}`),
    });
  }

  // Warnings: things that work but cost something.
  const nonNodeReceivers = (r: FrameRecord): string[] =>
    r.hops.flatMap((h) => h.delivered).filter((p) => !nodeNames.has(p) && p !== 'uplink' && !p.includes('/'));
  const flooded = frames.filter((r) => r.frame.dst === clusterMac && nonNodeReceivers(r).length > 0);
  if (flooded.length > 0) {
    const isUni = cluster.mode === 'unicast';
    warnings.push({
      code: isUni ? 'unicast-flooding' : 'multicast-flooding',
      message: isUni
        ? `Unicast flooding: no switch ever learns ${hy(clusterMac)}, so every frame to the cluster is flooded and reaches ports that are not NLB nodes (${list(flooded.flatMap(nonNodeReceivers))}). Put the NLB adapters on their own VLAN.`
        : `Multicast flooding: frames to ${hy(clusterMac)} reach ports that are not NLB nodes (${list(flooded.flatMap(nonNodeReceivers))})${cluster.mode === 'igmp' ? ' where IGMP snooping is off' : '; IGMP multicast mode with IGMP snooping limits them to the nodes'}.`,
      evidence: flooded.slice(0, 2).map(frameEvidence),
    });
  }
  if (ignoredByRouter.length > 0) {
    warnings.push({
      code: 'router-needs-static-arp',
      message: `Routers ignore ARP replies carrying a multicast MAC (RFC 1812 3.3.2): ${list(ignoredByRouter.map((o) => o.station))} cannot resolve ${formatIpv4(vip)} to ${hy(clusterMac)} and needs a static ARP entry; clients on the same subnet are not affected.`,
      evidence: ignoredByRouter
        .slice(0, 2)
        .map((o) => `step ${o.step.index + 1}: ${describeObservation(o)}${withFrame(o.frameId)}`),
    });
    fixes.set(
      'static-arp',
      `Add a static ARP entry for the VIP on ${list(ignoredByRouter.map((o) => o.station))}, e.g. Cisco: arp ${formatIpv4(vip)} ${formatMac(clusterMac, 'cisco')} ARPA (and mac address-table static ${formatMac(clusterMac, 'cisco')} vlan <id> interface <ports to the hosts>).`,
    );
  }
  if (rarps.length > 0) {
    const pins = steps.flatMap((s) => s.flaps).filter((f) => f.mac === clusterMac);
    warnings.push({
      code: 'rarp-pins-cluster-mac',
      message: `VMware "Notify switches" sends a RARP with the cluster MAC ${hy(clusterMac)} when a node powers on: the physical switch learns it on one host's port and sends all cluster traffic there until the entry ages out (${aging} s; VMware KB 1556)${lostToPinning.length ? `; meanwhile ${lostToPinning.length} connection(s) owned by nodes on other hosts got no answer` : ''}.`,
      evidence: [
        ...rarps.slice(0, 2).map(frameEvidence),
        ...pins
          .slice(0, 2)
          .map((f) => `${f.switch}: ${hy(f.mac)} moved from ${f.from} to ${f.to} at ${f.at / 1000}s`),
        ...lostToPinning
          .slice(0, 2)
          .map((o) => `step ${o.step.index + 1}: ${describeObservation(o)}${withFrame(o.requestFrameId)}`),
      ],
    });
    fixes.set(
      'notify-switches-no',
      'Set "Notify switches" to No on the port group of the NLB adapters (VMware KB 1556), or use multicast mode.',
    );
  }
  const flaps = steps.flatMap((s) => s.flaps).filter((f) => !f.refused && f.mac !== clusterMac);
  if (flaps.length > 0) {
    warnings.push({
      code: 'mac-flapping',
      message: `MAC addresses move between ports: ${list(flaps.map((f) => `${hy(f.mac)} on ${f.switch}`))}.`,
      evidence: flaps
        .slice(0, MAX_EVIDENCE)
        .map(
          (f) =>
            `${f.switch}: host ${hy(f.mac)} is flapping between port ${f.from} and port ${f.to} (at ${f.at / 1000}s)`,
        ),
    });
  }

  addFixes(fixes, hypervisor, cluster, nodes, nodePolicyDrops, events.length > 0, world);

  const works = symptoms.length === 0 && toVip.some((o) => o.answeredBy.length === 1);
  return {
    works,
    mode: cluster.mode,
    hypervisor,
    cluster: {
      vip: formatIpv4(vip),
      mac: hy(clusterMac),
      ...(cluster.mode === 'igmp' && addrs ? { group: formatIpv4(addrs.igmpGroup) } : {}),
    },
    symptoms,
    events: events.map((o) => o.event),
    warnings,
    fixes: [...fixes].map(([code, message]) => ({ code, message })),
  };
}

function addFixes(
  fixes: Map<string, string>,
  hypervisor: SwitchKind,
  cluster: ClusterSpec,
  nodes: readonly Station[],
  drops: ReadonlySet<DropReason>,
  refused: boolean,
  world: LabWorld,
): void {
  if (!refused && drops.size === 0) return;
  const policyOf = (n: Station) => {
    const at = world.attachmentOf(n.name)!;
    return at.sw.policyOf(at.port);
  };
  // The nodes whose port has the guard in question (the fix names only them).
  const guarded = (pred: (p: PortPolicy) => boolean) =>
    nodes.filter((n) => pred(policyOf(n))).map((n) => n.name);
  const vip = formatIpv4(cluster.vip);
  const addrs = nodes[0]?.nlb?.addrs;
  const multicastFix = () => {
    if (cluster.mode !== 'unicast' || !addrs) return;
    fixes.set(
      'use-multicast',
      `Or switch the cluster to multicast mode (cluster MAC ${hy(addrs.multicast)}) and add a static ARP entry for ${vip} on the router (routers ignore ARP replies with a multicast MAC).`,
    );
    fixes.set(
      'use-igmp',
      `Or use IGMP multicast mode (cluster MAC ${hy(addrs.igmp)}, group ${formatIpv4(addrs.igmpGroup)}) with IGMP snooping on the physical switches, plus the same static ARP entry.`,
    );
  };
  if (refused || drops.has('mac-spoofing')) {
    fixes.set(
      'enable-mac-spoofing',
      `Enable MAC address spoofing on the NLB adapters with the VMs stopped: ${guarded(
        (p) => p.vendor === 'hyper-v' && !p.macSpoofing,
      )
        .map((n) => `Stop-VM ${n}; Set-VMNetworkAdapter -VMName ${n} -MacAddressSpoofing On; Start-VM ${n}`)
        .join('; ')}.`,
    );
    multicastFix();
  }
  if (drops.has('mac-changes')) {
    fixes.set(
      'accept-mac-changes',
      `Set "MAC address changes" to Accept on the port group of the NLB adapters (${guarded((p) => p.vendor === 'vmware' && !p.macChanges).join(', ')}): with Reject the port receives nothing once NLB sets the cluster MAC.`,
    );
    multicastFix();
  }
  if (drops.has('forged-transmits')) {
    fixes.set(
      'accept-forged-transmits',
      `Set "Forged transmits" to Accept on the port group of the NLB adapters (${guarded((p) => p.vendor === 'vmware' && !p.forgedTransmits).join(', ')}): NLB sends with the masked source MAC 02-<priority>-..., not the cluster MAC.`,
    );
    multicastFix();
  }
  if (drops.has('port-security')) {
    const secured = nodes.filter((n) => {
      const p = policyOf(n);
      return p.vendor === 'ovs' && p.portSecurity;
    });
    const pairs = secured.map((n) => {
      // Port security checks the frame's source MAC with the sender IP: NLB sends from the masked MAC
      // (or the cluster MAC without MaskSourceMAC) in unicast mode, from the port MAC in multicast modes.
      const at = world.attachmentOf(n.name)!;
      const srcs =
        cluster.mode !== 'unicast'
          ? [at.sw.initialMac(at.port)]
          : cluster.maskSourceMac
            ? [masked(cluster, n)]
            : [n.nlb!.addrs.unicast];
      const ips = cluster.mode === 'unicast' ? [cluster.vip, ...n.dips] : [cluster.vip];
      const args = srcs.flatMap((m) =>
        ips.map((ip) => `--allowed-address mac-address=${formatMac(m)},ip-address=${formatIpv4(ip)}/32`),
      );
      return `openstack port set ${args.join(' ')} <port of ${n.name}>`;
    });
    fixes.set(
      'allowed-address-pairs',
      `Allow the NLB addresses on each node's Neutron port: ${pairs.join('; ')}.`,
    );
    fixes.set(
      'disable-port-security',
      `Or disable port security on the NLB ports: openstack port set --no-security-group --disable-port-security <port>.`,
    );
  }
  if (drops.has('no-mac-spoofing')) {
    fixes.set(
      'remove-nwfilter',
      `Remove the no-mac-spoofing filterref from the NLB interfaces (${guarded((p) => p.vendor === 'libvirt' && p.noMacSpoofing).join(', ')}) or use multicast mode.`,
    );
    multicastFix();
  }
  if (hypervisor === 'vmware' && cluster.mode === 'unicast') {
    fixes.set(
      'notify-switches-no',
      'For unicast mode also set "Notify switches" to No on that port group (VMware KB 1556).',
    );
  }
}

const masked = (cluster: ClusterSpec, n: Station): Mac => nlbMaskedSourceMac(cluster.vip, n.nlb!.priority);
