/**
 * The audit: a pure function from adapter records to findings. Duplicates by scope (blocking,
 * conflicting, latent), hypervisor pool overlaps, NLB clashes and invalid MACs. Disabled adapters never
 * count (Proxmox history never reaches here: the parser reports only the current configuration).
 */
import { classifyMac, formatMac, isBroadcast, isMulticast, isZero, type Mac } from '../mac/index.js';
import type { AdapterRecord } from '../formats/types.js';
import { duplicateMacValues } from './duplicate-values.js';
import {
  member,
  severityRank,
  type AuditAdapter,
  type DuplicateScope,
  type Finding,
} from './finding-types.js';
import { isNlbCandidate, nlbFindings, RangeOverlaps, type LiveAdapter } from './pool-findings.js';
import {
  isLibvirtReservedMac,
  VMWARE_ANY_STATIC_SINCE,
  VMWARE_STATIC_RULE,
} from '../schemes/lifecycle-profiles.js';
import { VMWARE_STATIC_RANGE } from '../schemes/vmware-scheme.js';
import { recordProfile, sameHostBlocks } from './hypervisor-profile.js';
import { segmentOf, type SegmentRule } from './segments.js';

export interface AuditOptions {
  readonly segments?: readonly SegmentRule[];
}

/** Every finding about these adapters, worst first. */
export function audit(records: readonly AdapterRecord[], options: AuditOptions = {}): Finding[] {
  return new Auditor(options).add(records).findings();
}

/**
 * The audit fed in runs (a scan adds each batch as it is merged): the per-adapter rules run as records
 * arrive, so little is left for the end. `findings()` after any sequence of `add` calls equals
 * `audit()` of all the records added, in that order.
 */
export class Auditor {
  private readonly live: LiveAdapter[] = [];
  /** The live adapters' MACs, `values[i] = live[i].mac`; grown by doubling. */
  private values = new Float64Array(1024);
  private readonly invalid: Finding[] = [];
  private readonly ranges = new RangeOverlaps();
  private readonly nlbCandidates: LiveAdapter[] = [];

  constructor(private readonly options: AuditOptions = {}) {}

  add(records: readonly AdapterRecord[]): this {
    for (const r of records) {
      if (!r.enabled || r.mac === null) continue;
      const a = r as LiveAdapter;
      if (this.live.length === this.values.length) {
        const grown = new Float64Array(this.values.length * 2);
        grown.set(this.values);
        this.values = grown;
      }
      this.values[this.live.length] = a.mac;
      this.live.push(a);
      const bad = invalidFinding(a);
      if (bad !== undefined) this.invalid.push(bad);
      this.ranges.add(a);
      if (isNlbCandidate(a)) this.nlbCandidates.push(a);
    }
    return this;
  }

  /** Every finding about the adapters added so far, worst first. */
  findings(): Finding[] {
    const findings = [
      ...duplicateFindings(this.live, this.values.subarray(0, this.live.length), this.options.segments),
      ...this.invalid,
      ...this.ranges.findings(),
      ...nlbFindings(this.nlbCandidates),
    ];
    return findings.sort(
      (a, b) =>
        severityRank(b.severity) - severityRank(a.severity) ||
        a.kind.localeCompare(b.kind) ||
        (a.mac ?? '').localeCompare(b.mac ?? ''),
    );
  }
}

const SCOPE_RANK: Readonly<Record<DuplicateScope, number>> = { latent: 1, conflicting: 2, blocking: 3 };

/** Known hosts decide; without them, two adapters of one per-VM file are on one host. */
function sameHost(a: AuditAdapter, b: AuditAdapter): boolean {
  if (a.host !== null && b.host !== null) return a.host === b.host;
  return a.file === b.file && a.vm === b.vm;
}

// [issue 11 / fidelity] Same host and network is `blocking` only where the hypervisor refuses the second
// start or cuts its port (its lifecycle profile); where it starts both it is `conflicting`.
// SEAM: core's single scope function (issue 10) should take `sameHostBlocks` (hypervisor-profile.ts).
const sameHostPair = (a: AuditAdapter, b: AuditAdapter): boolean =>
  sameHost(a, b) && a.network !== null && a.network === b.network;

