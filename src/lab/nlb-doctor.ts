/**
 * `doctor nlb`: builds the scenario an administrator is about to deploy (N NLB nodes spread over two hosts
 * of one hypervisor, a bystander VM, the management OS, a client and a router on the physical network),
 * replays it (start, configure NLB, probe, restart, probe, add the VIP by hand, probe, wait past aging,
 * probe) and diagnoses the cluster from the frames.
 */
import { MacfleetError } from '../errors.js';
import {
  formatIpv4,
  HYPER_V_OUI,
  macFromNumber,
  macFromOctets,
  OPENSTACK_OUI,
  VMWARE_OUI,
  nlbAddresses,
  nlbMaskedSourceMac,
  NLB_MAX_PRIORITY,
  type Ipv4,
  type Mac,
  type NlbMode,
} from '../mac/index.js';
import { diagnoseCluster, type Diagnosis } from './diagnose.js';
import { LabWorld } from './lab-world.js';
import type { AddressPair, VmwareDefaults } from './port-policy.js';
import type { PolicySettings, Scenario, StepSpec, SwitchSpec, VmSpec } from './scenario.js';

export const DOCTOR_HYPERVISORS = ['hyper-v', 'vmware', 'ovs'] as const;
export type DoctorHypervisor = (typeof DOCTOR_HYPERVISORS)[number];

export interface NlbDoctorOptions {
  readonly hypervisor: DoctorHypervisor;
  readonly mode: NlbMode;
  readonly vip: Ipv4;
  readonly nodes: number;
  /** Hyper-V: MAC address spoofing on the NLB adapters (default off, the Hyper-V default). */
  readonly macSpoofing?: boolean;
  /** VMware: MAC address changes / forged transmits, true = accept (defaults per `vmwareDefaults`). */
  readonly macChanges?: boolean;
  readonly forgedTransmits?: boolean;
  readonly vmwareDefaults?: VmwareDefaults;
  /** VMware: "Notify switches" (default yes, the ESXi default). */
  readonly notifySwitches?: boolean;
  /** OVS/Neutron: port security on the NLB ports (default on) and whether the NLB address pairs are allowed. */
  readonly portSecurity?: boolean;
  readonly addressPairs?: boolean;
  readonly maskSourceMac?: boolean;
}

const HOSTS: Record<DoctorHypervisor, readonly [string, string]> = {
  'hyper-v': ['HV1', 'HV2'],
  vmware: ['ESX1', 'ESX2'],
  ovs: ['compute1', 'compute2'],
};
const SWITCH_SUFFIX: Record<DoctorHypervisor, string> = {
  'hyper-v': 'External',
  vmware: 'vSwitch0',
  ovs: 'br-int',
};
/** The OUI each hypervisor gives VM adapters (Hyper-V 00-15-5D, VMware 00-50-56, OpenStack fa-16-3e). */
const MAC_PREFIX: Record<DoctorHypervisor, number> = {
  'hyper-v': HYPER_V_OUI,
  vmware: VMWARE_OUI,
  ovs: OPENSTACK_OUI,
};

function check(o: NlbDoctorOptions): void {
  const bad = (field: string, message: string): never => {
    throw new MacfleetError('INVALID_ARGUMENT', message, { location: { field } });
  };
  if (!Number.isInteger(o.nodes) || o.nodes < 1 || o.nodes > NLB_MAX_PRIORITY)
    bad('--nodes', `--nodes must be 1..${NLB_MAX_PRIORITY} (NLB host priorities), got ${o.nodes}`);
  const only = (field: string, set: boolean, hv: DoctorHypervisor) => {
    if (set && o.hypervisor !== hv)
      bad(field, `${field} applies to --hypervisor ${hv} only, not ${o.hypervisor}`);
  };
  only('--mac-spoofing', o.macSpoofing !== undefined, 'hyper-v');
  only('--mac-changes', o.macChanges !== undefined, 'vmware');
  only('--forged-transmits', o.forgedTransmits !== undefined, 'vmware');
  only('--vmware-defaults', o.vmwareDefaults !== undefined, 'vmware');
  only('--notify-switches', o.notifySwitches !== undefined, 'vmware');
  only('--port-security', o.portSecurity !== undefined, 'ovs');
  only('--address-pairs', o.addressPairs !== undefined, 'ovs');
  const last = o.vip & 255;
  if (last === 0 || last === 255)
    bad('--vip', `--vip ${formatIpv4(o.vip)} is a network or broadcast address of its /24`);
}

