/**
 * Replays a scenario: builds the switches, links uplinks to physical networks, puts a station behind
 * every port, then runs the script step by step, recording for every frame which ports it reached and
 * where and why it was dropped, plus what the stations observed (events, ARP results, conflicts,
 * connections). Deterministic: time is the scenario's, order is the script's, frames travel breadth-first.
 */
import { formatIpv4, formatMac, type Ipv4, type Mac } from '../mac/index.js';
import { BROADCAST_MAC, describeFrame, frame, ICMP, type Frame } from './frame.js';
import { refusesMacChange } from './port-policy.js';
import { resolvePolicy } from './resolve-policy.js';
import type { RawPayloadSpec, Scenario, StepSpec, SwitchSpec, VmSpec } from './scenario.js';
import { nlbEvent53, NlbNode, Station, type Observation, type StationNet } from './station.js';
import {
  DROP_REASONS,
  dropReasonOf,
  VirtualSwitch,
  type DropReason,
  type FlapEvent,
} from './virtual-switch.js';

export interface HopRecord {
  readonly switch: string;
  readonly ingress: string;
  readonly dropped?: DropReason;
  readonly delivered: readonly string[];
  readonly portDrops: readonly { readonly port: string; readonly reason: DropReason }[];
}

export interface FrameRecord {
  readonly id: number;
  readonly origin: string;
  readonly text: string;
  readonly frame: Frame;
  readonly hops: HopRecord[];
  /** Stations whose NIC accepted the frame. */
  readonly received: string[];
}

export interface StepRecord {
  readonly index: number;
  readonly at: number;
  readonly text: string;
  readonly line?: number;
  readonly frames: FrameRecord[];
  readonly observations: Observation[];
  readonly flaps: FlapEvent[];
}

type Peer = { readonly sw: VirtualSwitch; readonly port: number } | { readonly station: Station } | undefined;
interface Attachment {
  sw: VirtualSwitch;
  port: number;
  spec: SwitchSpec;
}

/** Frames a single step may generate before the world stops it (a loop guard; nothing legitimate nears it). */
const MAX_FRAMES_PER_STEP = 20_000;

export class LabWorld implements StationNet {
  readonly switches = new Map<string, VirtualSwitch>();
  readonly stations = new Map<string, Station>();
  readonly steps: StepRecord[] = [];
  private readonly specs = new Map<string, SwitchSpec>();
  private readonly vmSpecs = new Map<string, VmSpec>();
  private readonly peers = new Map<VirtualSwitch, Peer[]>();
  private readonly attach = new Map<Station, Attachment>();
  private queue: { sw: VirtualSwitch; port: number; frame: Frame; rec: FrameRecord }[] = [];
  private current: StepRecord | undefined;
  private nextFrameId = 1;
  private srcPort = 49152;
  private icmpId = 1;
  currentFrameId = 0;
  currentOrigin = '';
  now = 0;

  constructor(readonly scenario: Scenario) {
    for (const n of scenario.networks) {
      this.addSwitch(
        new VirtualSwitch(n.name, 'physical', { igmpSnooping: n.igmpSnooping, agingSeconds: n.agingSeconds }),
      );
    }
    for (const s of scenario.switches) {
      const sw = this.addSwitch(
        new VirtualSwitch(s.name, s.kind, { igmpSnooping: s.igmpSnooping, agingSeconds: s.agingSeconds }),
      );
      this.specs.set(s.name, s);
      if (s.uplink !== undefined) {
        const phys = this.switches.get(s.uplink)!;
        const up = sw.addPort({ name: 'uplink', kind: 'uplink' });
        const down = phys.addPort({ name: `${s.host}/${s.name}`, kind: 'trunk' });
        this.link(sw, up, { sw: phys, port: down });
        this.link(phys, down, { sw, port: up });
      }
      if (s.managementMac !== undefined) {
        const st = new Station(`${s.host} management OS`, 'management', 'vEthernet', s.managementMac, []);
        const port = sw.addPort({ name: 'management OS', kind: 'management', mac: s.managementMac });
        this.place(st, sw, port, s);
      }
    }
    for (const d of scenario.devices) {
      const st = new Station(d.name, d.kind, 'Ethernet', d.mac, d.ips);
      st.dhcpServer = d.dhcpServer;
      for (const e of d.staticArp) st.staticArp.set(e.ip, e.mac);
      const sw = this.switches.get(d.network)!;
      const port = sw.addPort({
        name: d.name,
        kind: 'device',
        mac: d.mac,
        vlan: d.vlan,
        mrouter: d.kind === 'router',
      });
      this.place(st, sw, port, undefined);
    }
    const clusters = new Map(scenario.clusters.map((c) => [c.name, c]));
    for (const vm of scenario.vms) {
      const st = new Station(vm.name, 'vm', vm.adapter, vm.mac, vm.ips);
      st.dhcpServer = vm.dhcpServer;
      if (vm.nlb) st.nlb = new NlbNode(clusters.get(vm.nlb.cluster)!, vm.nlb.priority);
      this.vmSpecs.set(vm.name, vm);
      this.plugVm(st, vm, vm.switch);
    }
  }

