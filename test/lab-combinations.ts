/**
 * Every combination of the `doctor nlb` options the examples in examples/lab/ cover, with the verdict and
 * symptom codes each must produce (written by hand from the vendors' documented behaviour, not copied
 * from a run).
 */
import type { NlbDoctorOptions } from '../src/lab/index.js';

export interface Combination {
  readonly file: string;
  readonly title: string;
  readonly args: string;
  readonly options: Omit<NlbDoctorOptions, 'vip' | 'nodes'>;
  readonly works: boolean;
  readonly symptoms: readonly string[];
  readonly warnings: readonly string[];
}

const MODES = ['unicast', 'multicast', 'igmp'] as const;
const onOff = (b: boolean) => (b ? 'on' : 'off');
const acc = (b: boolean) => (b ? 'accept' : 'reject');

function expected(
  o: Omit<NlbDoctorOptions, 'vip' | 'nodes'>,
): Pick<Combination, 'works' | 'symptoms' | 'warnings'> {
  const multicastWarnings = ['multicast-flooding', 'router-needs-static-arp'];
  if (o.hypervisor === 'hyper-v') {
    if (o.mode !== 'unicast') return { works: true, symptoms: [], warnings: multicastWarnings };
    return o.macSpoofing
      ? { works: true, symptoms: [], warnings: ['unicast-flooding'] }
      : {
          works: false,
          symptoms: [
            'connectivity-lost',
            'event-53',
            'vip-not-on-adapter',
            'mac-not-changed',
            'vip-conflict',
            'vip-unreachable',
          ],
          warnings: [],
        };
  }
  if (o.hypervisor === 'vmware') {
    if (o.mode !== 'unicast') return { works: true, symptoms: [], warnings: multicastWarnings };
    if (o.macChanges && o.forgedTransmits)
      return { works: true, symptoms: [], warnings: ['unicast-flooding', 'rarp-pins-cluster-mac'] };
    const broken = ['connectivity-lost', 'vip-unreachable', 'no-convergence'];
    if (!o.macChanges)
      return { works: false, symptoms: broken, warnings: o.forgedTransmits ? ['unicast-flooding'] : [] };
    return { works: false, symptoms: broken, warnings: ['rarp-pins-cluster-mac'] };
  }
  const open = o.portSecurity === false || o.addressPairs === true;
  if (o.mode === 'unicast') {
    return open
      ? { works: true, symptoms: [], warnings: ['unicast-flooding'] }
      : { works: false, symptoms: ['connectivity-lost', 'vip-unreachable', 'no-convergence'], warnings: [] };
  }
  return open
    ? { works: true, symptoms: [], warnings: multicastWarnings }
    : { works: false, symptoms: ['connectivity-lost', 'vip-unreachable'], warnings: ['multicast-flooding'] };
}

function build(): Combination[] {
  const out: Combination[] = [];
  const add = (file: string, title: string, args: string, options: Combination['options']) =>
    out.push({ file, title, args, options, ...expected(options) });
  for (const mode of MODES) {
    for (const s of [false, true]) {
      add(
        `nlb-hyper-v-${mode}-spoofing-${onOff(s)}.yaml`,
        `Hyper-V, NLB ${mode}, MAC address spoofing ${onOff(s)}`,
        `--hypervisor hyper-v --mode ${mode} --mac-spoofing ${onOff(s)}`,
        { hypervisor: 'hyper-v', mode, macSpoofing: s },
      );
    }
    for (const mc of [false, true]) {
      for (const ft of [false, true]) {
        add(
          `nlb-vmware-${mode}-mac-changes-${acc(mc)}-forged-${acc(ft)}.yaml`,
          `VMware, NLB ${mode}, MAC address changes ${acc(mc)}, forged transmits ${acc(ft)}`,
          `--hypervisor vmware --mode ${mode} --mac-changes ${acc(mc)} --forged-transmits ${acc(ft)}`,
          { hypervisor: 'vmware', mode, macChanges: mc, forgedTransmits: ft },
        );
      }
    }
    add(
      `nlb-ovs-${mode}-port-security-off.yaml`,
      `OVS/Neutron, NLB ${mode}, port security off`,
      `--hypervisor ovs --mode ${mode} --port-security off`,
      { hypervisor: 'ovs', mode, portSecurity: false },
    );
    add(
      `nlb-ovs-${mode}-port-security-on.yaml`,
      `OVS/Neutron, NLB ${mode}, port security on, no allowed address pairs`,
      `--hypervisor ovs --mode ${mode} --port-security on`,
      { hypervisor: 'ovs', mode, portSecurity: true },
    );
    add(
      `nlb-ovs-${mode}-port-security-on-address-pairs.yaml`,
      `OVS/Neutron, NLB ${mode}, port security on with the NLB allowed address pairs`,
      `--hypervisor ovs --mode ${mode} --port-security on --address-pairs`,
      { hypervisor: 'ovs', mode, portSecurity: true, addressPairs: true },
    );
  }
  return out;
}

export const DOCTOR_COMBINATIONS: readonly Combination[] = build();
