/**
 * The audit: a pure function from adapter records to findings. Duplicates by scope (blocking,
 * conflicting, latent), hypervisor pool overlaps, NLB clashes and invalid MACs. Disabled adapters never
 * count (Proxmox history never reaches here: the parser reports only the current configuration).
 */
import {
  classifyMac,
  formatMac,
  formatMacRange,
  isBroadcast,
  isMulticast,
  isZero,
  rangeContains,
  VMWARE_STATIC_RANGE,
  type Mac,
} from '../mac/index.js';
import type { AdapterRecord } from '../formats/types.js';
import { duplicateGroups } from './duplicate-scope.js';
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
    for (const g of duplicateGroups(mac as Mac, group)) {
      out.push({
        kind: 'duplicate',
        scope: g.scope,
        severity: g.scope === 'latent' ? 'warning' : 'error',
        mac: formatMac(mac as Mac),
        message: g.message,
        fix: FIXES[g.scope],
        members: g.members.map(member),
      });
    }
  }
  return out;
}

const FIXES: Readonly<Record<DuplicateScope, string>> = {
  blocking:
    'keep the MAC on one adapter; give the others a new MAC from a managed pool, or set them to dynamic, while their VMs are stopped',
  conflicting:
    'keep the MAC on one adapter; give the others a new MAC from a fleet-wide pool (or set them to dynamic)',
  latent: 'give all but one adapter a new MAC from a fleet-wide pool before any migration',
};

// VMware accepts static MACs only in 00:50:56:00:00:00-00:50:56:3F:FF:FF unless checkMACAddress is FALSE.
const VMWARE_STATIC = formatMacRange(VMWARE_STATIC_RANGE);

// [issue 11] The rules come from the lifecycle profiles: VMware's static range (accepted outright, by
// version) and libvirt's reserved first octet 0xFE.
const needsVmwareRangeCheck = (a: LiveAdapter): boolean =>
  a.hypervisor === 'vmware' &&
  a.mode === 'static' &&
  a.checkMacRange !== false &&
  !rangeContains(VMWARE_STATIC_RANGE, a.mac);

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
    message = `${m} is a static VMware MAC outside ${VMWARE_STATIC}: ${VMWARE_STATIC_RULE}`;
    fix = `on hosts before ${VMWARE_ANY_STATIC_SINCE}: use a static MAC inside ${VMWARE_STATIC}, or set ${a.adapter}.checkMACAddress = "FALSE" if the MAC must stay`;
  } else if (a.hypervisor === 'libvirt' && isLibvirtReservedMac(a.mac)) {
    message = `${m} starts with 0xFE, which libvirt reserves for the host side of tap devices: the domain will not start ("Unable to use MAC address starting with reserved value 0xFE")`;
    fix = 'give the interface a MAC that does not start with fe (for example one from a managed pool)';
  }
  return message === undefined
    ? undefined
    : { kind: 'invalid', severity, mac: m, message, fix, members: [member(a)] };
}
