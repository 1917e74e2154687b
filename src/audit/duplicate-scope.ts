/**
 * The duplicate scope rule, once. Given the adapters that hold one MAC, it says which of them form a
 * finding, of what scope, and in words true of every member the finding lists. The audit (`scan`) and
 * the fleet's findings (`findings`) both call it; only the `fix` text is theirs.
 *
 * - **blocking**: adapters on the same host and virtual network, on a hypervisor that refuses to start
 *   the second VM (or cuts its network). One finding per host-and-network group.
 * - **conflicting**: adapters on one L2 segment that run together there (different hosts, or one host
 *   whose hypervisor starts both): switch tables flap, DHCP and ARP break. One finding per segment.
 * - **latent**: the MAC is on more than one segment: harmless until a VM moves or a network is bridged.
 *   One finding listing every holder.
 *
 * A member may so be listed in a finding of each scope (two blocking VMs on a segment shared with a third
 * host are also in that segment's conflicting finding). Adapters not attached to any network and QEMU
 * user-mode (SLIRP) adapters share a segment with nothing: they are never blocking or conflicting.
 * NLB unicast cluster MACs are shared by design by the nodes of a cluster: never a duplicate here (the
 * audit's NLB rule reports them).
 */
import { classifyMac, formatMac, type Mac } from '../mac/index.js';
import { lifecycleKindOf, profileOf, sameHostDuplicateBlocks } from '../schemes/lifecycle-profiles.js';
import type { DuplicateScope } from './finding-types.js';

/** What the rule needs to know of one adapter holding the MAC. */
export interface ScopeMember {
  /** Null: the scan could not tell (then only the same file and VM prove the same host). */
  readonly host: string | null;
  readonly vm: string;
  /** Null: not attached to any network. */
  readonly network: string | null;
  /** The L2 segment, or null when the adapter shares one with nothing (not attached, user-mode NAT). */
  readonly segment: string | null;
  /** The hypervisor, as the scan (`libvirt`, `vmware`, ...) or the inventory (`kvm`, ...) names it. */
  readonly hypervisor: string;
  /** The configuration file, where there is one. */
  readonly file?: string;
}

export interface DuplicateGroup<M extends ScopeMember> {
  readonly scope: DuplicateScope;
  readonly members: readonly M[];
  /** One line an administrator understands, true of every member. */
  readonly message: string;
}

/**
 * Whether the hypervisor refuses to run a second VM whose MAC a running VM already uses on the same host
 * and virtual network (Virtual Server), or cuts its network (Hyper-V): then such a duplicate is
 * `blocking`, else (the hypervisor starts both: VMware shares the MAC, KVM, Xen, Proxmox and VirtualBox
 * check nothing) `conflicting`. Decided by the hypervisor's lifecycle profile (src/schemes); a hypervisor
 * the profiles do not know (OVF packages, inventory rows) is taken as the strictest: `blocking`.
 */
export function refusesSameHostDuplicate(hypervisor: string): boolean {
  const kind = lifecycleKindOf(hypervisor);
  return kind === undefined || sameHostDuplicateBlocks(kind);
}

/** What the hypervisor does when two VMs on one host and network carry one MAC, if it is known. */
function sameHostConsequence(hypervisor: string): string | undefined {
  const kind = lifecycleKindOf(hypervisor);
  return kind === undefined || sameHostDuplicateBlocks(kind)
    ? undefined
    : profileOf(kind).duplicateConsequence;
}

/** MACs that several adapters carry by design: the NLB unicast cluster MAC 02-BF-W-X-Y-Z of a cluster's nodes. */
export const sharedByDesign = (mac: Mac): boolean => classifyMac(mac).kind === 'nlb-unicast';

export interface DuplicateScopeOptions {
  /** Replaces refusesSameHostDuplicate (tests, and the lifecycle profiles once they decide it). */
  readonly refusesSameHostDuplicate?: (hypervisor: string) => boolean;
}

/**
 * The findings about one MAC held by `members` (two or more adapters): blocking groups first, then
 * conflicting segments, then the latent finding; members keep their given order in each.
 */