/** The scenario `doctor nlb` replays: deterministic for given options. */
export function buildNlbScenario(o: NlbDoctorOptions): Scenario {
  check(o);
  const hv = o.hypervisor;
  const net = o.vip & 0xffffff00;
  const used = new Set<number>([o.vip & 255]);
  const host = (preferred: number): Ipv4 => {
    let h = preferred;
    while (used.has(h)) h = h === 254 ? 2 : h + 1;
    used.add(h);
    return (net + h) >>> 0;
  };
  const gw = host(1);
  const client = host(50);
  const hostCount = Math.min(2, o.nodes);
  const hosts = HOSTS[hv].slice(0, hostCount);
  const switchName = (h: string) => `${h}-${SWITCH_SUFFIX[hv]}`;
  const vmMac = (a: number, b: number): Mac =>
    macFromNumber(MAC_PREFIX[hv] * 0x100_0000 + 0x01_0000 + a * 256 + b);
  const switches: SwitchSpec[] = hosts.map((h, i) => ({
    name: switchName(h),
    host: h,
    kind: hv,
    uplink: 'lan',
    igmpSnooping: false,
    agingSeconds: 300,
    vmwareDefaults: o.vmwareDefaults ?? 'vsphere7',
    notifySwitches: hv === 'vmware' ? (o.notifySwitches ?? true) : false,
    ...(hv === 'ovs' ? {} : { managementMac: vmMac(0xf0, i + 1) }),
    policy: {},
  }));
  const vip = o.vip;
  const nodes: VmSpec[] = [];
  for (let i = 1; i <= o.nodes; i++) {
    const mac = vmMac(0x0a, i);
    const dip = host(10 + i);
    nodes.push({
      name: `nlb${i}`,
      switch: switchName(hosts[(i - 1) % hostCount]!),
      mac,
      ips: [dip],
      vlan: 0,
      adapter: `nlb${i} Ethernet`,
      policy: nodePolicy(o, mac, dip, i),
      nlb: { cluster: 'cluster', priority: i },
      dhcpServer: false,
    });
  }
  const app: VmSpec = {
    name: 'app1',
    switch: switchName(hosts[0]!),
    mac: vmMac(0x0b, 1),
    ips: [host(30)],
    vlan: 0,
    adapter: 'app1 Ethernet',
    policy: {},
    dhcpServer: false,
  };
  const names = nodes.map((n) => n.name);
  const connects = (at: number, from: string, base: number): StepSpec[] =>
    [0, 1, 2, 3].map((k) => ({ action: 'connect', from, to: vip, port: 80, srcPort: base + k, at: at + k }));
  const steps: StepSpec[] = [
    { action: 'start', vms: [...names, 'app1'], at: 0 },
    { action: 'configure-nlb', vms: names, at: 10 },
    { action: 'arp', from: 'client', target: vip, at: 11 },
    ...connects(12, 'client', 50000),
    { action: 'connect', from: 'gw', to: vip, port: 443, srcPort: 40000, at: 16 },
    { action: 'arp', from: 'client', target: nodes[0]!.ips[0]!, at: 17 },
    { action: 'ping', from: 'client', to: nodes[nodes.length - 1]!.ips[0]!, at: 18 },
    { action: 'restart', vms: names, at: 60 },
    { action: 'ipconfig', vms: names, at: 90 },
    { action: 'arp', from: 'client', target: vip, at: 91 },
    ...connects(92, 'client', 51000),
    { action: 'add-vip', vms: names, at: 120 },
    { action: 'connect', from: 'client', to: vip, port: 80, srcPort: 52000, at: 121 },
    { action: 'wait', seconds: 300, at: 122 },
    ...connects(430, 'client', 53000),
  ];
  const policyText = describeOptions(o);
  return {
    name: `NLB ${o.mode} on ${hv}, ${o.nodes} node(s), ${policyText}`,
    description: `Built by macfleet doctor nlb --hypervisor ${hv} --mode ${o.mode} --vip ${formatIpv4(vip)} --nodes ${o.nodes}`,
    networks: [{ name: 'lan', igmpSnooping: true, agingSeconds: 300 }],
    switches,
    vms: [...nodes, app],
    devices: [
      {
        name: 'gw',
        kind: 'router',
        network: 'lan',
        mac: macFromOctets([0x00, 0x00, 0x0c, 0x07, 0xac, 0x01]),
        ips: [gw],
        vlan: 0,
        staticArp: [],
        dhcpServer: false,
      },
      {
        name: 'client',
        kind: 'host',
        network: 'lan',
        mac: macFromOctets([0x00, 0x1b, 0x21, 0x00, 0x00, 0x50]),
        ips: [client],
        vlan: 0,
        staticArp: [],
        dhcpServer: false,
      },
    ],
    clusters: [{ name: 'cluster', vip, mode: o.mode, maskSourceMac: o.maskSourceMac ?? true }],
    steps,
  };
}

