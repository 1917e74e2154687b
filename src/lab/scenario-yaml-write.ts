/** A Scenario back to YAML that `readScenario` reads to the same scenario (`doctor nlb --scenario`, examples). */
import { Document, isMap, isScalar, isSeq, visit } from 'yaml';
import { formatIpv4, formatMac, type Mac } from '../mac/index.js';
import type { AddressPair } from './port-policy.js';
import { isVmStep, type PolicySettings, type Scenario, type StepSpec } from './scenario.js';

const m = (x: Mac): string => formatMac(x, 'hyphen').toLowerCase();

/** A scenario as YAML that `readScenario` reads back to the same scenario. */
function policy(p: PolicySettings): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(p)) {
    if (k === 'allowedAddressPairs')
      out[k] = (v as AddressPair[]).map((a) => ({ mac: m(a.mac), ip: `${formatIpv4(a.ip)}/${a.prefix}` }));
    else if (['macChanges', 'forgedTransmits', 'promiscuous'].includes(k)) out[k] = v ? 'accept' : 'reject';
    else out[k] = v ? 'on' : 'off';
  }
  return out;
}

export function scenarioToYaml(s: Scenario): string {
  const doc = {
    name: s.name,
    ...(s.description !== undefined ? { description: s.description } : {}),
    networks: s.networks,
    switches: s.switches.map((w) => ({
      name: w.name,
      host: w.host,
      kind: w.kind,
      ...(w.uplink !== undefined ? { uplink: w.uplink } : {}),
      igmpSnooping: w.igmpSnooping,
      agingSeconds: w.agingSeconds,
      ...(w.kind === 'vmware' ? { vmwareDefaults: w.vmwareDefaults, notifySwitches: w.notifySwitches } : {}),
      ...(w.managementMac !== undefined ? { managementMac: m(w.managementMac) } : {}),
      ...(Object.keys(w.policy).length ? { policy: policy(w.policy) } : {}),
    })),
    clusters: s.clusters.map((c) => ({
      name: c.name,
      vip: formatIpv4(c.vip),
      mode: c.mode,
      maskSourceMac: c.maskSourceMac,
    })),
    vms: s.vms.map((v) => ({
      name: v.name,
      switch: v.switch,
      mac: m(v.mac),
      ips: v.ips.map(formatIpv4),
      ...(v.vlan ? { vlan: v.vlan } : {}),
      adapter: v.adapter,
      ...(Object.keys(v.policy).length ? { policy: policy(v.policy) } : {}),
      ...(v.nlb ? { nlb: v.nlb } : {}),
      ...(v.dhcpServer ? { dhcpServer: true } : {}),
    })),
    devices: s.devices.map((d) => ({
      name: d.name,
      kind: d.kind,
      network: d.network,
      mac: m(d.mac),
      ips: d.ips.map(formatIpv4),
      ...(d.vlan ? { vlan: d.vlan } : {}),
      ...(d.staticArp.length
        ? { staticArp: d.staticArp.map((a) => ({ ip: formatIpv4(a.ip), mac: m(a.mac) })) }
        : {}),
      ...(d.dhcpServer ? { dhcpServer: true } : {}),
    })),
    steps: s.steps.map(stepToYaml),
    ...(s.expect ? { expect: s.expect } : {}),
  };
  const out = new Document(doc, { aliasDuplicateObjects: false });
  // Lists of names and small mappings of plain values read best on one line.
  visit(out, {
    Seq(_, n) {
      if (n.items.every((i) => isScalar(i))) n.flow = true;
    },
    Map(_, n) {
      if (n.items.length <= 5 && n.items.every((p) => isScalar(p.value))) n.flow = true;
    },
  });
  const steps = out.get('steps');
  if (isSeq(steps)) for (const st of steps.items) if (isMap(st)) st.flow = false;
  return out.toString({ lineWidth: 120, flowCollectionPadding: true });
}

function stepToYaml(st: StepSpec): Record<string, unknown> {
  const at = st.at !== undefined ? { at: st.at } : {};
  if (isVmStep(st)) return { [st.action]: st.vms, ...at };
  switch (st.action) {
    case 'arp':
      return { arp: { from: st.from, target: formatIpv4(st.target) }, ...at };
    case 'ping':
      return { ping: { from: st.from, to: formatIpv4(st.to) }, ...at };
    case 'connect':
      return {
        connect: {
          from: st.from,
          to: formatIpv4(st.to),
          port: st.port,
          ...(st.srcPort !== undefined ? { srcPort: st.srcPort } : {}),
        },
        ...at,
      };
    case 'dhcp':
      return { dhcp: { from: st.from }, ...at };
    case 'send': {
      const p = st.payload;
      const payload =
        p.kind === 'opaque'
          ? { opaque: p.label }
          : p.kind === 'garp'
            ? { garp: { ip: formatIpv4(p.ip), mac: m(p.mac) } }
            : p.kind;
      return {
        send: {
          from: st.from,
          ...(st.src !== undefined ? { src: m(st.src) } : {}),
          dst: m(st.dst),
          payload,
          count: st.count,
        },
        ...at,
      };
    }
    case 'move':
      return { move: { vm: st.vm, to: st.to }, ...at };
    case 'set-mac':
      return { 'set-mac': { vm: st.vm, mac: m(st.mac) }, ...at };
    case 'set-policy':
      return { 'set-policy': { vm: st.vm, policy: policy(st.policy) }, ...at };
    case 'wait':
      return { wait: st.seconds, ...at };
  }
}
