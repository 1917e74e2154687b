/**
 * A learning L2 switch with per-port vendor policies: the pure, deterministic model every lab result comes
 * from. Time is a parameter of `forward` (milliseconds), never read from a clock.
 *
 * Per frame: ingress policy (source MAC rules, port security, DHCP/router guard) -> source learning per
 * VLAN with aging and flap detection (as physical switches log "host ... is flapping between port X and
 * port Y") -> destination: known unicast to its port, unknown unicast/broadcast/multicast flooded to the
 * VLAN (multicast only to joined ports and uplinks under IGMP snooping; a VMware vSwitch sends unknown
 * unicast only to the vNICs with that MAC and the uplinks) -> egress policy (VMware MAC
 * address changes, Hyper-V no-flood) -> promiscuous copies.
 *
 * The hot path writes its answer into preallocated typed arrays (`egress`, `portDrops`) and allocates
 * nothing; only flap events (rare) create objects.
 */
import { IPV4_MULTICAST_OUI, type Ipv4, type Mac } from '../mac/index.js';
import { isDhcpServerMessage, isRouterMessage, senderIpOf, type Frame, type Payload } from './frame.js';
import { MacTable } from './mac-table.js';
import {
  defaultPolicy,
  P_BLOCK_IF_CHANGED,
  P_DHCP_GUARD,
  P_NO_FLOOD,
  P_PINNED,
  P_PORT_SECURITY,
  P_PROMISCUOUS,
  P_ROUTER_GUARD,
  P_SRC_IS_EFFECTIVE,
  P_SRC_IS_INITIAL,
  policyMask,
  type AddressPair,
  type PortPolicy,
  type SwitchKind,
} from './port-policy.js';

/** vm/management: an adapter; uplink: a virtual switch's physical adapter (trunk, multicast router side);
 * trunk: a physical switch port towards a host (every VLAN); device: a physical switch access port. */
export const PORT_KINDS = ['vm', 'uplink', 'management', 'device', 'trunk'] as const;
export type PortKind = (typeof PORT_KINDS)[number];

/** Why a frame (or its copy to one port) was dropped. Index + 1 is the negative code `forward` returns. */
export const DROP_REASONS = [
  'port-down',
  'mac-spoofing',
  'forged-transmits',
  'port-security',
  'no-mac-spoofing',
  'dhcp-guard',
  'router-guard',
  'mac-changes',
  'not-flooded',
  'same-port',
] as const;
export type DropReason = (typeof DROP_REASONS)[number];
const D = Object.fromEntries(DROP_REASONS.map((r, i) => [r, i])) as Record<DropReason, number>;

export const DROP_EXPLANATIONS: Record<DropReason, string> = {
  'port-down': 'the port is down (VM off)',
  'mac-spoofing': 'Hyper-V MAC address spoofing is off: the source MAC is not the adapter MAC',
  'forged-transmits': 'VMware forged transmits is reject: the source MAC is not the effective MAC',
  'port-security': 'Neutron port security: source MAC/IP is neither the port own nor an allowed address pair',
  'no-mac-spoofing': 'libvirt no-mac-spoofing filter: the source MAC is not the interface MAC',
  'dhcp-guard': 'Hyper-V DHCP guard: DHCP server message from a VM',
  'router-guard': 'Hyper-V router guard: router advertisement or redirect from a VM',
  'mac-changes':
    'VMware MAC address changes is reject: the effective MAC differs from the initial MAC, the port receives nothing',
  'not-flooded': 'Hyper-V MAC address spoofing is off: unknown-unicast floods skip this port',
  'same-port': 'the destination was learned on the ingress port (filtered)',
};

export interface PortSpec {
  readonly name: string;
  readonly kind: PortKind;
  /** The adapter's configured (initial) MAC; VM and management ports. */
  readonly mac?: Mac;
  /** Access VLAN (0 = untagged). Uplinks are trunks and carry every VLAN. */
  readonly vlan?: number;
  readonly policy?: PortPolicy;
  /** The port's own IPs (Neutron fixed IPs), for port security. */
  readonly fixedIps?: readonly Ipv4[];
  /** IGMP snooping sends multicast data and reports here (a multicast router). Default: uplinks. */
  readonly mrouter?: boolean;
}