  private addSwitch(sw: VirtualSwitch): VirtualSwitch {
    this.switches.set(sw.name, sw);
    this.peers.set(sw, []);
    return sw;
  }
  private link(sw: VirtualSwitch, port: number, peer: Peer): void {
    this.peers.get(sw)![port] = peer;
  }
  private place(st: Station, sw: VirtualSwitch, port: number, spec: SwitchSpec | undefined): void {
    this.stations.set(st.name, st);
    this.link(sw, port, { station: st });
    this.attach.set(st, { sw, port, spec: spec ?? PHYSICAL_SPEC });
  }

  private plugVm(st: Station, vm: VmSpec, switchName: string): void {
    const spec = this.specs.get(switchName)!;
    const sw = this.switches.get(switchName)!;
    let port = sw.portIndex(vm.name);
    const policy = resolvePolicy(spec, vm.policy);
    if (port < 0)
      port = sw.addPort({ name: vm.name, kind: 'vm', mac: vm.mac, vlan: vm.vlan, policy, fixedIps: vm.ips });
    else sw.setPolicy(port, policy, this.now);
    sw.setUp(port, st.running, this.now);
    if (st.nicMac !== vm.mac) sw.setEffectiveMac(port, st.nicMac);
    this.place(st, sw, port, spec);
  }

  /** The switch and port a station is plugged into. */
  attachmentOf(name: string): { sw: VirtualSwitch; port: number; spec: SwitchSpec } | undefined {
    const st = this.stations.get(name);
    return st ? this.attach.get(st) : undefined;
  }

  // ---- StationNet -------------------------------------------------------------------------------

  send(from: Station, f: Frame): void {
    const a = this.attach.get(from)!;
    this.inject(a.sw, a.port, f, from.name);
  }

  observe(o: Observation): void {
    this.current?.observations.push(o);
  }

  private inject(sw: VirtualSwitch, port: number, f: Frame, origin: string): void {
    const rec: FrameRecord = {
      id: this.nextFrameId++,
      origin,
      text: describeFrame(f),
      frame: f,
      hops: [],
      received: [],
    };
    this.current?.frames.push(rec);
    this.queue.push({ sw, port, frame: f, rec });
  }

  /** Deliver every queued frame (and the frames they provoke). */
  private drain(): void {
    let budget = MAX_FRAMES_PER_STEP;
    while (this.queue.length > 0) {
      if (--budget < 0)
        throw new Error(`more than ${MAX_FRAMES_PER_STEP} frames in one step: a forwarding loop?`);
      const { sw, port, frame: f, rec } = this.queue.shift()!;
      const code = sw.forward(port, f, this.now);
      const portDrops = [];
      for (let i = 0; i < sw.portDropCount; i += 2) {
        portDrops.push({ port: sw.portName(sw.portDrops[i]!), reason: DROP_REASONS[sw.portDrops[i + 1]!]! });
      }
      if (code < 0) {
        rec.hops.push({
          switch: sw.name,
          ingress: sw.portName(port),
          dropped: dropReasonOf(code),
          delivered: [],
          portDrops,
        });
        continue;
      }
      const egress = Array.from(sw.egress.subarray(0, code));
      rec.hops.push({
        switch: sw.name,
        ingress: sw.portName(port),
        delivered: egress.map((e) => sw.portName(e)),
        portDrops,
      });
      const v = sw.accessVlan(port);
      const tagged = v >= 0 && v !== f.vlan ? { ...f, vlan: v } : f;
      for (const e of egress) {
        const peer = this.peers.get(sw)![e];
        if (!peer) continue;
        if ('sw' in peer) {
          this.queue.push({ sw: peer.sw, port: peer.port, frame: tagged, rec });
        } else {
          const st = peer.station;
          if (st.running && st.accepts(f.dst)) rec.received.push(st.name);
          this.currentFrameId = rec.id;
          this.currentOrigin = rec.origin;
          st.receive(tagged, this);
        }
      }
    }
  }

