import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { macFromNumber, parseMac, type Mac } from '../mac/index.js';
import { BROADCAST_MAC, frame, ICMP, ipv4MulticastMac, type Frame } from './frame.js';
import { HYPERV_DEFAULT_POLICY, vmwareDefaultPolicy, type PortPolicy } from './port-policy.js';
import { DROP_REASONS, dropReasonOf, VirtualSwitch, type PortSpec } from './virtual-switch.js';

const mac = (s: string): Mac => parseMac(s);
const A = mac('00-15-5d-00-00-0a');
const B = mac('00-15-5d-00-00-0b');
const C = mac('00-15-5d-00-00-0c');
const X = mac('00-15-5d-00-00-99');
const data = (dst: Mac, src: Mac, vlan = 0): Frame => frame(dst, src, { kind: 'opaque', label: 't' }, vlan);
const out = (sw: VirtualSwitch, n: number) =>
  n < 0
    ? dropReasonOf(n)
    : Array.from(sw.egress.subarray(0, n))
        .map((p) => sw.portName(p))
        .sort();
const drops = (sw: VirtualSwitch) => {
  const r: string[] = [];
  for (let i = 0; i < sw.portDropCount; i += 2)
    r.push(`${sw.portName(sw.portDrops[i]!)}:${DROP_REASONS[sw.portDrops[i + 1]!]}`);
  return r;
};

function build(
  kind: 'hyper-v' | 'vmware' | 'ovs' | 'libvirt' | 'physical',
  policy?: PortPolicy,
  extra: PortSpec[] = [],
) {
  const sw = new VirtualSwitch('sw', kind, { agingSeconds: 300 });
  const a = sw.addPort({ name: 'a', kind: 'vm', mac: A, ...(policy ? { policy } : {}) });
  const b = sw.addPort({ name: 'b', kind: 'vm', mac: B, ...(policy ? { policy } : {}) });
  const c = sw.addPort({ name: 'c', kind: 'vm', mac: C, ...(policy ? { policy } : {}) });
  const up = sw.addPort({ name: 'uplink', kind: 'uplink' });
  for (const e of extra) sw.addPort(e);
  return { sw, a, b, c, up };
}

describe('learning switch', () => {
  const open: PortPolicy = { vendor: 'hyper-v', macSpoofing: true, dhcpGuard: false, routerGuard: false };

  it('floods unknown unicast, then forwards to the learned port only', () => {
    const { sw, a, b } = build('hyper-v', open);
    expect(out(sw, sw.forward(a, data(B, A), 0))).toEqual(['b', 'c', 'uplink']);
    expect(out(sw, sw.forward(b, data(A, B), 1))).toEqual(['a']);
    expect(out(sw, sw.forward(a, data(B, A), 2))).toEqual(['b']);
  });

  it('ages entries out after the aging time (time is a parameter) and floods again', () => {
    const { sw, a, b } = build('hyper-v', open);
    sw.forward(b, data(A, B), 0);
    expect(out(sw, sw.forward(a, data(B, A), 300_000))).toEqual(['b']);
    expect(out(sw, sw.forward(a, data(B, A), 300_001))).toEqual(['b', 'c', 'uplink']);
  });

  it('floods broadcast and multicast to every port of the VLAN but the ingress', () => {
    const { sw, a } = build('hyper-v', open);
    expect(out(sw, sw.forward(a, data(BROADCAST_MAC, A), 0))).toEqual(['b', 'c', 'uplink']);
    expect(out(sw, sw.forward(a, data(mac('03-bf-c0-a8-01-64'), A), 0))).toEqual(['b', 'c', 'uplink']);
  });

  it('keeps VLANs apart and learns per VLAN', () => {
    const sw = new VirtualSwitch('sw', 'physical');
    const p10 = sw.addPort({ name: 'p10', kind: 'device', vlan: 10 });
    sw.addPort({ name: 'q10', kind: 'device', vlan: 10 });
    sw.addPort({ name: 'p20', kind: 'device', vlan: 20 });
    sw.addPort({ name: 'trunk', kind: 'trunk' });
    expect(out(sw, sw.forward(p10, data(BROADCAST_MAC, A), 0))).toEqual(['q10', 'trunk']);
    expect(sw.table(0)).toEqual([{ vlan: 10, mac: A, port: 'p10', static: false, age: 0 }]);
  });

  it('records a flap when a MAC moves to another port, and moves it', () => {
    const { sw, a, b } = build('hyper-v', open);
    sw.forward(a, data(BROADCAST_MAC, X), 1000);
    sw.forward(b, data(BROADCAST_MAC, X), 2000);
    expect(sw.flaps).toEqual([
      { switch: 'sw', mac: X, vlan: 0, from: 'a', to: 'b', at: 2000, refused: false },
    ]);
    expect(out(sw, sw.forward(a, data(X, A), 3000))).toEqual(['b']);
  });

  it('filters a frame whose destination sits on the ingress port', () => {
    const { sw, a } = build('hyper-v', open);
    sw.forward(a, data(BROADCAST_MAC, X), 0);
    expect(out(sw, sw.forward(a, data(X, A), 0))).toEqual([]);
    expect(drops(sw)).toEqual(['a:same-port']);
  });
});

