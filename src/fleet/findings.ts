/**
 * Duplicate MACs in the inventory, by scope, in the shape of `macfleet scan --json` findings. The scope,
 * the NLB exemption and the message come from the audit's one scope rule (src/audit/duplicate-scope.ts),
 * so `findings` after `import` says what `scan` said. A finding stays until the duplicate is gone.
 */
import { DUPLICATE_SCOPES, duplicateGroups, type DuplicateScope, type ScopeMember } from '../audit/index.js';
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

interface Holder extends ScopeMember {
  readonly member: FindingMember;
}

const FIX =
  'switch all but one to dynamic (macfleet adapter set <vm> <index> --dynamic), ideally on a host ' +
  'allocating from a pool (--allocation pool:<name>)';

/**
 * Every duplicate MAC of the inventory, worst scope first, then by MAC. `hosts` tell each host's
 * hypervisor to the scope rule (without them it is not known).
 */
export function duplicateFindings(
  vms: readonly Vm[],
  networks: readonly VirtualNetwork[],
  hosts: readonly Host[] = [],
): FleetFinding[] {
  const segment = new Map(networks.map((n) => [`${n.host}\u0000${n.name}`, n.segment]));
  const hypervisor = new Map(hosts.map((h) => [h.name, h.hypervisor as string]));
  const byMac = new Map<Mac, Holder[]>();
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
  const rank = (f: FleetFinding): number => DUPLICATE_SCOPES.indexOf(f.scope);
  return findings.sort((a, b) => rank(a) - rank(b) || (a.mac < b.mac ? -1 : a.mac > b.mac ? 1 : 0));
}