export interface FlapEvent {
  readonly switch: string;
  readonly mac: Mac;
  readonly vlan: number;
  readonly from: string;
  readonly to: string;
  readonly at: number;
  /** True when the move was refused because the MAC is pinned to its port (Hyper-V, spoofing off). */
  readonly refused: boolean;
}

export interface SwitchOptions {
  readonly agingSeconds?: number;
  readonly igmpSnooping?: boolean;
  /** Cap on remembered flap events (the count keeps going). */
  readonly maxFlapEvents?: number;
}

const TWO32 = 2 ** 32;

export class VirtualSwitch {
  readonly name: string;
  readonly kind: SwitchKind;
  readonly agingMs: number;
  readonly igmpSnooping: boolean;
  readonly fdb = new MacTable(128);
  readonly flaps: FlapEvent[] = [];
  flapCount = 0;

  /** Egress ports of the last `forward`. */
  egress = new Int32Array(16);
  egressCount = 0;
  /** (port, reason) pairs of per-port drops of the last `forward`. */
  portDrops = new Int32Array(32);
  portDropCount = 0;

  private names: string[] = [];
  private kinds: PortKind[] = [];
  private policies: PortPolicy[] = [];
  private pairs: (readonly AddressPair[])[] = [];
  private fixedIps: (readonly Ipv4[])[] = [];
  private mask = new Int32Array(16);
  private vlanOf = new Int32Array(16);
  private initial = new Float64Array(16);
  private effective = new Float64Array(16);
  private up = new Uint8Array(16);
  private mrouter = new Uint8Array(16);
  private stamp = new Int32Array(16);
  private generation = 0;
  private anyPromiscuous = false;
  private readonly maxFlaps: number;
  /** IGMP snooping: (vlan, group MAC) -> member ports. */
  private groups = new Map<number, Set<number>>();

  constructor(name: string, kind: SwitchKind, options: SwitchOptions = {}) {
    this.name = name;
    this.kind = kind;
    this.agingMs = (options.agingSeconds ?? 300) * 1000;
    this.igmpSnooping = options.igmpSnooping ?? false;
    this.maxFlaps = options.maxFlapEvents ?? 10_000;
  }

  get portCount(): number {
    return this.names.length;
  }

  addPort(spec: PortSpec): number {
    const i = this.names.length;
    if (i >= this.mask.length) this.growPorts(i * 2);
    this.names.push(spec.name);
    this.kinds.push(spec.kind);
    this.policies.push(spec.policy ?? defaultPolicy(spec.kind === 'vm' ? this.kind : 'physical'));
    this.pairs.push([]);
    this.fixedIps.push(spec.fixedIps ?? []);
    this.vlanOf[i] = spec.kind === 'uplink' || spec.kind === 'trunk' ? -1 : (spec.vlan ?? 0);
    this.mrouter[i] = (spec.mrouter ?? spec.kind === 'uplink') ? 1 : 0;
    this.initial[i] = spec.mac ?? -1;
    this.effective[i] = spec.mac ?? -1;
    this.up[i] = 1;
    this.applyPolicy(i);
    if (this.egress.length < this.names.length) this.egress = new Int32Array(this.names.length * 2);
    if (this.portDrops.length < this.names.length * 2) this.portDrops = new Int32Array(this.names.length * 4);
    return i;
  }

  portIndex(name: string): number {
    return this.names.indexOf(name);
  }
  portName(i: number): string {
    return this.names[i] ?? `#${i}`;
  }
  portKind(i: number): PortKind {
    return this.kinds[i]!;
  }
  policyOf(i: number): PortPolicy {
    return this.policies[i]!;
  }
  initialMac(i: number): Mac {
    return this.initial[i] as Mac;
  }
  effectiveMac(i: number): Mac {
    return this.effective[i] as Mac;
  }
  /** The VLAN a frame entering `i` belongs to, or -1 for a trunk (the frame's own tag). */
  accessVlan(i: number): number {
    return this.vlanOf[i]!;
  }
  isUp(i: number): boolean {
    return this.up[i] === 1;
  }