describe('Hyper-V port policy', () => {
  it('spoofing off (the default): drops foreign sources, pins the MAC, skips unknown-unicast floods', () => {
    const { sw, a, b } = build('hyper-v', HYPERV_DEFAULT_POLICY);
    expect(out(sw, sw.forward(a, data(BROADCAST_MAC, X), 0))).toBe('mac-spoofing');
    // B is pinned: known without ever being seen; unknown unicast skips the VM ports.
    expect(out(sw, sw.forward(a, data(B, A), 0))).toEqual(['b']);
    expect(out(sw, sw.forward(a, data(X, A), 0))).toEqual(['uplink']);
    expect(drops(sw)).toEqual(['b:not-flooded', 'c:not-flooded']);
    // Broadcast still reaches them.
    expect(out(sw, sw.forward(b, data(BROADCAST_MAC, B), 0))).toEqual(['a', 'c', 'uplink']);
  });

  it('a pinned MAC is not moved by a spoofing port: the move is refused and recorded', () => {
    const sw = new VirtualSwitch('sw', 'hyper-v');
    const victim = sw.addPort({ name: 'victim', kind: 'vm', mac: A });
    const attacker = sw.addPort({
      name: 'attacker',
      kind: 'vm',
      mac: X,
      policy: { ...HYPERV_DEFAULT_POLICY, macSpoofing: true },
    });
    const up = sw.addPort({ name: 'uplink', kind: 'uplink' });
    expect(sw.forward(attacker, data(BROADCAST_MAC, A), 0)).toBe(2);
    expect(sw.flaps[0]).toMatchObject({ from: 'victim', to: 'attacker', refused: true });
    expect(out(sw, sw.forward(up, data(A, C), 0))).toEqual(['victim']);
    void victim;
  });

  it('DHCP guard drops server messages, router guard drops RAs and redirects', () => {
    const { sw, a } = build('hyper-v', {
      vendor: 'hyper-v',
      macSpoofing: false,
      dhcpGuard: true,
      routerGuard: true,
    });
    const offer = frame(BROADCAST_MAC, A, {
      kind: 'ipv4',
      srcIp: 1,
      dstIp: 0xffffffff,
      l4: { kind: 'udp', srcPort: 67, dstPort: 68, dhcp: 'offer' },
    });
    const discover = frame(BROADCAST_MAC, A, {
      kind: 'ipv4',
      srcIp: 0,
      dstIp: 0xffffffff,
      l4: { kind: 'udp', srcPort: 68, dstPort: 67, dhcp: 'discover' },
    });
    const ra = frame(BROADCAST_MAC, A, {
      kind: 'ipv4',
      srcIp: 1,
      dstIp: 0xe0000001,
      l4: { kind: 'icmp', type: ICMP.routerAdvertisement, id: 0 },
    });
    const redirect = frame(BROADCAST_MAC, A, {
      kind: 'ipv4',
      srcIp: 1,
      dstIp: 2,
      l4: { kind: 'icmp', type: ICMP.redirect, id: 0 },
    });
    const ra6 = frame(BROADCAST_MAC, A, { kind: 'ipv6', icmpv6Type: 134 });
    expect(out(sw, sw.forward(a, offer, 0))).toBe('dhcp-guard');
    expect(sw.forward(a, discover, 0)).toBe(3);
    expect(out(sw, sw.forward(a, ra, 0))).toBe('router-guard');
    expect(out(sw, sw.forward(a, redirect, 0))).toBe('router-guard');
    expect(out(sw, sw.forward(a, ra6, 0))).toBe('router-guard');
  });
});

