/**
 * Scenario files: YAML (via the `yaml` package) to a validated Scenario, with every error naming the
 * file, line, column, field and what was expected. Writing is scenario-yaml-write.ts.
 */
import { isMulticast, NLB_MODES, parseIpv4, parseMac, type Ipv4, type Mac } from '../mac/index.js';
import { SWITCH_KINDS, VMWARE_DEFAULTS, type AddressPair, type SwitchKind } from './port-policy.js';
import {
  DEVICE_KINDS,
  VM_ACTIONS,
  type VmAction,
  type ClusterSpec,
  type DeviceSpec,
  type NetworkSpec,
  type PolicySettings,
  type RawPayloadSpec,
  type Scenario,
  type StepSpec,
  type SwitchSpec,
  type VmSpec,
} from './scenario.js';
import { YamlNode } from './yaml-reader.js';

const TOP = [
  'name',
  'description',
  'networks',
  'switches',
  'clusters',
  'vms',
  'devices',
  'steps',
  'expect',
] as const;
const POLICY_KEYS: Record<Exclude<SwitchKind, 'physical'>, readonly string[]> = {
  'hyper-v': ['macSpoofing', 'dhcpGuard', 'routerGuard'],
  vmware: ['promiscuous', 'macChanges', 'forgedTransmits'],
  ovs: ['portSecurity', 'allowedAddressPairs'],
  libvirt: ['noMacSpoofing'],
};
const ACTIONS = [
  ...VM_ACTIONS,
  'arp',
  'ping',
  'connect',
  'dhcp',
  'send',
  'move',
  'set-mac',
  'set-policy',
  'wait',
] as const;

const mac = (n: YamlNode): Mac => n.convert('a MAC address such as 00-15-5d-01-0a-01', parseMac);
const ip = (n: YamlNode): Ipv4 => n.convert('an IPv4 address such as 192.168.1.10', (s) => parseIpv4(s));
const unicastMac = (n: YamlNode): Mac => {
  const m = mac(n);
  if (isMulticast(m) || m === 0) n.fail('a unicast, non-zero MAC address');
  return m;
};

/**
 * The most VMs one scenario may hold. Every VM that starts announces itself with a broadcast that every
 * other VM receives, so a run costs the square of the VMs (10,000 VMs: about 3 s); a lab models a few
 * clusters and the hosts around them, not a data centre.
 */
export const MAX_LAB_VMS = 10_000;