  // ---- the script -------------------------------------------------------------------------------

  /** Run every step of the scenario. */
  runAll(): StepRecord[] {
    let at = 0;
    this.scenario.steps.forEach((step, i) => {
      at = step.at ?? (i === 0 ? 0 : at + 1);
      this.runStep(step, i, at);
      if (step.action === 'wait') at += step.seconds - 1;
    });
    return this.steps;
  }

  runStep(step: StepSpec, index: number, at: number): StepRecord {
    this.now = at * 1000;
    const flapsBefore = new Map([...this.switches.values()].map((s) => [s, s.flaps.length]));
    const rec: StepRecord = {
      index,
      at,
      text: describeStep(step),
      frames: [],
      observations: [],
      flaps: [],
      ...(step.line !== undefined ? { line: step.line } : {}),
    };
    this.current = rec;
    this.steps.push(rec);
    this.perform(step);
    this.drain();
    for (const [sw, before] of flapsBefore) rec.flaps.push(...sw.flaps.slice(before));
    this.current = undefined;
    return rec;
  }

  private vm(name: string): Station {
    return this.stations.get(name)!;
  }

  private perform(step: StepSpec): void {
    switch (step.action) {
      case 'start':
        for (const name of step.vms) this.start(this.vm(name));
        return this.heartbeats();
      case 'stop':
        for (const name of step.vms) this.stop(this.vm(name));
        return;
      case 'restart':
        for (const name of step.vms) {
          this.stop(this.vm(name));
          this.start(this.vm(name));
        }
        return this.heartbeats();
      case 'reboot':
        for (const name of step.vms) this.boot(this.vm(name));
        return this.heartbeats();
      case 'configure-nlb':
        for (const name of step.vms) this.attachNlb(this.vm(name), true);
        this.drain();
        this.heartbeats();
        for (const name of step.vms) this.ipconfig(this.vm(name));
        return;
      case 'add-vip':
        for (const name of step.vms) this.addVipByHand(this.vm(name));
        return;
      case 'ipconfig':
        for (const name of step.vms) this.ipconfig(this.vm(name));
        return;
      case 'arp': {
        const st = this.vm(step.from);
        this.resolve(st, step.target, true);
        return;
      }
      case 'ping':
      case 'connect':
        return this.exchange(step);
      case 'dhcp': {
        const st = this.vm(step.from);
        st.inbox = [];
        this.send(
          st,
          frame(BROADCAST_MAC, st.ethSrc(), {
            kind: 'ipv4',
            srcIp: 0,
            dstIp: 0xffffffff,
            l4: { kind: 'udp', srcPort: 68, dstPort: 67, dhcp: 'discover' },
          }),
        );
        this.drain();
        this.observe({ kind: 'dhcp', station: st.name, offersFrom: st.inbox.map((r) => r.from) });
        return;
      }
      case 'send': {
        const st = this.vm(step.from);
        for (let i = 0; i < step.count; i++)
          this.send(st, frame(step.dst, step.src ?? st.ethSrc(), rawPayload(step.payload, st)));
        return;
      }
      case 'move':
        return this.move(this.vm(step.vm), step.to);
      case 'set-policy': {
        const st = this.vm(step.vm);
        const a = this.attach.get(st)!;
        const merged = { ...this.vmSpecs.get(st.name)!.policy, ...step.policy };
        this.vmSpecs.set(st.name, { ...this.vmSpecs.get(st.name)!, policy: merged });
        a.sw.setPolicy(a.port, resolvePolicy(a.spec, merged), this.now);
        return;
      }
      case 'wait':
        return;
    }
  }

  private start(st: Station): void {
    if (st.running) return;
    const a = this.attach.get(st)!;
    st.running = true;
    a.sw.setUp(a.port, true, this.now);
    this.boot(st);
    this.notifySwitches(st);
  }

  private stop(st: Station): void {
    const a = this.attach.get(st)!;
    st.running = false;
    a.sw.setUp(a.port, false, this.now);
  }

  /** Guest boot: the ARP cache starts empty, NLB (if configured) attaches again, addresses are announced. */
  private boot(st: Station): void {
    st.arp.clear();
    if (st.nlb && st.nlb.state !== 'unconfigured') this.attachNlb(st, false);
    for (const ip of st.ips)
      if (st.nlb?.state !== 'attached' || ip !== st.nlb.cluster.vip) st.sendGarp(this, ip);
  }