  /** Change a port's policy (Hyper-V allows it only with the VM stopped; the lab does not enforce that). */
  setPolicy(i: number, policy: PortPolicy, now: number): void {
    this.policies[i] = policy;
    this.fdb.sweep(now, this.agingMs, i);
    this.applyPolicy(i);
  }

  /** The guest set the adapter's MAC (VMware "effective MAC"); the switch decides what that means. */
  setEffectiveMac(i: number, mac: Mac): void {
    this.effective[i] = mac;
  }

  /** Port up/down (VM started/stopped, moved away). Going down forgets the MACs learned on it. */
  setUp(i: number, up: boolean, now: number): void {
    this.up[i] = up ? 1 : 0;
    if (!up) {
      this.fdb.sweep(now, this.agingMs, i);
      for (const members of this.groups.values()) members.delete(i);
    }
    this.applyPolicy(i);
  }

  private applyPolicy(i: number): void {
    const p = this.policies[i]!;
    this.mask[i] = this.kinds[i] === 'vm' ? policyMask(p) : 0;
    this.pairs[i] = p.vendor === 'ovs' ? p.allowedAddressPairs : [];
    this.anyPromiscuous = this.mask.some((m, j) => j < this.names.length && (m & P_PROMISCUOUS) !== 0);
    if ((this.mask[i] & P_PINNED) !== 0 && this.up[i] === 1 && this.initial[i]! >= 0) {
      this.fdb.set(this.vlanOf[i]! < 0 ? 0 : this.vlanOf[i]!, this.initial[i] as Mac, i, 0, true);
    }
  }

  /**
   * Forward one frame arriving on `ingress` at time `now` (ms). Returns the number of egress ports (written
   * to `egress`), or a negative code -(DROP_REASONS index + 1) when the frame is dropped on ingress.
   * Per-port drops (VMware MAC changes, Hyper-V no-flood) are in `portDrops`.
   */
  forward(ingress: number, f: Frame, now: number): number {
    this.egressCount = 0;
    this.portDropCount = 0;
    if (this.up[ingress] !== 1) return -1 - D['port-down'];
    const src = f.src;
    const m = this.mask[ingress]!;
    if (m !== 0) {
      if ((m & P_SRC_IS_INITIAL) !== 0 && src !== this.initial[ingress]) {
        return -1 - (this.policies[ingress]!.vendor === 'libvirt' ? D['no-mac-spoofing'] : D['mac-spoofing']);
      }
      if ((m & P_SRC_IS_EFFECTIVE) !== 0 && src !== this.effective[ingress])
        return -1 - D['forged-transmits'];
      if ((m & P_PORT_SECURITY) !== 0 && !this.portSecurityAllows(ingress, src, f.payload)) {
        return -1 - D['port-security'];
      }
      if ((m & P_DHCP_GUARD) !== 0 && isDhcpServerMessage(f.payload)) return -1 - D['dhcp-guard'];
      if ((m & P_ROUTER_GUARD) !== 0 && isRouterMessage(f.payload)) return -1 - D['router-guard'];
    }
    const pv = this.vlanOf[ingress]!;
    const vlan = pv >= 0 ? pv : f.vlan;

    // Source learning (unicast sources only). A VMware vSwitch learns nothing: it knows its vNICs.
    const srcHi = Math.floor(src / TWO32);
    const vmware = this.kind === 'vmware';
    if (((srcHi >>> 8) & 1) === 0 && !vmware) this.learn(vlan, src, ingress, now);

    const dst = f.dst;
    const dstHi = Math.floor(dst / TWO32);
    const gen = ++this.generation;
    if (((dstHi >>> 8) & 1) === 1) {
      this.floodMulticast(ingress, vlan, f, gen);
    } else if (vmware) {
      this.vnicDeliver(ingress, vlan, dst, gen);
    } else {
      const slot = this.fdb.find(vlan, dst);
      if (slot >= 0 && this.fdb.isLive(slot, now, this.agingMs)) {
        const out = this.fdb.portAt(slot);
        if (out === ingress) this.dropAt(ingress, D['same-port']);
        else if (this.up[out] === 1) this.emit(out, gen);
      } else {
        this.flood(ingress, vlan, gen, true);
      }
    }
    if (this.anyPromiscuous) this.addPromiscuous(ingress, vlan, gen);
    return this.egressCount;
  }