/** Read and validate a scenario file. Throws PARSE_ERROR with file:line:column on the first problem. */
export function readScenario(text: string, file: string): Scenario {
  const root = YamlNode.parse(text, file);
  const top = root.entries(TOP);
  const need = (k: string): YamlNode => top.get(k) ?? root.fail(`a "${k}" key`);
  const list = (k: string): YamlNode[] => (top.has(k) && !top.get(k)!.isMissing ? top.get(k)!.items() : []);
  const names = new Set<string>();
  const unique = (n: YamlNode): string => {
    const s = n.string('a name');
    if (names.has(s)) n.fail(`a name not used before ("${s}" is taken)`);
    names.add(s);
    return s;
  };

  const networks: NetworkSpec[] = list('networks').map((n) => {
    const e = n.entries(['name', 'igmpSnooping', 'agingSeconds']);
    return {
      name: unique(e.get('name') ?? n.fail('a "name"')),
      igmpSnooping: e.get('igmpSnooping')?.flag() ?? false,
      agingSeconds: e.get('agingSeconds')?.number(1, 1_000_000) ?? 300,
    };
  });
  const networkNames = new Set(networks.map((n) => n.name));

  const switches: SwitchSpec[] = list('switches').map((n) => {
    const e = n.entries([
      'name',
      'host',
      'kind',
      'uplink',
      'igmpSnooping',
      'agingSeconds',
      'vmwareDefaults',
      'notifySwitches',
      'managementMac',
      'policy',
    ]);
    const name = unique(e.get('name') ?? n.fail('a "name"'));
    const kind = (e.get('kind') ?? n.fail('a "kind"')).oneOf(SWITCH_KINDS.filter((k) => k !== 'physical'));
    const uplink = e.get('uplink');
    if (uplink && !networkNames.has(uplink.string()))
      uplink.fail(`the name of a network (${[...networkNames].join(', ') || 'none defined'})`);
    return {
      name,
      host: e.get('host')?.string() ?? name,
      kind,
      ...(uplink ? { uplink: uplink.string() } : {}),
      igmpSnooping: e.get('igmpSnooping')?.flag() ?? false,
      agingSeconds: e.get('agingSeconds')?.number(1, 1_000_000) ?? 300,
      vmwareDefaults: e.get('vmwareDefaults')?.oneOf(VMWARE_DEFAULTS) ?? 'vsphere7',
      notifySwitches: e.get('notifySwitches')?.flag() ?? kind === 'vmware',
      ...(e.has('managementMac') ? { managementMac: unicastMac(e.get('managementMac')!) } : {}),
      policy: e.has('policy') ? readPolicy(e.get('policy')!, kind) : {},
    };
  });
  const switchByName = new Map(switches.map((s) => [s.name, s]));
  const switchRef = (n: YamlNode): SwitchSpec =>
    switchByName.get(n.string()) ??
    n.fail(`the name of a switch (${[...switchByName.keys()].join(', ') || 'none defined'})`);

  const clusters: ClusterSpec[] = list('clusters').map((n) => {
    const e = n.entries(['name', 'vip', 'mode', 'maskSourceMac']);
    return {
      name: unique(e.get('name') ?? n.fail('a "name"')),
      vip: ip(e.get('vip') ?? n.fail('a "vip"')),
      mode: (e.get('mode') ?? n.fail('a "mode"')).oneOf(NLB_MODES),
      maskSourceMac: e.get('maskSourceMac')?.flag() ?? true,
    };
  });
  const clusterNames = new Set(clusters.map((c) => c.name));
  const priorities = new Set<string>();

  const ipsOf = (e: Map<string, YamlNode>): Ipv4[] =>
    [...(e.get('ip')?.itemsOrOne() ?? []), ...(e.get('ips')?.itemsOrOne() ?? [])].map(ip);
  const vmNodes = list('vms');
  if (vmNodes.length > MAX_LAB_VMS)
    top
      .get('vms')!
      .tooLarge(
        `at most ${MAX_LAB_VMS.toLocaleString('en-US')} VMs in one scenario (every VM's broadcasts reach every other, so a run grows with the square of the VMs), got ${vmNodes.length.toLocaleString('en-US')}`,
      );
  const vms: VmSpec[] = vmNodes.map((n) => {
    const e = n.entries([
      'name',
      'switch',
      'mac',
      'ip',
      'ips',
      'vlan',
      'adapter',
      'policy',
      'nlb',
      'dhcpServer',
    ]);
    const name = unique(e.get('name') ?? n.fail('a "name"'));
    const sw = switchRef(e.get('switch') ?? n.fail('a "switch"'));
    let nlb: VmSpec['nlb'];
    if (e.has('nlb')) {
      const ne = e.get('nlb')!.entries(['cluster', 'priority']);
      const c = ne.get('cluster') ?? e.get('nlb')!.fail('a "cluster"');
      if (!clusterNames.has(c.string()))
        c.fail(`the name of a cluster (${[...clusterNames].join(', ') || 'none defined'})`);
      const pn = ne.get('priority') ?? e.get('nlb')!.fail('a "priority"');
      const priority = pn.number(1, 32);
      if (priorities.has(`${c.string()}/${priority}`))
        pn.fail(`a host priority not used by another node of cluster ${c.string()}`);
      priorities.add(`${c.string()}/${priority}`);
      nlb = { cluster: c.string(), priority };
    }
    return {
      name,
      switch: sw.name,
      mac: unicastMac(e.get('mac') ?? n.fail('a "mac"')),
      ips: ipsOf(e),
      vlan: e.get('vlan')?.number(0, 4094) ?? 0,
      adapter: e.get('adapter')?.string() ?? `${name} Ethernet`,
      policy: e.has('policy') ? readPolicy(e.get('policy')!, sw.kind) : {},
      ...(nlb ? { nlb } : {}),
      dhcpServer: e.get('dhcpServer')?.flag() ?? false,
    };
  });

  const devices: DeviceSpec[] = list('devices').map((n) => {
    const e = n.entries(['name', 'kind', 'network', 'mac', 'ip', 'ips', 'vlan', 'staticArp', 'dhcpServer']);
    const name = unique(e.get('name') ?? n.fail('a "name"'));
    const net = e.get('network') ?? n.fail('a "network"');
    if (!networkNames.has(net.string()))
      net.fail(`the name of a network (${[...networkNames].join(', ') || 'none defined'})`);
    return {
      name,
      kind: e.get('kind')?.oneOf(DEVICE_KINDS) ?? 'host',
      network: net.string(),
      mac: unicastMac(e.get('mac') ?? n.fail('a "mac"')),
      ips: ipsOf(e),
      vlan: e.get('vlan')?.number(0, 4094) ?? 0,
      staticArp: (e.get('staticArp')?.items() ?? []).map((a) => {
        const ae = a.entries(['ip', 'mac']);
        return { ip: ip(ae.get('ip') ?? a.fail('an "ip"')), mac: mac(ae.get('mac') ?? a.fail('a "mac"')) };
      }),
      dhcpServer: e.get('dhcpServer')?.flag() ?? false,
    };
  });

  const vmNames = new Set(vms.map((v) => v.name));
  const stations = new Set([...vmNames, ...devices.map((d) => d.name)]);
  const vmRef = (n: YamlNode): string => {
    const s = n.string();
    if (!vmNames.has(s)) n.fail(`the name of a VM (${[...vmNames].join(', ')})`);
    return s;
  };
  const stationRef = (n: YamlNode): string => {
    const s = n.string();
    if (!stations.has(s)) n.fail(`the name of a VM or device (${[...stations].join(', ')})`);
    return s;
  };
  const steps = need('steps')
    .items()
    .map((n) =>
      readStep(n, {
        vmRef,
        stationRef,
        switchRef,
        vmSwitch: (v) => switchByName.get(vms.find((x) => x.name === v)!.switch)!,
        allVms: [...vmNames],
      }),
    );

  let expect: Scenario['expect'];
  if (top.has('expect')) {
    const e = top.get('expect')!.entries(['works', 'symptoms', 'warnings']);
    expect = {
      ...(e.has('works') ? { works: e.get('works')!.flag() } : {}),
      ...(e.has('symptoms')
        ? {
            symptoms: e
              .get('symptoms')!
              .items()
              .map((s) => s.string()),
          }
        : {}),
      ...(e.has('warnings')
        ? {
            warnings: e
              .get('warnings')!
              .items()
              .map((s) => s.string()),
          }
        : {}),
    };
  }
  return {
    name: need('name').string(),
    ...(top.has('description') ? { description: top.get('description')!.string() } : {}),
    networks,
    switches,
    vms,
    devices,
    clusters,
    steps,
    ...(expect ? { expect } : {}),
  };
}