function pairScope(a: AuditAdapter, b: AuditAdapter): DuplicateScope {
  if (sameHostPair(a, b) && sameHostBlocks(a.hypervisor)) return 'blocking';
  if (sameHostPair(a, b)) return 'conflicting';
  if (a.segment !== null && a.segment === b.segment) return 'conflicting';
  return 'latent';
}

/** What the hypervisor does with the same-host pairs of a group that starts both VMs (issue 11). */
function sameHostConsequence(group: readonly AuditAdapter[]): string | undefined {
  for (let i = 0; i < group.length; i++)
    for (let j = i + 1; j < group.length; j++) {
      const [a, b] = [group[i]!, group[j]!];
      if (sameHostPair(a, b) && !sameHostBlocks(a.hypervisor)) {
        return `on the same host (${a.host ?? 'one host'}) and virtual network (${a.network ?? '-'}) both VMs start: ${recordProfile(a.hypervisor)!.duplicateConsequence}`;
      }
    }
  return undefined;
}

/** `values[i]` is `live[i].mac` (the auditor keeps them in a typed array as adapters arrive). */
function duplicateFindings(
  live: readonly LiveAdapter[],
  values: Float64Array,
  segments: readonly SegmentRule[] | undefined,
): Finding[] {
  const dups = new Set(duplicateMacValues(values));
  if (dups.size === 0) return [];
  // Segments are resolved only for the adapters of a duplicate group: the only rule that needs them.
  const groups = new Map<number, AuditAdapter[]>();
  for (let i = 0; i < values.length; i++) {
    if (!dups.has(values[i]!)) continue;
    const r = live[i]!;
    const a: AuditAdapter = { ...r, segment: segmentOf(r, segments) };
    const g = groups.get(r.mac);
    if (g) g.push(a);
    else groups.set(r.mac, [a]);
  }
  const out: Finding[] = [];
  for (const [mac, group] of groups) {
    // NLB unicast nodes share the cluster MAC by design: reported by the nlb rule instead.
    if (classifyMac(mac as Mac).kind === 'nlb-unicast') continue;
    let scope: DuplicateScope = 'latent';
    for (let i = 0; i < group.length; i++) {
      for (let j = i + 1; j < group.length; j++) {
        const s = pairScope(group[i]!, group[j]!);
        if (SCOPE_RANK[s] > SCOPE_RANK[scope]) scope = s;
      }
    }
    out.push(duplicateFinding(mac as Mac, scope, group));
  }
  return out;
}

const list = (xs: Iterable<string>): string => [...new Set(xs)].join(', ');

function duplicateFinding(mac: Mac, scope: DuplicateScope, group: readonly AuditAdapter[]): Finding {
  const m = formatMac(mac);
  const hosts = list(group.map((a) => a.host ?? 'unknown host'));
  const networks = list(group.map((a) => a.network ?? 'not attached'));
  const n = group.length;
  const unknownHosts = group.some((a) => a.host === null);
  let message: string;
  let fix: string;
  if (scope === 'blocking') {
    message = `${m} is configured on ${n} adapters on the same host (${hosts}) and virtual network (${networks}): the second VM will not start while the first runs`;
    fix =
      'keep the MAC on one adapter; give the others a new MAC from a managed pool, or set them to dynamic, while their VMs are stopped';
  } else if (scope === 'conflicting' && sameHostConsequence(group) !== undefined) {
    message = `${m} is configured on ${n} adapters; ${sameHostConsequence(group)!}`;
    fix =
      'keep the MAC on one adapter; give the others a new MAC from a managed pool, or set them to dynamic, while their VMs are stopped';
  } else if (scope === 'conflicting') {
    message =
      `${m} is configured on ${n} adapters on one L2 segment (${sharedSegments(group)}) from ` +
      (unknownHosts
        ? `hosts not known (${hosts}; blocking if they share a host — use --host-from-path)`
        : `different hosts (${hosts})`) +
      ': switch MAC tables flap and DHCP/ARP break';
    fix =
      'keep the MAC on one adapter; give the others a new MAC from a fleet-wide pool (or set them to dynamic)';
  } else {
    message = `${m} is configured on ${n} adapters on different segments (${list(group.map((a) => a.segment ?? 'not attached'))}): harmless until a VM moves or a network is bridged, then it conflicts`;
    fix = 'give all but one adapter a new MAC from a fleet-wide pool before any migration';
  }
  return {
    kind: 'duplicate',
    scope,
    severity: scope === 'latent' ? 'warning' : 'error',
    mac: m,
    message,
    fix,
    members: group.map(member),
  };
}