  private learn(vlan: number, src: Mac, port: number, now: number): void {
    const fdb = this.fdb;
    const slot = fdb.find(vlan, src);
    if (slot < 0) {
      fdb.set(vlan, src, port, now);
      return;
    }
    const was = fdb.portAt(slot);
    if (was === port) {
      if (!fdb.isStaticAt(slot)) fdb.touch(slot, now);
      return;
    }
    if (fdb.isStaticAt(slot)) {
      this.recordFlap(src, vlan, was, port, now, true);
      return;
    }
    if (fdb.isLive(slot, now, this.agingMs)) this.recordFlap(src, vlan, was, port, now, false);
    fdb.move(slot, port, now);
  }

  private recordFlap(mac: Mac, vlan: number, from: number, to: number, at: number, refused: boolean): void {
    this.flapCount++;
    if (this.flaps.length < this.maxFlaps) {
      this.flaps.push({
        switch: this.name,
        mac,
        vlan,
        from: this.portName(from),
        to: this.portName(to),
        at,
        refused,
      });
    }
  }

  private inVlan(port: number, vlan: number): boolean {
    const v = this.vlanOf[port]!;
    return v < 0 || v === vlan;
  }

  private emit(port: number, gen: number): void {
    if ((this.mask[port]! & P_BLOCK_IF_CHANGED) !== 0 && this.effective[port] !== this.initial[port]) {
      this.dropAt(port, D['mac-changes']);
      this.stamp[port] = gen;
      return;
    }
    this.stamp[port] = gen;
    this.egress[this.egressCount++] = port;
  }

  private dropAt(port: number, reason: number): void {
    this.portDrops[this.portDropCount++] = port;
    this.portDrops[this.portDropCount++] = reason;
  }

  private flood(ingress: number, vlan: number, gen: number, unknownUnicast: boolean): void {
    const n = this.names.length;
    for (let p = 0; p < n; p++) {
      if (p === ingress || this.up[p] !== 1 || !this.inVlan(p, vlan)) continue;
      if (unknownUnicast && (this.mask[p]! & P_NO_FLOOD) !== 0) {
        this.dropAt(p, D['not-flooded']);
        continue;
      }
      this.emit(p, gen);
    }
  }

  /**
   * VMware vSwitch unicast: it does not learn; it knows each vNIC's MAC from the .vmx and from the guest's
   * MAC changes (virtualoco.com "Virtual Switch Deep Dive"), so a frame goes to the vNICs whose effective
   * MAC it is (several for unicast NLB), or, from a VM to no local vNIC, out of the uplinks (which is why
   * VMware KB 1556 wants unicast NLB members on one vSwitch); an unknown destination from
   * the uplink is dropped, never flooded to VMs (vSphere 8 Networking, "MAC learning": "Normally, when a
   * packet that is received by a port has an unknown destination MAC address, the packet is dropped").
   */
  private vnicDeliver(ingress: number, vlan: number, dst: Mac, gen: number): void {
    const n = this.names.length;
    let local = 0;
    for (let p = 0; p < n; p++) {
      if (p === ingress || this.up[p] !== 1 || !this.inVlan(p, vlan)) continue;
      if (this.kinds[p] !== 'uplink' && this.effective[p] === dst) {
        this.emit(p, gen);
        local++;
      }
    }
    if (local > 0 || this.kinds[ingress] === 'uplink') return;
    for (let p = 0; p < n; p++) {
      if (p !== ingress && this.kinds[p] === 'uplink' && this.up[p] === 1) this.emit(p, gen);
    }
  }