function readPolicy(n: YamlNode, kind: SwitchKind): PolicySettings {
  if (kind === 'physical') n.fail('no policy on a physical switch');
  const keys = POLICY_KEYS[kind];
  const e = n.entries(keys);
  const out: Record<string, unknown> = {};
  for (const [k, v] of e) {
    if (k === 'allowedAddressPairs') {
      out[k] = v.items().map((p): AddressPair => {
        const pe = p.entries(['mac', 'ip']);
        const ipNode = pe.get('ip') ?? p.fail('an "ip" (address or CIDR)');
        const [addr, len] = ipNode.string().split('/');
        const prefix = len === undefined ? 32 : Number(len);
        if (!Number.isInteger(prefix) || prefix < 0 || prefix > 32)
          ipNode.fail('an IPv4 address or CIDR such as 192.168.1.100/32');
        return {
          mac: mac(pe.get('mac') ?? p.fail('a "mac"')),
          ip: ipNode.convert('an IPv4 address or CIDR', () => parseIpv4(addr ?? '')),
          prefix,
        };
      });
    } else out[k] = v.flag();
  }
  return out;
}

interface Refs {
  vmRef(n: YamlNode): string;
  stationRef(n: YamlNode): string;
  switchRef(n: YamlNode): SwitchSpec;
  vmSwitch(vm: string): SwitchSpec;
  allVms: readonly string[];
}

const isVmAction = (a: string): a is VmAction => (VM_ACTIONS as readonly string[]).includes(a);