export function duplicateGroups<M extends ScopeMember>(
  mac: Mac,
  members: readonly M[],
  options: DuplicateScopeOptions = {},
): DuplicateGroup<M>[] {
  if (members.length < 2 || sharedByDesign(mac)) return [];
  const refuses = options.refusesSameHostDuplicate ?? refusesSameHostDuplicate;
  const m = formatMac(mac);
  const out: DuplicateGroup<M>[] = [];
  const bySegment = groupBy(
    members.filter((a) => a.segment !== null),
    (a) => a.segment ?? '',
  );
  const conflicting: DuplicateGroup<M>[] = [];
  for (const [segment, onSegment] of bySegment) {
    if (onSegment.length < 2) continue;
    // Units that run side by side on the segment: a blocking group is one unit (only one of its VMs runs).
    let units = 0;
    for (const group of groupBy(onSegment, hostNetworkKey).values()) {
      if (group.length > 1 && group.every((a) => refuses(a.hypervisor))) {
        out.push({ scope: 'blocking', members: group, message: blockingMessage(m, group) });
        units++;
      } else units += group.length;
    }
    if (units > 1)
      conflicting.push({
        scope: 'conflicting',
        members: onSegment,
        message: conflictingMessage(m, segment, onSegment),
      });
  }
  out.push(...conflicting);
  // Adapters on no shared segment count as one segment each.
  const segments = new Set(members.map((a, i) => a.segment ?? `\u0000${i}`)).size;
  if (segments > 1)
    out.push({ scope: 'latent', members: [...members], message: latentMessage(m, members, segments) });
  return out;
}

/** Same host and network; where the host is not known, only the same file and VM prove the same host. */
const hostNetworkKey = (a: ScopeMember): string =>
  `${a.host === null ? `\u0001${a.file ?? ''}\u0000${a.vm}` : a.host}\u0000${a.network ?? ''}`;

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const g = groups.get(k);
    if (g === undefined) groups.set(k, [item]);
    else g.push(item);
  }
  return groups;
}

const list = (xs: Iterable<string>): string => [...new Set(xs)].join(', ');
const hostsOf = (group: readonly ScopeMember[]): string => list(group.map((a) => a.host ?? 'unknown host'));

function blockingMessage(m: string, group: readonly ScopeMember[]): string {
  const network = group[0]!.network ?? 'not attached';
  const kind = lifecycleKindOf(group[0]!.hypervisor);
  const what =
    kind !== undefined && profileOf(kind).sameHostDuplicateStart === 'disconnect-port'
      ? profileOf(kind).duplicateConsequence
      : 'the second VM will not start while the first runs';
  return `${m} is configured on ${group.length} adapters on the same host (${hostsOf(group)}) and virtual network (${network}): ${what}`;
}

function conflictingMessage(m: string, segment: string, group: readonly ScopeMember[]): string {
  const hosts = hostsOf(group);
  const known = group.every((a) => a.host !== null);
  const where = !known
    ? `from hosts not known (${hosts}; blocking if they share a host — use --host-from-path)`
    : new Set(group.map((a) => a.host)).size > 1
      ? `from different hosts (${hosts})`
      : `on one host (${hosts}) that starts both VMs`;
  // Where several of them share a host and network on a hypervisor that starts both VMs, say what that
  // hypervisor does then (its lifecycle profile): the whole message when they are all on one host.
  const sameHost = [...groupBy(group, hostNetworkKey).values()].filter(
    (g) => g.length > 1 && g[0]!.host !== null,
  );
  const notes = sameHost.flatMap((g) => {
    const consequence = sameHostConsequence(g[0]!.hypervisor);
    return consequence === undefined
      ? []
      : [{ where: `${g[0]!.host} (${g[0]!.network ?? '-'})`, consequence }];
  });
  const oneHost = known && new Set(group.map((a) => a.host)).size === 1;
  if (oneHost && notes.length > 0)
    return `${m} is configured on ${group.length} adapters on one L2 segment (${segment}) ${where}: ${notes[0]!.consequence}`;
  const extra = notes.map((n) => `; on ${n.where} both VMs start: ${n.consequence}`).join('');
  return `${m} is configured on ${group.length} adapters on one L2 segment (${segment}) ${where}: switch MAC tables flap and DHCP/ARP break${extra}`;
}

function latentMessage(m: string, group: readonly ScopeMember[], distinct: number): string {
  const label = (a: ScopeMember): string =>
    a.segment ?? (a.network === null ? 'not attached' : `${a.network} of ${a.vm}`);
  const segments = list(group.map(label));
  // Where one segment holds several of them, those are findings of their own: this one is about the rest.
  if (distinct < group.length)
    return `${m} is configured on ${group.length} adapters across ${distinct} segments (${segments}): between segments it is harmless until a VM moves or a network is bridged, then it conflicts`;
  return `${m} is configured on ${group.length} adapters on different segments (${segments}): harmless until a VM moves or a network is bridged, then it conflicts`;
}
