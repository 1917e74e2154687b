/**
 * Duplicate MACs in the inventory, by scope, in the shape of `macfleet scan --json` findings. The scope,
 * the NLB exemption and the message come from the audit's one scope rule (src/audit/duplicate-scope.ts),
 * so `findings` after `import` says what `scan` said. A finding stays until the duplicate is gone.
 */
import {
  DUPLICATE_SCOPES,
  duplicateGroups,
  type DuplicateScope,
  type ScopeMember,
  type Severity,
} from '../audit/index.js';
import { isNlbCandidate, nlbRuleFindings, type NlbAdapter } from '../audit/pool-findings.js';
import { isUserModeNetwork } from '../formats/libvirt-xml/user-network.js';
import { formatMac, type Mac } from '../mac/index.js';
import { NOT_CONNECTED } from './import-scan.js';
import type { Host, VirtualNetwork, Vm } from './model.js';

export { DUPLICATE_SCOPES, type DuplicateScope };

export interface FindingMember {
  readonly host: string;
  readonly vm: string;
  readonly adapter: number;
  readonly network: string;
  readonly segment: string;
  readonly mode: string;
  readonly state: string;
}

export interface FleetFinding {
  readonly kind: 'duplicate';
  readonly scope: DuplicateScope;
  readonly severity: 'error' | 'warning';
  readonly mac: string;
  readonly message: string;
  readonly members: readonly FindingMember[];
  readonly fix: string;
}

/** An NLB problem of the inventory (the audit's NLB rules over the inventory's adapters and guards). */
export interface FleetNlbFinding {
  readonly kind: 'nlb';
  readonly scope?: undefined;
  readonly severity: Severity;
  readonly mac: string;
  readonly message: string;
  readonly members: readonly FindingMember[];
  readonly fix: string;
}

/** Every finding about the inventory: duplicates by scope, then NLB problems. */
export type InventoryFinding = FleetFinding | FleetNlbFinding;

interface Holder extends ScopeMember {
  readonly member: FindingMember;
}

const FIX =
  'switch all but one to dynamic (macfleet adapter set <vm> <index> --dynamic), ideally on a host ' +
  'allocating from a pool (--allocation pool:<name>)';

const rank = (f: FleetFinding): number => DUPLICATE_SCOPES.indexOf(f.scope);
/** Duplicates worst scope first, then by MAC. */
const worstFirst = (a: FleetFinding, b: FleetFinding): number =>
  rank(a) - rank(b) || (a.mac < b.mac ? -1 : a.mac > b.mac ? 1 : 0);

/**
 * `prev` (findings of `fleetFindings`) with the duplicates about `macs` replaced by `fresh` — the
 * findings of `fleetFindings` over every holder of those MACs, none of them an NLB MAC — in the order
 * `fleetFindings` gives: how a change to a few adapters updates the findings without a pass over all.
 */
export function replaceDuplicatesOf(
  prev: readonly InventoryFinding[],
  macs: ReadonlySet<string>,
  fresh: readonly InventoryFinding[],
): InventoryFinding[] {
  const duplicates = [
    ...prev.filter((f): f is FleetFinding => f.kind === 'duplicate' && !macs.has(f.mac)),
    ...fresh.filter((f): f is FleetFinding => f.kind === 'duplicate'),
  ].sort(worstFirst);
  return [...duplicates, ...prev.filter((f) => f.kind === 'nlb')];
}

/**
 * Every duplicate MAC of the inventory, worst scope first, then by MAC. `hosts` tell each host's
 * hypervisor to the scope rule (without them it is not known).
 */
export function duplicateFindings(
  vms: readonly Vm[],
  networks: readonly VirtualNetwork[],
  hosts: readonly Host[] = [],
): FleetFinding[] {
  return holderFindings(vms, networks, hosts).duplicates;
}

/**
 * Everything the inventory's adapters tell, in one pass: its duplicates (as `duplicateFindings`), then
 * its NLB problems — a unicast cluster MAC on Hyper-V adapters with MAC address spoofing off, or on
 * VMware port groups that reject forged transmits; the cluster itself (a note); a masked source MAC
 * held as an adapter's own. The NLB rules are the audit's, so a scan and the inventory say the same.
 * Passing only the adapters that hold a duplicated or an NLB MAC gives the same findings.
 */
export function fleetFindings(
  vms: readonly Vm[],
  networks: readonly VirtualNetwork[],
  hosts: readonly Host[] = [],
): InventoryFinding[] {
  const { duplicates, nlb } = holderFindings(vms, networks, hosts);
  return [...duplicates, ...nlb];
}

function holderFindings(
  vms: readonly Vm[],
  networks: readonly VirtualNetwork[],
  hosts: readonly Host[],
): { duplicates: FleetFinding[]; nlb: FleetNlbFinding[] } {
  const segment = new Map(networks.map((n) => [`${n.host}\u0000${n.name}`, n.segment]));
  const hypervisor = new Map(hosts.map((h) => [h.name, h.hypervisor as string]));
  const byMac = new Map<Mac, Holder[]>();
  const nlb: (NlbAdapter & { member: FindingMember })[] = [];
  for (const vm of vms) {
    const hv = hypervisor.get(vm.host) ?? 'unknown';
    for (const a of vm.adapters) {
      if (a.mac === null) continue;
      const member: FindingMember = {
        host: vm.host,
        vm: vm.name,
        adapter: a.index,
        network: a.network,
        segment: segment.get(`${vm.host}\u0000${a.network}`) ?? a.network,
        mode: a.mode,
        state: vm.state,
      };
      const notConnected = a.network === NOT_CONNECTED;
      const holder: Holder = {
        host: vm.host,
        vm: vm.name,
        network: notConnected ? null : a.network,
        // Adapters attached to nothing, and user-mode NAT adapters, share a segment with no one.
        segment: notConnected || isUserModeNetwork(a.network) ? null : member.segment,
        hypervisor: hv,
        member,
      };
      if (isNlbCandidate({ mac: a.mac }))
        nlb.push({
          mac: a.mac,
          member,
          // The guards the inventory knows, on the hypervisors that have them.
          macSpoofing: hv === 'hyper-v' ? a.spoofing : undefined,
          forgedTransmits: a.vmware?.forgedTransmits,
        });
      const list = byMac.get(a.mac);
      if (list === undefined) byMac.set(a.mac, [holder]);
      else list.push(holder);
    }
  }
  const findings: FleetFinding[] = [];
  for (const [mac, holders] of byMac) {
    for (const g of duplicateGroups(mac, holders)) {
      findings.push({
        kind: 'duplicate',
        scope: g.scope,
        severity: g.scope === 'latent' ? 'warning' : 'error',
        mac: formatMac(mac),
        message: g.message,
        members: g.members.map((h) => h.member),
        fix: FIX,
      });
    }
  }
  return {
    duplicates: findings.sort(worstFirst),
    nlb: nlbRuleFindings(nlb, (a) => a.member).map((f) => ({
      kind: 'nlb',
      severity: f.severity,
      mac: f.mac ?? '',
      message: f.message,
      members: f.members,
      fix: f.fix,
    })),
  };
}