function readStep(n: YamlNode, r: Refs): StepSpec {
  const e = n.entries([...ACTIONS, 'at']);
  const actions = [...e.keys()].filter((k) => k !== 'at');
  if (actions.length !== 1) n.fail(`exactly one action (${ACTIONS.join(', ')}) per step`);
  const action = actions[0] as (typeof ACTIONS)[number];
  const v = e.get(action)!;
  const base = { ...(e.has('at') ? { at: e.get('at')!.number(0, 1e9, false) } : {}), line: n.line };
  const sub = (keys: readonly string[]) => v.entries(keys);
  if (isVmAction(action)) {
    const vms = v.scalarValue === 'all' ? [...r.allVms] : v.itemsOrOne().map((x) => r.vmRef(x));
    return { action, vms, ...base };
  }
  switch (action) {
    case 'arp': {
      const s = sub(['from', 'target']);
      return {
        action,
        from: r.stationRef(s.get('from') ?? v.fail('a "from"')),
        target: ip(s.get('target') ?? v.fail('a "target"')),
        ...base,
      };
    }
    case 'ping': {
      const s = sub(['from', 'to']);
      return {
        action,
        from: r.stationRef(s.get('from') ?? v.fail('a "from"')),
        to: ip(s.get('to') ?? v.fail('a "to"')),
        ...base,
      };
    }
    case 'connect': {
      const s = sub(['from', 'to', 'port', 'srcPort']);
      return {
        action,
        from: r.stationRef(s.get('from') ?? v.fail('a "from"')),
        to: ip(s.get('to') ?? v.fail('a "to"')),
        port: s.get('port')?.number(1, 65535) ?? 80,
        ...(s.has('srcPort') ? { srcPort: s.get('srcPort')!.number(1, 65535) } : {}),
        ...base,
      };
    }
    case 'dhcp':
      return {
        action,
        from: r.stationRef((v.isMissing ? undefined : sub(['from']).get('from')) ?? v.fail('a "from"')),
        ...base,
      };
    case 'send': {
      const s = sub(['from', 'src', 'dst', 'payload', 'count']);
      return {
        action,
        from: r.stationRef(s.get('from') ?? v.fail('a "from"')),
        ...(s.has('src') ? { src: mac(s.get('src')!) } : {}),
        dst: s.has('dst') ? mac(s.get('dst')!) : v.fail('a "dst" MAC'),
        payload: readPayload(s.get('payload')),
        count: s.get('count')?.number(1, 100_000) ?? 1,
        ...base,
      };
    }
    case 'move': {
      const s = sub(['vm', 'to']);
      const vm = r.vmRef(s.get('vm') ?? v.fail('a "vm"'));
      const to = r.switchRef(s.get('to') ?? v.fail('a "to" switch'));
      if (to.kind !== r.vmSwitch(vm).kind)
        s.get('to')!.fail(`a ${r.vmSwitch(vm).kind} switch (VMs move between switches of one hypervisor)`);
      return { action, vm, to: to.name, ...base };
    }
    case 'set-mac': {
      const s = sub(['vm', 'mac']);
      return {
        action,
        vm: r.vmRef(s.get('vm') ?? v.fail('a "vm"')),
        mac: unicastMac(s.get('mac') ?? v.fail('a "mac"')),
        ...base,
      };
    }
    case 'set-policy': {
      const s = sub(['vm', 'policy']);
      const vm = r.vmRef(s.get('vm') ?? v.fail('a "vm"'));
      return {
        action,
        vm,
        policy: readPolicy(s.get('policy') ?? v.fail('a "policy"'), r.vmSwitch(vm).kind),
        ...base,
      };
    }
    case 'wait':
      return { action, seconds: v.number(1, 1e9), ...base };
  }
}

function readPayload(n: YamlNode | undefined): RawPayloadSpec {
  if (!n || n.isMissing) return { kind: 'opaque', label: 'data' };
  if (typeof n.scalarValue === 'string') {
    const kind = n.oneOf([
      'opaque',
      'dhcp-offer',
      'router-advertisement',
      'icmpv6-router-advertisement',
    ] as const);
    return kind === 'opaque' ? { kind, label: 'data' } : { kind };
  }
  const e = n.entries(['opaque', 'garp']);
  if (e.has('opaque')) return { kind: 'opaque', label: e.get('opaque')!.string() };
  const g = (e.get('garp') ?? n.fail('opaque: <label> or garp: {ip, mac}')).entries(['ip', 'mac']);
  return {
    kind: 'garp',
    ip: ip(g.get('ip') ?? n.fail('an "ip"')),
    mac: mac(g.get('mac') ?? n.fail('a "mac"')),
  };
}