function nodePolicy(o: NlbDoctorOptions, mac: Mac, dip: Ipv4, priority: number): PolicySettings {
  switch (o.hypervisor) {
    case 'hyper-v':
      return o.macSpoofing === undefined ? {} : { macSpoofing: o.macSpoofing };
    case 'vmware':
      return {
        ...(o.macChanges === undefined ? {} : { macChanges: o.macChanges }),
        ...(o.forgedTransmits === undefined ? {} : { forgedTransmits: o.forgedTransmits }),
      };
    case 'ovs': {
      const pairs: AddressPair[] = [];
      if (o.addressPairs === true) {
        const cluster = o.mode === 'unicast' ? [nlbAddresses(o.vip).unicast] : [];
        const maskedMac = nlbMaskedSourceMac(o.vip, priority);
        for (const m of [mac, ...cluster, ...(o.mode === 'unicast' ? [maskedMac] : [])])
          pairs.push({ mac: m, ip: o.vip, prefix: 32 });
        if (o.mode === 'unicast')
          pairs.push({ mac: maskedMac, ip: dip, prefix: 32 }, { mac: cluster[0]!, ip: dip, prefix: 32 });
      }
      return {
        ...(o.portSecurity === undefined ? {} : { portSecurity: o.portSecurity }),
        ...(pairs.length ? { allowedAddressPairs: pairs } : {}),
      };
    }
  }
}

/** The policy options in words (for the scenario name and the report). */
export function describeOptions(o: NlbDoctorOptions): string {
  const acc = (b: boolean) => (b ? 'accept' : 'reject');
  switch (o.hypervisor) {
    case 'hyper-v':
      return `MAC address spoofing ${o.macSpoofing ? 'on' : 'off'}`;
    case 'vmware': {
      const d = o.vmwareDefaults ?? 'vsphere7';
      const mc = o.macChanges ?? d === 'legacy';
      const ft = o.forgedTransmits ?? d === 'legacy';
      return `MAC address changes ${acc(mc)}, forged transmits ${acc(ft)}, notify switches ${o.notifySwitches === false ? 'no' : 'yes'}`;
    }
    case 'ovs':
      return `port security ${o.portSecurity === false ? 'off' : 'on'}${o.addressPairs ? ' with the NLB allowed address pairs' : ''}`;
  }
}

export interface NlbDoctorResult {
  readonly scenario: Scenario;
  readonly world: LabWorld;
  readonly diagnosis: Diagnosis;
}

/** Build, replay and diagnose. */
export function doctorNlb(o: NlbDoctorOptions): NlbDoctorResult {
  const scenario = buildNlbScenario(o);
  const world = new LabWorld(scenario);
  world.runAll();
  return { scenario, world, diagnosis: diagnoseCluster(world, scenario.clusters[0]!) };
}
