/**
 * Replays a scenario: builds the switches, links uplinks to physical networks, puts a station behind
 * every port, then runs the script step by step, recording for every frame which ports it reached and
 * where and why it was dropped, plus what the stations observed (events, ARP results, conflicts,
 * connections). Deterministic: time is the scenario's, order is the script's, frames travel breadth-first.
 */
import { formatIpv4, formatMac, type Ipv4, type Mac } from '../mac/index.js';
import { Fabric, type FrameRecord, type HopRecord, type StepRecord } from './fabric.js';
import { BROADCAST_MAC, frame, ICMP } from './frame.js';
import { refusesMacChange } from './port-policy.js';
import { resolvePolicy } from './resolve-policy.js';
import type { Scenario, StepSpec, SwitchSpec, VmSpec } from './scenario.js';
import { describeStep, rawPayload } from './script-steps.js';
import { nlbEvent53, NlbNode, Station } from './station.js';
import { VirtualSwitch } from './virtual-switch.js';

export type { FrameRecord, HopRecord, StepRecord };
export { describeStep };

export class LabWorld extends Fabric {
  private readonly specs = new Map<string, SwitchSpec>();
  private readonly vmSpecs = new Map<string, VmSpec>();
  private srcPort = 49152;
  private icmpId = 1;

  constructor(readonly scenario: Scenario) {
    super();
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
      case 'set-mac':
        return this.setMac(this.vm(step.vm), step.mac);
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

  /**
   * The guest changes its adapter's MAC. Hyper-V with spoofing off refuses (the guest keeps its MAC);
   * elsewhere the guest's MAC changes and the switch applies its policy (VMware MAC address changes).
   */
  private setMac(st: Station, mac: Mac): void {
    const a = this.attach.get(st)!;
    const refused = refusesMacChange(a.sw.policyOf(a.port));
    this.observe({ kind: 'mac-change', station: st.name, requested: mac, refused });
    if (!refused) {
      st.nicMac = mac;
      a.sw.setEffectiveMac(a.port, mac);
    }
    if (st.running) for (const ip of st.ips) st.sendGarp(this, ip);
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