  /** ESXi "Notify switches": a RARP with the port's current MAC out of the uplink (VMware KB 1556). */
  private notifySwitches(st: Station): void {
    const a = this.attach.get(st)!;
    if (a.spec.kind !== 'vmware' || !a.spec.notifySwitches) return;
    const up = a.sw.portIndex('uplink');
    const peer = up >= 0 ? this.peers.get(a.sw)![up] : undefined;
    if (!peer || !('sw' in peer)) return;
    // With MAC address changes rejected ESXi does not honour the guest's MAC: it announces the initial one.
    const policy = a.sw.policyOf(a.port);
    const mac =
      policy.vendor === 'vmware' && !policy.macChanges ? a.sw.initialMac(a.port) : a.sw.effectiveMac(a.port);
    this.inject(
      peer.sw,
      peer.port,
      frame(BROADCAST_MAC, mac, { kind: 'rarp', mac }),
      `${a.spec.host} (notify switches for ${st.name})`,
    );
  }

  private attachNlb(st: Station, firstTime: boolean): void {
    const n = st.nlb;
    if (!n || !st.running) return;
    const a = this.attach.get(st)!;
    const vip = n.cluster.vip;
    st.ips = [...st.dips, ...st.manualIps];
    st.rx.clear();
    if (n.cluster.mode === 'unicast') {
      const refused = refusesMacChange(a.sw.policyOf(a.port));
      this.observe({ kind: 'mac-change', station: st.name, requested: n.addrs.unicast, refused });
      if (refused) {
        this.observe({ kind: 'event', station: st.name, event: nlbEvent53(vip, st.adapter) });
        n.state = firstTime ? 'attach-failed' : 'not-attached';
        st.nicMac = st.initialMac;
        return;
      }
      st.nicMac = n.addrs.unicast;
      a.sw.setEffectiveMac(a.port, n.addrs.unicast);
      n.state = 'attached';
    } else {
      n.state = 'attached';
      st.rx.add(n.clusterMac);
      if (n.cluster.mode === 'igmp') st.sendIgmpReport(this, n.addrs.igmpGroup);
    }
    if (!st.ips.includes(vip)) st.ips.push(vip);
    st.sendGarp(this, vip);
  }

  /** Every attached node sends one heartbeat; each node's view becomes what it heard (NLB convergence). */
  private heartbeats(): void {
    this.drain();
    const nodes = [...this.stations.values()].filter((s) => s.nlb && s.running);
    if (nodes.length === 0) return;
    for (const s of nodes) s.nlb!.heard.clear();
    for (const s of nodes) s.sendHeartbeat(this);
    this.drain();
    for (const s of nodes)
      if (s.nlb!.state === 'attached')
        this.observe({ kind: 'converged', station: s.name, view: s.nlb!.view() });
  }

  private addVipByHand(st: Station): void {
    const vip = st.nlb?.cluster.vip;
    if (vip === undefined || st.ips.includes(vip) || !st.running) return;
    st.ips.push(vip);
    st.manualIps.push(vip);
    st.sendGarp(this, vip);
  }

  private ipconfig(st: Station): void {
    this.observe({
      kind: 'ipconfig',
      station: st.name,
      adapter: st.adapter,
      mac: st.nicMac,
      ips: [...st.ips],
      ...(st.nlb ? { nlb: st.nlb.state } : {}),
    });
  }

  private resolve(st: Station, ip: Ipv4, always: boolean): Mac | undefined {
    const known = st.lookup(ip);
    if (known !== undefined && !always) return known;
    if (st.staticArp.has(ip)) {
      this.observe({ kind: 'resolve', station: st.name, ip, mac: st.staticArp.get(ip)!, viaStatic: true });
      return st.staticArp.get(ip);
    }
    st.arp.delete(ip);
    st.sendArpRequest(this, ip);
    this.drain();
    const mac = st.lookup(ip);
    this.observe({
      kind: 'resolve',
      station: st.name,
      ip,
      ...(mac !== undefined ? { mac } : {}),
      viaStatic: false,
    });
    return mac;
  }

