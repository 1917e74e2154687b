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

function pairScope(a: AuditAdapter, b: AuditAdapter): DuplicateScope {
  if (sameHost(a, b) && a.network !== null && a.network === b.network) return 'blocking';
  if (a.segment !== null && a.segment === b.segment) return 'conflicting';
  return 'latent';
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

// VMware accepts static MACs only in 00:50:56:00:00:00-00:50:56:3F:FF:FF unless checkMACAddress is FALSE.
const VMWARE_STATIC_START = 0x005056 * 2 ** 24;
const VMWARE_STATIC_END = VMWARE_STATIC_START + 0x3fffff;

/** The finding about an adapter whose MAC no NIC can use (or its hypervisor refuses), if any. */
function invalidFinding(a: LiveAdapter): Finding | undefined {
  const mac = a.mac;
  // Fast path: a unicast, non-zero MAC that is not a VMware static needs no further look.
  if (mac !== 0 && !isMulticast(mac) && !(a.hypervisor === 'vmware' && a.mode === 'static')) return undefined;
  // Likewise a VMware static inside the accepted range (or with the range check off).
  if (
    mac !== 0 &&
    !isMulticast(mac) &&
    (a.checkMacRange === false || (mac >= VMWARE_STATIC_START && mac <= VMWARE_STATIC_END))
  )
    return undefined;
  const m = formatMac(a.mac);
  let message: string | undefined;
  let fix = 'give the adapter a unicast MAC from a managed pool';
  if (isBroadcast(a.mac)) message = `${m} is the broadcast address: no NIC can use it`;
  else if (isZero(a.mac)) message = `${m} is all zeros: not a valid station address`;
  else if (isMulticast(a.mac)) {
    const nlb = classifyMac(a.mac).kind.startsWith('nlb')
      ? ' (an NLB multicast cluster MAC belongs in ARP replies, not on an adapter)'
      : '';
    message = `${m} has the multicast bit set (first octet odd): a NIC cannot own it${nlb}`;
  } else if (
    a.hypervisor === 'vmware' &&
    a.mode === 'static' &&
    a.checkMacRange !== false &&
    (a.mac < VMWARE_STATIC_START || a.mac > VMWARE_STATIC_END)
  ) {
    message = `${m} is a static VMware MAC outside 00:50:56:00:00:00-00:50:56:3f:ff:ff: the VM will not power on`;
    fix = `use a static MAC inside 00:50:56:00:00:00-00:50:56:3f:ff:ff, or set ${a.adapter}.checkMACAddress = "FALSE" if the MAC must stay`;
  }
  return message === undefined
    ? undefined
    : { kind: 'invalid', severity: 'error', mac: m, message, fix, members: [member(a)] };
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
