/**
 * `doctor spoofing`: for an inventory of VMs on virtual switches, which adapters may send with another
 * station's MAC, and whom on the same switch (or, through the uplink, on the same physical network) they
 * could impersonate, with what effect:
 *  - redirect: a learning switch moves the victim's MAC to the attacker's port, so the victim's inbound
 *    traffic goes to the attacker (disclosure) and the victim loses it (denial of service);
 *  - impersonate: the attacker's frames pass with the victim's MAC (ARP/DHCP spoofing, forged sources) but
 *    the switch keeps delivering the victim's traffic to the victim (Hyper-V pins the MAC of an adapter
 *    with spoofing off to its port; a VMware vSwitch does not learn, it knows its vNICs);
 *  - sniff: VMware promiscuous mode accepted, the attacker sees every frame of its VLAN.
 * The inventory is a scenario's switches and VMs for now (the fleet inventory lives in the store).
 */
import { formatMac, type Mac } from '../mac/index.js';
import { allowsSpoofing, describePolicy, type PortPolicy } from './port-policy.js';
import { resolvePolicy } from './resolve-policy.js';
import type { Scenario, SwitchSpec, VmSpec } from './scenario.js';

export const EXPOSURE_EFFECTS = ['redirect', 'impersonate', 'sniff'] as const;
export type ExposureEffect = (typeof EXPOSURE_EFFECTS)[number];

export interface AdapterReport {
  readonly vm: string;
  readonly switch: string;
  readonly host: string;
  readonly kind: string;
  readonly mac: string;
  readonly vlan: number;
  readonly policy: string;
  readonly allowsSpoofing: boolean;
}

export interface Exposure {
  readonly attacker: string;
  readonly victim: string;
  readonly victimMac: string;
  readonly where: string;
  readonly effect: ExposureEffect;
  readonly why: string;
}

export interface SpoofingReport {
  readonly adapters: readonly AdapterReport[];
  readonly exposures: readonly Exposure[];
}

interface Placed {
  readonly vm: VmSpec;
  readonly sw: SwitchSpec;
  readonly policy: PortPolicy;
}

/** Whether the switch a victim sits on would move the victim's MAC to another port on seeing it there. */
function victimRelearnable(v: Placed): { yes: boolean; why: string } {
  const p = v.policy;
  if (v.sw.kind === 'vmware')
    return { yes: false, why: 'a VMware vSwitch does not learn MACs from frames; it knows its vNICs' };
  if (p.vendor === 'hyper-v' && !p.macSpoofing)
    return { yes: false, why: `${v.vm.name} has MAC address spoofing off, so its MAC is pinned to its port` };
  return {
    yes: true,
    why: `the ${v.sw.kind} switch learns source MACs and ${v.vm.name}'s MAC is not pinned`,
  };
}

export function spoofingReport(s: Scenario): SpoofingReport {
  const switches = new Map(s.switches.map((w) => [w.name, w]));
  const placed: Placed[] = s.vms.map((vm) => {
    const sw = switches.get(vm.switch)!;
    return { vm, sw, policy: resolvePolicy(sw, vm.policy) };
  });
  const hy = (m: Mac) => formatMac(m, 'hyphen');
  const adapters: AdapterReport[] = placed.map((p) => ({
    vm: p.vm.name,
    switch: p.sw.name,
    host: p.sw.host,
    kind: p.sw.kind,
    mac: hy(p.vm.mac),
    vlan: p.vm.vlan,
    policy: describePolicy(p.policy),
    allowsSpoofing: allowsSpoofing(p.policy),
  }));
  const exposures: Exposure[] = [];
  for (const a of placed) {
    const promiscuous = a.policy.vendor === 'vmware' && a.policy.promiscuous;
    if (!allowsSpoofing(a.policy) && !promiscuous) continue;
    for (const v of placed) {
      if (v === a || v.vm.vlan !== a.vm.vlan) continue;
      const sameSwitch = v.sw.name === a.sw.name;
      const sameNetwork = !sameSwitch && a.sw.uplink !== undefined && a.sw.uplink === v.sw.uplink;
      if (!sameSwitch && !sameNetwork) continue;
      const where = sameSwitch
        ? `same switch ${a.sw.name}`
        : `via physical network ${a.sw.uplink!} (${v.sw.name})`;
      if (promiscuous && sameSwitch) {
        exposures.push({
          attacker: a.vm.name,
          victim: v.vm.name,
          victimMac: hy(v.vm.mac),
          where,
          effect: 'sniff',
          why: `promiscuous mode accepted on ${a.vm.name}: it receives every frame of VLAN ${a.vm.vlan}`,
        });
      }
      if (!allowsSpoofing(a.policy)) continue;
      // Across the uplink it is the physical switch that relearns the MAC on the attacker host's port.
      const relearn = sameSwitch
        ? victimRelearnable(v)
        : { yes: true, why: `the physical switch learns ${v.vm.name}'s MAC on ${a.sw.host}'s port` };
      exposures.push({
        attacker: a.vm.name,
        victim: v.vm.name,
        victimMac: hy(v.vm.mac),
        where,
        effect: relearn.yes ? 'redirect' : 'impersonate',
        why: `${a.vm.name} may send with any source MAC (${describePolicy(a.policy)}); ${relearn.why}`,
      });
    }
  }
  return { adapters, exposures };
}