describe('VMware port policy', () => {
  it('defaults: vSphere 7 reject/reject/reject, older reject/accept/accept', () => {
    expect(vmwareDefaultPolicy('vsphere7')).toEqual({
      vendor: 'vmware',
      promiscuous: false,
      macChanges: false,
      forgedTransmits: false,
    });
    expect(vmwareDefaultPolicy('legacy')).toEqual({
      vendor: 'vmware',
      promiscuous: false,
      macChanges: true,
      forgedTransmits: true,
    });
  });

  it('forged transmits reject drops sources other than the effective MAC', () => {
    const { sw, a } = build('vmware', vmwareDefaultPolicy('vsphere7'));
    expect(out(sw, sw.forward(a, data(BROADCAST_MAC, X), 0))).toBe('forged-transmits');
    expect(sw.forward(a, data(BROADCAST_MAC, A), 0)).toBe(3);
  });

  it('MAC address changes reject: once the effective MAC differs, the port receives nothing until it changes back', () => {
    const { sw, a, b } = build('vmware', vmwareDefaultPolicy('vsphere7'));
    sw.setEffectiveMac(b, X);
    expect(out(sw, sw.forward(a, data(BROADCAST_MAC, A), 0))).toEqual(['c', 'uplink']);
    expect(drops(sw)).toEqual(['b:mac-changes']);
    sw.setEffectiveMac(b, B);
    expect(out(sw, sw.forward(a, data(BROADCAST_MAC, A), 0))).toEqual(['b', 'c', 'uplink']);
  });

  it('does not learn: unicast goes to the vNICs with that MAC, unknown from a VM to the uplink, unknown from the uplink nowhere', () => {
    const { sw, a, b, c, up } = build('vmware', vmwareDefaultPolicy('legacy'));
    const nlb = mac('02-bf-c0-a8-01-64');
    sw.setEffectiveMac(b, nlb);
    sw.setEffectiveMac(c, nlb);
    expect(out(sw, sw.forward(up, data(nlb, X), 0))).toEqual(['b', 'c']);
    expect(out(sw, sw.forward(a, data(X, A), 0))).toEqual(['uplink']);
    expect(out(sw, sw.forward(up, data(mac('00-50-56-00-00-01'), X), 0))).toEqual([]);
    expect(sw.table(0)).toEqual([]);
  });

  it('promiscuous accept receives a copy of every frame in its VLAN', () => {
    const { sw, a, b } = build('vmware', vmwareDefaultPolicy('legacy'), [
      {
        name: 'sniffer',
        kind: 'vm',
        mac: X,
        policy: { vendor: 'vmware', promiscuous: true, macChanges: false, forgedTransmits: false },
      },
    ]);
    expect(out(sw, sw.forward(a, data(B, A), 0))).toEqual(['b', 'sniffer']);
    void b;
  });
});

