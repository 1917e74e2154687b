/**
 * What sits behind a port: a guest's network stack (ARP cache, IPs, NIC receive filter), a router, a
 * client, or an NLB node. Stations react to frames with frames; the world (lab-world.ts) carries them.
 *
 * NLB behaviour (Microsoft NLB, as documented and as administrators report it):
 *  - unicast mode replaces the adapter MAC with the cluster MAC 02-BF-W-X-Y-Z; with MaskSourceMAC every
 *    frame leaves with source 02-<host priority>-W-X-Y-Z so switches never learn the cluster MAC and flood
 *    it (VMware KB 1556, "Microsoft NLB not working properly in Unicast Mode");
 *  - multicast mode keeps the adapter MAC and answers ARP for the VIP with 03-BF-W-X-Y-Z; IGMP multicast
 *    answers with 01-00-5E-7F-Y-Z and joins 239.255.Y.Z (HPE FlexFabric 11900 L3 guide "Configuring
 *    multicast ARP"; Lenovo ENOS "Static Multicast ARP");
 *  - when the adapter refuses the MAC change, NLB logs event 53, MSG_ERROR_DYNAMIC_MAC (technet cc726473:
 *    "NLB cluster [%2]: NLB will not attach to adapter '%3' because it does not support dynamic changing
 *    of its MAC address. Replace the network adapter with one which supports that capability."). Until the
 *    guest restarts, the half-bound driver keeps rewriting the source MAC, which the switch drops
 *    (connectivity lost on that adapter, as reported with Hyper-V 2.0: rlyeh.hatenadiary.org 2009-06-05);
 *    after a restart NLB still shows as bound but passes traffic untouched and the VIP is not added.
 * Routers ignore ARP replies that carry a multicast MAC (RFC 1812 section 3.3.2: "A router MUST not
 * believe any ARP reply that claims that the Link Layer address of another host or router is a broadcast
 * or multicast address"; blog.ipspace.net 2012/05), hence the static ARP entry multicast NLB needs
 * (VMware KB 1006525).
 */
import {
  formatIpv4,
  isMulticast,
  nlbAddresses,
  nlbMaskedSourceMac,
  type Ipv4,
  type Mac,
  type NlbAddresses,
} from '../mac/index.js';
import { BROADCAST_MAC, frame, ICMP, ipv4MulticastMac, type Frame, type L4 } from './frame.js';
import type { ClusterSpec } from './scenario.js';

export const NLB_EVENT_SOURCE = 'Microsoft-Windows-NLB';

export interface NlbEvent {
  readonly id: number;
  readonly source: string;
  readonly message: string;
}

/** Event 53 exactly as Windows words it (technet cc726473, MSG_ERROR_DYNAMIC_MAC). */
export function nlbEvent53(vip: Ipv4, adapter: string): NlbEvent {
  return {
    id: 53,
    source: NLB_EVENT_SOURCE,
    message: `NLB cluster [${formatIpv4(vip)}]: NLB will not attach to adapter '${adapter}' because it does not support dynamic changing of its MAC address. Replace the network adapter with one which supports that capability.`,
  };
}

export const NLB_STATES = ['unconfigured', 'attach-failed', 'not-attached', 'attached'] as const;
export type NlbState = (typeof NLB_STATES)[number];

export type Observation =
  | { readonly kind: 'event'; readonly station: string; readonly event: NlbEvent }
  | {
      readonly kind: 'mac-change';
      readonly station: string;
      readonly requested: Mac;
      readonly refused: boolean;
    }
  | {
      readonly kind: 'arp-ignored';
      readonly station: string;
      readonly ip: Ipv4;
      readonly mac: Mac;
      readonly frameId: number;
    }
  | {
      readonly kind: 'ip-conflict';
      readonly station: string;
      readonly ip: Ipv4;
      readonly otherMac: Mac;
      readonly frameId: number;
    }
  | {
      readonly kind: 'resolve';
      readonly station: string;
      readonly ip: Ipv4;
      readonly mac?: Mac;
      readonly viaStatic: boolean;
    }
  | {
      readonly kind: 'exchange';
      readonly what: 'ping' | 'connect';
      readonly station: string;
      readonly to: Ipv4;
      readonly port?: number;
      readonly answeredBy: readonly string[];
      readonly reason?: string;
      readonly requestFrameId?: number;
    }
  | {
      readonly kind: 'ipconfig';
      readonly station: string;
      readonly adapter: string;
      readonly mac: Mac;
      readonly ips: readonly Ipv4[];
      readonly nlb?: NlbState;
    }
  | { readonly kind: 'dhcp'; readonly station: string; readonly offersFrom: readonly string[] }
  | { readonly kind: 'converged'; readonly station: string; readonly view: readonly number[] };

