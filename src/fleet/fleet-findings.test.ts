/**
 * The inventory's NLB problems come from the audit's NLB rules over the inventory's adapters and the
 * guards it knows (Hyper-V spoofing, VMware forged transmits), beside its duplicates.
 */
import { describe, expect, it } from 'vitest';
import { parseMac } from '../mac/index.js';
import { fleetFindings } from './findings.js';
import type { Adapter, Host, Vm } from './model.js';

const host = (name: string, hypervisor: Host['hypervisor']): Host => ({
  name,
  hypervisor,
  nics: [],
  ip: null,
  allocation: { kind: 'hypervisor' },
  scheme: {},
  version: null,
});
const adapter = (mac: string, over: Partial<Adapter> = {}): Adapter => ({
  index: 0,
  network: 'External',
  mode: 'static',
  mac: parseMac(mac),
  spoofing: false,
  dhcpGuard: false,
  routerGuard: false,
  vmware: null,
  ...over,
});
const vm = (h: string, name: string, a: Adapter): Vm => ({ host: h, name, state: 'running', adapters: [a] });

// 02:bf:0a:00:00:32 is the unicast cluster MAC of VIP 10.0.0.50.
const CLUSTER = '02:bf:0a:00:00:32';

describe('fleetFindings: NLB', () => {
  it('flags a unicast cluster on Hyper-V adapters with spoofing off, not those with it on', () => {
    const f = fleetFindings(
      [vm('hv1', 'nlb1', adapter(CLUSTER)), vm('hv2', 'nlb2', adapter(CLUSTER, { spoofing: true }))],
      [],
      [host('hv1', 'hyper-v'), host('hv2', 'hyper-v')],
    );
    const errors = f.filter((x) => x.kind === 'nlb' && x.severity === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toContain('VIP 10.0.0.50 on 1 adapter(s) with MAC address spoofing off');
    expect(errors[0]!.members.map((m) => m.vm)).toEqual(['nlb1']);
    // The cluster is a note, and its shared MAC is not a duplicate.
    expect(f.filter((x) => x.kind === 'duplicate')).toEqual([]);
    expect(f.filter((x) => x.severity === 'info').map((x) => x.members.length)).toEqual([2]);
  });

  it('flags a unicast cluster on a VMware port group that rejects forged transmits', () => {
    const policy = { promiscuous: false, macChanges: true, forgedTransmits: false };
    const f = fleetFindings(
      [
        vm('esx1', 'n1', adapter(CLUSTER, { vmware: policy })),
        vm('esx1', 'n2', adapter(CLUSTER, { vmware: { ...policy, forgedTransmits: true } })),
      ],
      [],
      [host('esx1', 'vmware')],
    );
    const errors = f.filter((x) => x.severity === 'error');
    expect(errors.map((x) => x.members.map((m) => m.vm))).toEqual([['n1']]);
    expect(errors[0]!.message).toContain('rejects forged transmits');
  });

  it('says nothing about spoofing on a host whose hypervisor has no such switch (KVM)', () => {
    const f = fleetFindings([vm('kvm1', 'a', adapter(CLUSTER))], [], [host('kvm1', 'kvm')]);
    expect(f.filter((x) => x.severity === 'error')).toEqual([]);
  });
});