describe('OVS/Neutron port security and libvirt no-mac-spoofing', () => {
  const vip = 0xc0a80164;
  const arpFrom = (src: Mac, senderIp: number) =>
    frame(BROADCAST_MAC, src, {
      kind: 'arp',
      op: 'request',
      senderMac: src,
      senderIp,
      targetMac: 0 as Mac,
      targetIp: 1,
    });

  it('allows the port MAC with its fixed IPs and the allowed address pairs only', () => {
    const sw = new VirtualSwitch('br-int', 'ovs');
    const p = sw.addPort({
      name: 'vm',
      kind: 'vm',
      mac: A,
      fixedIps: [0xc0a8010b],
      policy: {
        vendor: 'ovs',
        portSecurity: true,
        allowedAddressPairs: [{ mac: mac('02-bf-c0-a8-01-64'), ip: vip, prefix: 32 }],
      },
    });
    sw.addPort({ name: 'other', kind: 'vm', mac: B });
    expect(sw.forward(p, arpFrom(A, 0xc0a8010b), 0)).toBe(1);
    expect(out(sw, sw.forward(p, arpFrom(A, vip), 0))).toBe('port-security');
    expect(sw.forward(p, arpFrom(mac('02-bf-c0-a8-01-64'), vip), 0)).toBe(1);
    expect(out(sw, sw.forward(p, arpFrom(mac('02-bf-c0-a8-01-64'), 0xc0a8010b), 0))).toBe('port-security');
    expect(out(sw, sw.forward(p, data(BROADCAST_MAC, X), 0))).toBe('port-security');
  });

  it('libvirt no-mac-spoofing drops frames not from the interface MAC', () => {
    const sw = new VirtualSwitch('virbr0', 'libvirt');
    const p = sw.addPort({
      name: 'vm',
      kind: 'vm',
      mac: A,
      policy: { vendor: 'libvirt', noMacSpoofing: true },
    });
    sw.addPort({ name: 'other', kind: 'vm', mac: B });
    expect(out(sw, sw.forward(p, data(BROADCAST_MAC, X), 0))).toBe('no-mac-spoofing');
    expect(sw.forward(p, data(BROADCAST_MAC, A), 0)).toBe(1);
  });
});

describe('IGMP snooping', () => {
  it('sends IP multicast only to joined ports and multicast routers', () => {
    const sw = new VirtualSwitch('lan', 'physical', { igmpSnooping: true });
    const h1 = sw.addPort({ name: 'h1', kind: 'device' });
    sw.addPort({ name: 'h2', kind: 'device' });
    sw.addPort({ name: 'router', kind: 'device', mrouter: true });
    const src = sw.addPort({ name: 'src', kind: 'device' });
    const group = 0xefff0164;
    const gmac = ipv4MulticastMac(group);
    expect(gmac).toBe(mac('01-00-5e-7f-01-64'));
    const report = frame(gmac, A, {
      kind: 'ipv4',
      srcIp: 1,
      dstIp: group,
      l4: { kind: 'igmp', type: 'report', group },
    });
    expect(out(sw, sw.forward(h1, report, 0))).toEqual(['router']);
    expect(out(sw, sw.forward(src, data(gmac, B), 0))).toEqual(['h1', 'router']);
    // Non-IP multicast (the NLB 03-BF MAC) is still flooded.
    expect(out(sw, sw.forward(src, data(mac('03-bf-c0-a8-01-64'), B), 0))).toEqual(['h1', 'h2', 'router']);
  });
});

describe('properties', () => {
  it('never sends a frame back out of its ingress port, and a learned MAC is reached on exactly its port', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: 7 }),
            fc.integer({ min: 0, max: 11 }),
            fc.integer({ min: 0, max: 11 }),
          ),
          { maxLength: 200 },
        ),
        (ops) => {
          const sw = new VirtualSwitch('sw', 'physical');
          for (let i = 0; i < 8; i++) sw.addPort({ name: `p${i}`, kind: 'device' });
          const where = new Map<number, number>();
          let t = 0;
          for (const [port, s, d] of ops) {
            const src = macFromNumber(0x00155d000000 + s);
            const dst = macFromNumber(0x00155d000000 + d);
            const n = sw.forward(port, data(dst, src), t++);
            where.set(s, port);
            const egress = Array.from(sw.egress.subarray(0, Math.max(0, n)));
            expect(egress).not.toContain(port);
            const known = where.get(d);
            if (known !== undefined && known !== port) expect(egress).toEqual([known]);
            if (known === undefined) expect(egress).toHaveLength(7);
          }
        },
      ),
    );
  });
});