export interface StationNet {
  /** Queue a frame from this station onto its port. */
  send(from: Station, f: Frame): void;
  observe(o: Observation): void;
  /** Id and origin of the frame being delivered (for evidence). */
  readonly currentFrameId: number;
  readonly currentOrigin: string;
}

export class NlbNode {
  readonly addrs: NlbAddresses;
  state: NlbState = 'unconfigured';
  /** Host priorities heard in the last heartbeat round. */
  readonly heard = new Set<number>();
  constructor(
    readonly cluster: ClusterSpec,
    readonly priority: number,
  ) {
    this.addrs = nlbAddresses(cluster.vip);
  }
  get clusterMac(): Mac {
    const m = this.cluster.mode;
    return m === 'unicast' ? this.addrs.unicast : m === 'multicast' ? this.addrs.multicast : this.addrs.igmp;
  }
  /** Unicast mode with the NLB driver in the stack (attached, or stuck after a refused MAC change). */
  get rewritesUnicast(): boolean {
    return this.cluster.mode === 'unicast' && (this.state === 'attached' || this.state === 'attach-failed');
  }
  /** The membership this node balances over: itself plus every host it heard. */
  view(): number[] {
    return [...new Set([this.priority, ...this.heard])].sort((a, b) => a - b);
  }
}

export type StationKind = 'vm' | 'host' | 'router' | 'management';

export interface Reply {
  readonly from: string;
  readonly frame: Frame;
}

export class Station {
  readonly arp = new Map<Ipv4, Mac>();
  readonly staticArp = new Map<Ipv4, Mac>();
  readonly rx = new Set<Mac>();
  ips: Ipv4[];
  /** Addresses an administrator added by hand (they survive a reboot). */
  readonly manualIps: Ipv4[] = [];
  nicMac: Mac;
  running: boolean;
  nlb?: NlbNode;
  dhcpServer = false;
  /** Replies collected for the exchange in progress (client side). */
  inbox: Reply[] = [];
  private defended = new Set<string>();

  constructor(
    readonly name: string,
    readonly kind: StationKind,
    readonly adapter: string,
    readonly initialMac: Mac,
    readonly dips: readonly Ipv4[],
  ) {
    this.nicMac = initialMac;
    this.ips = [...dips];
    this.running = kind !== 'vm';
  }

  /** Source MAC of the frames this station sends. */
  ethSrc(): Mac {
    const n = this.nlb;
    if (n?.rewritesUnicast) {
      return n.cluster.maskSourceMac ? nlbMaskedSourceMac(n.cluster.vip, n.priority) : n.addrs.unicast;
    }
    return this.nicMac;
  }

  /** The MAC this station claims for `ip` in ARP. */
  arpMac(ip: Ipv4): Mac {
    const n = this.nlb;
    if (n?.rewritesUnicast) return n.addrs.unicast;
    if (n?.state === 'attached' && ip === n.cluster.vip) return n.clusterMac;
    return this.nicMac;
  }

  /** The NIC's receive filter. */
  accepts(dst: Mac): boolean {
    return dst === BROADCAST_MAC || dst === this.nicMac || this.rx.has(dst);
  }

  sendGarp(net: StationNet, ip: Ipv4): void {
    const mac = this.arpMac(ip);
    net.send(
      this,
      frame(BROADCAST_MAC, this.ethSrc(), {
        kind: 'arp',
        op: 'request',
        senderMac: mac,
        senderIp: ip,
        targetMac: 0 as Mac,
        targetIp: ip,
      }),
    );
  }

  sendArpRequest(net: StationNet, target: Ipv4): void {
    const ip = this.ips[0] ?? 0;
    net.send(
      this,
      frame(BROADCAST_MAC, this.ethSrc(), {
        kind: 'arp',
        op: 'request',
        senderMac: this.arpMac(ip),
        senderIp: ip,
        targetMac: 0 as Mac,
        targetIp: target,
      }),
    );
  }

  sendHeartbeat(net: StationNet): void {
    const n = this.nlb;
    if (!n || n.state !== 'attached') return;
    const dst = n.cluster.mode === 'unicast' ? BROADCAST_MAC : n.clusterMac;
    net.send(
      this,
      frame(dst, this.ethSrc(), { kind: 'nlb-heartbeat', vip: n.cluster.vip, priority: n.priority }),
    );
  }

  sendIgmpReport(net: StationNet, group: Ipv4): void {
    net.send(
      this,
      frame(ipv4MulticastMac(group), this.ethSrc(), {
        kind: 'ipv4',
        srcIp: this.dips[0] ?? 0,
        dstIp: group,
        l4: { kind: 'igmp', type: 'report', group },
      }),
    );
  }

  /** Resolve `ip` from the ARP cache (static entries first). */
  lookup(ip: Ipv4): Mac | undefined {
    return this.staticArp.get(ip) ?? this.arp.get(ip);
  }