  private floodMulticast(ingress: number, vlan: number, f: Frame, gen: number): void {
    const dst = f.dst;
    const isIpMulticast = Math.floor(dst / 2 ** 24) === IPV4_MULTICAST_OUI;
    if (!this.igmpSnooping || !isIpMulticast) {
      this.flood(ingress, vlan, gen, false);
      if (this.igmpSnooping) this.snoop(ingress, vlan, f.payload);
      return;
    }
    // IGMP snooping: reports go to the uplinks (multicast routers) only; data to members and uplinks.
    const isIgmp = this.snoop(ingress, vlan, f.payload);
    const members = isIgmp ? undefined : this.groups.get(vlan * 0x800000 + (dst % 0x800000));
    const n = this.names.length;
    for (let p = 0; p < n; p++) {
      if (p === ingress || this.up[p] !== 1 || !this.inVlan(p, vlan)) continue;
      if (this.mrouter[p] === 1 || members?.has(p) === true) this.emit(p, gen);
    }
  }

  /** Record IGMP membership from a report/leave; true when the payload was IGMP. */
  private snoop(ingress: number, vlan: number, p: Payload): boolean {
    if (p.kind !== 'ipv4' || p.l4.kind !== 'igmp') return false;
    const key = vlan * 0x800000 + (p.l4.group & 0x7fffff);
    let members = this.groups.get(key);
    if (!members) this.groups.set(key, (members = new Set()));
    if (p.l4.type === 'report') members.add(ingress);
    else members.delete(ingress);
    return true;
  }

  private addPromiscuous(ingress: number, vlan: number, gen: number): void {
    const n = this.names.length;
    for (let p = 0; p < n; p++) {
      if (p === ingress || this.stamp[p] === gen || this.up[p] !== 1 || !this.inVlan(p, vlan)) continue;
      if ((this.mask[p]! & P_PROMISCUOUS) !== 0) this.emit(p, gen);
    }
  }

  private portSecurityAllows(port: number, src: Mac, payload: Payload): boolean {
    const ip = senderIpOf(payload);
    if (src === this.initial[port]) {
      // DHCP clients send from 0.0.0.0 before they have an address.
      if (ip === undefined || ip === 0) return true;
      const own = this.fixedIps[port]!;
      if (own.length === 0 || own.includes(ip)) return true;
    }
    for (const pair of this.pairs[port]!) {
      if (pair.mac !== src) continue;
      if (ip === undefined) return true;
      const maskBits = pair.prefix === 0 ? 0 : (0xffffffff << (32 - pair.prefix)) >>> 0;
      if ((ip & maskBits) >>> 0 === (pair.ip & maskBits) >>> 0) return true;
    }
    return false;
  }

  /** Live MACs in the FDB (for display). */
  table(now: number): { vlan: number; mac: Mac; port: string; static: boolean; age: number }[] {
    return this.fdb
      .entries()
      .filter((e) => e.isStatic || now - e.seen <= this.agingMs)
      .map((e) => ({
        vlan: e.vlan,
        mac: e.mac,
        port: this.portName(e.port),
        static: e.isStatic,
        age: e.isStatic ? 0 : now - e.seen,
      }))
      .sort((a, b) => a.vlan - b.vlan || a.mac - b.mac);
  }

  private growPorts(size: number): void {
    const grow = <T extends Int32Array | Float64Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(size);
      b.set(a);
      return b;
    };
    this.mask = grow(this.mask, (n) => new Int32Array(n));
    this.vlanOf = grow(this.vlanOf, (n) => new Int32Array(n));
    this.initial = grow(this.initial, (n) => new Float64Array(n));
    this.effective = grow(this.effective, (n) => new Float64Array(n));
    this.up = grow(this.up, (n) => new Uint8Array(n));
    this.mrouter = grow(this.mrouter, (n) => new Uint8Array(n));
    this.stamp = grow(this.stamp, (n) => new Int32Array(n));
  }
}

export const dropReasonOf = (code: number): DropReason => DROP_REASONS[-code - 1]!;