  private exchange(step: StepSpec & { action: 'ping' | 'connect' }): void {
    const st = this.vm(step.from);
    const to = step.to;
    const port = step.action === 'connect' ? step.port : undefined;
    const base = {
      kind: 'exchange' as const,
      what: step.action,
      station: st.name,
      to,
      ...(port !== undefined ? { port } : {}),
    };
    const mac = this.resolve(st, to, false);
    if (mac === undefined) {
      this.observe({ ...base, answeredBy: [], reason: `ARP for ${formatIpv4(to)} got no usable reply` });
      return;
    }
    st.inbox = [];
    const src = st.ips[0] ?? 0;
    const srcPort = step.action === 'connect' ? (step.srcPort ?? this.srcPort++) : 0;
    const f =
      step.action === 'connect'
        ? frame(mac, st.ethSrc(), {
            kind: 'ipv4',
            srcIp: src,
            dstIp: to,
            l4: { kind: 'tcp', srcPort, dstPort: step.port, flags: 'syn' },
          })
        : frame(mac, st.ethSrc(), {
            kind: 'ipv4',
            srcIp: src,
            dstIp: to,
            l4: { kind: 'icmp', type: ICMP.echoRequest, id: this.icmpId++ },
          });
    const requestFrameId = this.nextFrameId;
    this.send(st, f);
    this.drain();
    const answeredBy = st.inbox
      .filter((r) => r.frame.payload.kind === 'ipv4' && r.frame.payload.srcIp === to)
      .map((r) => r.from);
    this.observe({
      ...base,
      answeredBy,
      requestFrameId,
      ...(answeredBy.length === 0
        ? { reason: `no reply from ${formatIpv4(to)} (${formatMac(mac, 'hyphen')})` }
        : {}),
    });
  }

  private move(st: Station, to: string): void {
    const a = this.attach.get(st)!;
    a.sw.setUp(a.port, false, this.now);
    this.peers.get(a.sw)![a.port] = undefined; // the old port stays, empty and down
    this.plugVm(st, this.vmSpecs.get(st.name)!, to);
    if (!st.running) return;
    this.notifySwitches(st);
    for (const ip of st.ips) st.sendGarp(this, ip);
  }
}

const PHYSICAL_SPEC: SwitchSpec = {
  name: '',
  host: '',
  kind: 'physical',
  igmpSnooping: false,
  agingSeconds: 300,
  vmwareDefaults: 'vsphere7',
  notifySwitches: false,
  policy: {},
};

function rawPayload(p: RawPayloadSpec, st: Station): Frame['payload'] {
  const ip = st.dips[0] ?? 0;
  switch (p.kind) {
    case 'opaque':
      return { kind: 'opaque', label: p.label };
    case 'garp':
      return {
        kind: 'arp',
        op: 'request',
        senderMac: p.mac,
        senderIp: p.ip,
        targetMac: 0 as Mac,
        targetIp: p.ip,
      };
    case 'dhcp-offer':
      return {
        kind: 'ipv4',
        srcIp: ip,
        dstIp: 0xffffffff,
        l4: { kind: 'udp', srcPort: 67, dstPort: 68, dhcp: 'offer' },
      };
    case 'router-advertisement':
      return {
        kind: 'ipv4',
        srcIp: ip,
        dstIp: 0xe0000001,
        l4: { kind: 'icmp', type: ICMP.routerAdvertisement, id: 0 },
      };
    case 'icmpv6-router-advertisement':
      return { kind: 'ipv6', icmpv6Type: 134 };
  }
}

/** One line for a step, as `lab run` prints it. */
export function describeStep(s: StepSpec): string {
  switch (s.action) {
    case 'start':
    case 'stop':
    case 'configure-nlb':
    case 'reboot':
    case 'restart':
    case 'add-vip':
    case 'ipconfig':
      return `${s.action} ${s.vms.join(', ')}`;
    case 'arp':
      return `arp from ${s.from} for ${formatIpv4(s.target)}`;
    case 'ping':
      return `ping from ${s.from} to ${formatIpv4(s.to)}`;
    case 'connect':
      return `connect from ${s.from} to ${formatIpv4(s.to)}:${s.port}`;
    case 'dhcp':
      return `dhcp discover from ${s.from}`;
    case 'send':
      return `send ${s.count} x ${s.payload.kind} from ${s.from}${s.src !== undefined ? ` with source ${formatMac(s.src, 'hyphen')}` : ''} to ${formatMac(s.dst, 'hyphen')}`;
    case 'move':
      return `move ${s.vm} to ${s.to}`;
    case 'set-policy':
      return `set policy of ${s.vm}: ${Object.entries(s.policy)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(', ')}`;
    case 'wait':
      return `wait ${s.seconds} s`;
  }
}
