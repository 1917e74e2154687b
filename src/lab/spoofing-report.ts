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

/** The exposures of one attacker with one effect on one switch or physical network, counted. */
export interface ExposureGroup {
  readonly attacker: string;
  readonly effect: ExposureEffect;
  /** `same switch <name>` or `via physical network <uplink>`. */
  readonly where: string;
  readonly victims: number;
  /** The first few victims, by name. */
  readonly examples: readonly string[];
}

export interface SpoofingReport {
  readonly adapters: readonly AdapterReport[];
  /** The attacker/victim pairs, the first `limit` of them (all of them when `exposureCount` <= limit). */
  readonly exposures: readonly Exposure[];
  /** How many pairs there are in all: quadratic in the VMs of a switch, so they are counted, not listed. */
  readonly exposureCount: number;
  /** One entry per attacker, effect and switch or physical network: as many as the adapters, at most x 6. */
  readonly groups: readonly ExposureGroup[];
}

/** Pairs listed in full by default; beyond, `groups` tells the rest (1,000 spoofing VMs make 1M pairs). */
export const EXPOSURE_LIST_LIMIT = 1000;
const GROUP_EXAMPLES = 3;

type Counted = { -readonly [K in keyof ExposureGroup]: ExposureGroup[K] } & { examples: string[] };

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

/** Why a pair is exposed: promiscuous mode, the physical switch relearning, or the victim's own switch. */
type Why = 'promiscuous' | 'uplink' | { yes: boolean; why: string };

function whyText(a: Placed, v: Placed, why: Why): string {
  if (why === 'promiscuous')
    return `promiscuous mode accepted on ${a.vm.name}: it receives every frame of VLAN ${a.vm.vlan}`;
  // Across the uplink it is the physical switch that relearns the MAC on the attacker host's port.
  const relearn =
    why === 'uplink' ? `the physical switch learns ${v.vm.name}'s MAC on ${a.sw.host}'s port` : why.why;
  return `${a.vm.name} may send with any source MAC (${describePolicy(a.policy)}); ${relearn}`;
}

export function spoofingReport(s: Scenario, options: { limit?: number } = {}): SpoofingReport {
  const limit = options.limit ?? EXPOSURE_LIST_LIMIT;
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
  let exposureCount = 0;
  const groups: Counted[] = [];
  // Pairs grow with the square of the VMs on a switch: each is counted into its group (one per attacker,
  // effect and place), and only the first `limit` are built, with their texts.
  // The attacker's groups, by effect and place (no key string or closure per pair: they are many).
  let slots: (Counted | undefined)[] = [];
  const add = (a: Placed, v: Placed, sameSwitch: boolean, effect: ExposureEffect, why: Why) => {
    exposureCount++;
    const slot = EXPOSURE_EFFECTS.indexOf(effect) * 2 + (sameSwitch ? 0 : 1);
    let g = slots[slot];
    if (g === undefined) {
      const where = sameSwitch ? `same switch ${a.sw.name}` : `via physical network ${a.sw.uplink!}`;
      g = { attacker: a.vm.name, effect, where, victims: 0, examples: [] };
      slots[slot] = g;
      groups.push(g);
    }
    g.victims++;
    if (g.examples.length < GROUP_EXAMPLES) g.examples.push(v.vm.name);
    if (exposures.length >= limit) return;
    exposures.push({
      attacker: a.vm.name,
      victim: v.vm.name,
      victimMac: hy(v.vm.mac),
      where: sameSwitch ? g.where : `${g.where} (${v.sw.name})`,
      effect,
      why: whyText(a, v, why),
    });
  };
  const relearnable = new Map(placed.map((v) => [v, victimRelearnable(v)]));
  for (const a of placed) {
    slots = [];
    const promiscuous = a.policy.vendor === 'vmware' && a.policy.promiscuous;
    const spoofs = allowsSpoofing(a.policy);
    if (!spoofs && !promiscuous) continue;
    for (const v of placed) {
      if (v === a || v.vm.vlan !== a.vm.vlan) continue;
      const sameSwitch = v.sw.name === a.sw.name;
      const sameNetwork = !sameSwitch && a.sw.uplink !== undefined && a.sw.uplink === v.sw.uplink;
      if (!sameSwitch && !sameNetwork) continue;
      if (promiscuous && sameSwitch) {
        add(a, v, true, 'sniff', 'promiscuous');
      }
      if (!spoofs) continue;
      const relearn = sameSwitch ? relearnable.get(v)! : undefined;
      add(
        a,
        v,
        sameSwitch,
        relearn === undefined || relearn.yes ? 'redirect' : 'impersonate',
        relearn ?? 'uplink',
      );
    }
  }
  return { adapters, exposures, exposureCount, groups };
}