  receive(f: Frame, net: StationNet): void {
    if (!this.running || !this.accepts(f.dst)) return;
    const p = f.payload;
    switch (p.kind) {
      case 'arp':
        return this.receiveArp(f, net);
      case 'nlb-heartbeat':
        if (this.nlb?.state === 'attached' && p.vip === this.nlb.cluster.vip) this.nlb.heard.add(p.priority);
        return;
      case 'ipv4':
        return this.receiveIpv4(f, net);
      default:
        return;
    }
  }

  private learnArp(ip: Ipv4, mac: Mac, net: StationNet): void {
    if (ip === 0) return;
    if (this.kind === 'router' && isMulticast(mac)) {
      net.observe({ kind: 'arp-ignored', station: this.name, ip, mac, frameId: net.currentFrameId });
      return;
    }
    this.arp.set(ip, mac);
  }

  private receiveArp(f: Frame, net: StationNet): void {
    const p = f.payload;
    if (p.kind !== 'arp') return;
    const mine = this.ips.includes(p.senderIp);
    if (mine && p.senderMac !== this.arpMac(p.senderIp) && p.senderMac !== this.nicMac) {
      // Someone else claims one of our addresses: Windows reports an address conflict and defends once.
      net.observe({
        kind: 'ip-conflict',
        station: this.name,
        ip: p.senderIp,
        otherMac: p.senderMac,
        frameId: net.currentFrameId,
      });
      const key = `${p.senderIp}/${p.senderMac}`;
      if (!this.defended.has(key)) {
        this.defended.add(key);
        net.send(
          this,
          frame(p.senderMac, this.ethSrc(), {
            kind: 'arp',
            op: 'reply',
            senderMac: this.arpMac(p.senderIp),
            senderIp: p.senderIp,
            targetMac: p.senderMac,
            targetIp: p.senderIp,
          }),
        );
      }
      return;
    }
    if (!mine) this.learnArp(p.senderIp, p.senderMac, net);
    if (p.op === 'request' && p.targetIp !== p.senderIp && this.ips.includes(p.targetIp)) {
      net.send(
        this,
        frame(f.src, this.ethSrc(), {
          kind: 'arp',
          op: 'reply',
          senderMac: this.arpMac(p.targetIp),
          senderIp: p.targetIp,
          targetMac: p.senderMac,
          targetIp: p.senderIp,
        }),
      );
    }
  }

  /** Whether this node handles a flow to the VIP (NLB's filtering: one owner per flow in its view). */
  private handles(srcIp: Ipv4, srcPort: number): boolean {
    const n = this.nlb;
    if (!n || n.state !== 'attached') return true;
    const view = n.view();
    const h = Math.imul(srcIp ^ Math.imul(srcPort + 1, 0x9e3779b1), 0x85ebca6b) >>> 0;
    return view[h % view.length] === n.priority;
  }

  private receiveIpv4(f: Frame, net: StationNet): void {
    const p = f.payload;
    if (p.kind !== 'ipv4') return;
    const l = p.l4;
    if (l.kind === 'udp' && l.dhcp !== undefined) {
      if (l.dhcp === 'discover' && this.dhcpServer) {
        net.send(
          this,
          frame(BROADCAST_MAC, this.ethSrc(), {
            kind: 'ipv4',
            srcIp: this.dips[0] ?? 0,
            dstIp: 0xffffffff,
            l4: { kind: 'udp', srcPort: 67, dstPort: 68, dhcp: 'offer' },
          }),
        );
      } else if (l.dhcp === 'offer') {
        this.inbox.push({ from: net.currentOrigin, frame: f });
      }
      return;
    }
    if (!this.ips.includes(p.dstIp)) return;
    const replyTo = this.lookup(p.srcIp) ?? f.src;
    const reply = (l4: L4) =>
      net.send(this, frame(replyTo, this.ethSrc(), { kind: 'ipv4', srcIp: p.dstIp, dstIp: p.srcIp, l4 }));
    if (l.kind === 'icmp' && l.type === ICMP.echoRequest) {
      if (!this.handles(p.srcIp, 0)) return;
      reply({ kind: 'icmp', type: ICMP.echoReply, id: l.id });
    } else if (l.kind === 'tcp' && l.flags === 'syn') {
      if (!this.handles(p.srcIp, l.srcPort)) return;
      reply({ kind: 'tcp', srcPort: l.dstPort, dstPort: l.srcPort, flags: 'syn-ack' });
    } else if (
      (l.kind === 'icmp' && l.type === ICMP.echoReply) ||
      (l.kind === 'tcp' && l.flags === 'syn-ack')
    ) {
      this.inbox.push({ from: net.currentOrigin, frame: f });
    }
  }
}
