/**
 * Duplicate MACs in the inventory, by scope, in the shape of `macfleet scan --json` findings:
 * `blocking` (same host and virtual network: the second VM will not start), `conflicting` (same L2
 * segment on different hosts: switch tables flap, DHCP and ARP break), `latent` (different segments:
 * it fires when a VM moves). A finding stays until the duplicate is gone.
 */
import { classifyMac, formatMac, type Mac } from '../mac/index.js';
import { profileOf, sameHostDuplicateBlocks } from '../schemes/index.js';
import type { Host, HypervisorKind, VirtualNetwork, Vm } from './model.js';

const SHARED_BY_DESIGN: ReadonlySet<string> = new Set(['nlb-unicast', 'nlb-multicast', 'nlb-igmp']);

export const DUPLICATE_SCOPES = ['blocking', 'conflicting', 'latent'] as const;
export type DuplicateScope = (typeof DUPLICATE_SCOPES)[number];

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

const MESSAGES: Record<DuplicateScope, string> = {
  blocking: 'same host and virtual network: only one of these VMs can run at a time',
  conflicting: 'same L2 segment on different hosts: switch tables flap, DHCP and ARP break',
  latent: 'different segments: harmless until one of these VMs moves',
};

// [issue 11 / fidelity] Same host and network is `blocking` only where the host's hypervisor refuses the
// second start or cuts its port (the lifecycle profile); elsewhere both run on one segment: `conflicting`.
// SEAM: core's single scope function (issue 10) should take `sameHostDuplicateBlocks` from here.
function scopeOf(
  a: FindingMember,
  b: FindingMember,
  kind: (host: string) => HypervisorKind | undefined,
): DuplicateScope {
  if (a.host === b.host && a.network === b.network) {
    const k = kind(a.host);
    if (k === undefined || sameHostDuplicateBlocks(k)) return 'blocking';
    return 'conflicting';
  }
  return a.segment === b.segment ? 'conflicting' : 'latent';
}

/** What the hypervisors of the same-host pairs of a non-blocking finding do with them (issue 11). */
function sameHostConsequences(
  members: readonly FindingMember[],
  kind: (host: string) => HypervisorKind | undefined,
): string {
  const seen = new Set<string>();
  for (let i = 0; i < members.length; i++)
    for (let j = i + 1; j < members.length; j++) {
      const [a, b] = [members[i]!, members[j]!];
      const k = a.host === b.host && a.network === b.network ? kind(a.host) : undefined;
      if (k !== undefined && !sameHostDuplicateBlocks(k))
        seen.add(`on ${a.host} (${a.network}) both VMs start: ${profileOf(k).duplicateConsequence}`);
    }
  return [...seen].join('; ');
}

/**
 * Every duplicate MAC of the inventory, worst scope first, then by MAC. `hosts` gives each host's
 * hypervisor (a host not given counts as one that refuses: the same-host scope stays `blocking`).
 */
export function duplicateFindings(
  vms: readonly Vm[],
  networks: readonly VirtualNetwork[],
  hosts: readonly Host[] = [],
): FleetFinding[] {
  const hypervisors = new Map(hosts.map((h) => [h.name, h.hypervisor]));
  const kind = (host: string): HypervisorKind | undefined => hypervisors.get(host);
  const segment = new Map(networks.map((n) => [`${n.host}\u0000${n.name}`, n.segment]));
  const byMac = new Map<Mac, FindingMember[]>();
  for (const vm of vms) {
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
      const list = byMac.get(a.mac);
      if (list === undefined) byMac.set(a.mac, [member]);
      else list.push(member);
    }
  }
  const findings: FleetFinding[] = [];
  for (const [mac, members] of byMac) {
    // NLB cluster MACs are shared by design by every node of the cluster; the lab judges them.
    if (members.length < 2 || SHARED_BY_DESIGN.has(classifyMac(mac).kind)) continue;
    const inScope = new Map<DuplicateScope, Set<FindingMember>>();
    for (let i = 0; i < members.length; i++) {
      for (let j = i + 1; j < members.length; j++) {
        const scope = scopeOf(members[i]!, members[j]!, kind);
        const set = inScope.get(scope) ?? new Set();
        set.add(members[i]!).add(members[j]!);
        inScope.set(scope, set);
      }
    }
    for (const scope of DUPLICATE_SCOPES) {
      const set = inScope.get(scope);
      if (set === undefined) continue;
      const list = [...set];
      const consequence = scope === 'conflicting' ? sameHostConsequences(list, kind) : '';
      findings.push({
        kind: 'duplicate',
        scope,
        severity: scope === 'latent' ? 'warning' : 'error',
        mac: formatMac(mac),
        message:
          `${formatMac(mac)} is held by ${list.length} adapters, ` +
          (consequence === '' ? MESSAGES[scope] : `on one L2 segment: ${consequence}`),
        members: list,
        fix:
          'switch all but one to dynamic (macfleet adapter set <vm> <index> --dynamic), ideally on a host ' +
          'allocating from a pool (--allocation pool:<name>)',
      });
    }
  }
  const rank = (f: FleetFinding): number => DUPLICATE_SCOPES.indexOf(f.scope);
  return findings.sort((a, b) => rank(a) - rank(b) || (a.mac < b.mac ? -1 : a.mac > b.mac ? 1 : 0));
}