// [issue 11 / fidelity] The rules come from the lifecycle profiles: VMware's static range (accepted
// outright, by version) and libvirt's reserved first octet 0xFE.
const VMWARE_STATIC_START = VMWARE_STATIC_RANGE.start;
const VMWARE_STATIC_END = VMWARE_STATIC_RANGE.end;
const needsVmwareRangeCheck = (a: LiveAdapter): boolean =>
  a.hypervisor === 'vmware' &&
  a.mode === 'static' &&
  a.checkMacRange !== false &&
  (a.mac < VMWARE_STATIC_START || a.mac > VMWARE_STATIC_END);

/** The finding about an adapter whose MAC no NIC can use (or its hypervisor refuses), if any. */
function invalidFinding(a: LiveAdapter): Finding | undefined {
  const mac = a.mac;
  // Fast path: a unicast, non-zero MAC that is not a VMware static out of range nor a libvirt 0xFE.
  if (
    mac !== 0 &&
    !isMulticast(mac) &&
    !needsVmwareRangeCheck(a) &&
    !(a.hypervisor === 'libvirt' && isLibvirtReservedMac(mac))
  )
    return undefined;
  const m = formatMac(a.mac);
  let message: string | undefined;
  let severity: Finding['severity'] = 'error';
  let fix = 'give the adapter a unicast MAC from a managed pool';
  if (isBroadcast(a.mac)) message = `${m} is the broadcast address: no NIC can use it`;
  else if (isZero(a.mac)) message = `${m} is all zeros: not a valid station address`;
  else if (isMulticast(a.mac)) {
    const nlb = classifyMac(a.mac).kind.startsWith('nlb')
      ? ' (an NLB multicast cluster MAC belongs in ARP replies, not on an adapter)'
      : '';
    message = `${m} has the multicast bit set (first octet odd): a NIC cannot own it${nlb}`;
  } else if (needsVmwareRangeCheck(a)) {
    // The scan does not know the host's version: the rule is stated with it, not as a certainty.
    severity = 'warning';
    message = `${m} is a static VMware MAC outside ${formatMac(VMWARE_STATIC_START)}-${formatMac(VMWARE_STATIC_END)}: ${VMWARE_STATIC_RULE}`;
    fix = `on hosts before ${VMWARE_ANY_STATIC_SINCE}: use a static MAC inside ${formatMac(VMWARE_STATIC_START)}-${formatMac(VMWARE_STATIC_END)}, or set ${a.adapter}.checkMACAddress = "FALSE" if the MAC must stay`;
  } else if (a.hypervisor === 'libvirt' && isLibvirtReservedMac(a.mac)) {
    message = `${m} starts with 0xFE, which libvirt reserves for the host side of tap devices: the domain will not start ("Unable to use MAC address starting with reserved value 0xFE")`;
    fix = 'give the interface a MAC that does not start with fe (for example one from a managed pool)';
  }
  return message === undefined
    ? undefined
    : { kind: 'invalid', severity, mac: m, message, fix, members: [member(a)] };
}

/** The segments holding more than one member of a duplicate group. */
function sharedSegments(group: readonly AuditAdapter[]): string {
  const counts = new Map<string, number>();
  for (const a of group) if (a.segment !== null) counts.set(a.segment, (counts.get(a.segment) ?? 0) + 1);
  return [...counts]
    .filter(([, c]) => c > 1)
    .map(([s]) => s)
    .join(', ');
}
