/**
 * Findings about hypervisor pools and NLB: two hosts whose dynamic pools are the same block (Hyper-V
 * 00-15-5D-XX-YY-00..FF from the host IPv4 address; Virtual Server 00-03-FF-..-YY-ZZ from a host NIC's
 * last two octets), and NLB cluster MACs that clash or are blocked by the switch policy.
 */
import {
  classifyMac,
  formatMac,
  HYPER_V_OUI,
  NLB_MASKED_RANGE,
  NLB_MULTICAST_RANGE,
  NLB_UNICAST_RANGE,
  octets,
  ouiOf,
  rangeContains,
  VIRTUAL_SERVER_OUI,
  type Mac,
} from '../mac/index.js';
import type { AdapterRecord } from '../formats/types.js';
import { member, type Finding } from './finding-types.js';

export type LiveAdapter = AdapterRecord & { mac: Mac };

const hex = (n: number): string => n.toString(16).padStart(2, '0');

/** Dynamic adapters grouped by the hypervisor pool they come from; a pool seen on two hosts is a finding. */
export class RangeOverlaps {
  private readonly pools = new Map<
    string,
    { scheme: 'hyper-v' | 'virtual-server'; adapters: LiveAdapter[] }
  >();

  add(a: LiveAdapter): void {
    if (a.mode === 'static') return;
    const oui = ouiOf(a.mac);
    if (oui !== HYPER_V_OUI && oui !== VIRTUAL_SERVER_OUI) return; // only Hyper-V and Virtual Server pools
    const c = classifyMac(a.mac);
    if (c.kind !== 'hyper-v' && c.kind !== 'virtual-server') return;
    const [, , , d, e, f] = octets(a.mac);
    const key =
      c.kind === 'hyper-v' ? `00:15:5d:${hex(d)}:${hex(e)}:00-ff` : `00:03:ff:xx:${hex(e)}:${hex(f)}`;
    const pool = this.pools.get(key) ?? { scheme: c.kind, adapters: [] };
    pool.adapters.push(a);
    this.pools.set(key, pool);
  }

  findings(): Finding[] {
    const out: Finding[] = [];
    for (const [key, pool] of this.pools) {
      const hosts = [
        ...new Set(pool.adapters.map((a) => a.host).filter((h): h is string => h !== null)),
      ].sort();
      if (hosts.length < 2) continue;
      const [, , , d, e, f] = octets(pool.adapters[0]!.mac);
      const message =
        pool.scheme === 'hyper-v'
          ? `Hyper-V hosts ${hosts.join(', ')} hand out dynamic MACs from the same pool ${key} (host IPv4 addresses ending in .${d}.${e}): their VMs will get identical MACs`
          : `Virtual Server hosts ${hosts.join(', ')} derive dynamic MACs from physical NICs ending in ${hex(e)}-${hex(f)} (${key}): their VMs will get identical MACs`;
      const fix =
        pool.scheme === 'hyper-v'
          ? 'give each host its own MAC address range (Virtual Switch Manager > MAC Address Range, or Set-VMHost -MacAddressMinimum/-MacAddressMaximum)'
          : 'give the VMs of all but one host static MACs from a fleet-wide pool';
      out.push({
        kind: 'range-overlap',
        severity: 'warning',
        mac: key,
        message,
        fix,
        members: pool.adapters.map(member),
      });
    }
    return out;
  }
}

/**
 * What the NLB rules read of an adapter: its MAC, and the guards in the way of a cluster MAC where they
 * are known — Hyper-V MAC address spoofing (true = allowed), a VMware port group's forged transmits
 * (true = accept). A scan knows spoofing when the file says; the inventory knows both.
 */
export interface NlbAdapter {
  readonly mac: Mac;
  readonly macSpoofing?: boolean | undefined;
  readonly forgedTransmits?: boolean | undefined;
}

/** A finding of the NLB rules, its members in the caller's shape (a file's line, or an inventory adapter). */
export type NlbFinding<M> = Omit<Finding, 'members'> & { readonly members: M[] };

/** The NLB MACs a rule here looks at: unicast and multicast cluster MACs, masked source MACs. */
export const isNlbCandidate = (a: NlbAdapter): boolean =>
  rangeContains(NLB_MASKED_RANGE, a.mac) ||
  rangeContains(NLB_UNICAST_RANGE, a.mac) ||
  rangeContains(NLB_MULTICAST_RANGE, a.mac);

/** The NLB rules over a scan's adapters. */
export const nlbFindings = (live: readonly LiveAdapter[]): Finding[] => nlbRuleFindings(live, member);

/**
 * The NLB rules, one copy for scans and the inventory: a unicast cluster MAC on adapters whose switch
 * port drops it (Hyper-V spoofing off; VMware forged transmits rejected, NLB sending from its masked
 * source MAC), the cluster itself (shared by design, a note), and a masked source MAC of a cluster that
 * some adapter has as its own MAC.
 */
export function nlbRuleFindings<A extends NlbAdapter, M>(
  live: readonly A[],
  memberOf: (a: A) => M,
): NlbFinding<M>[] {
  const out: NlbFinding<M>[] = [];
  const unicast = new Map<number, A[]>();
  const vips = new Set<string>();
  const candidates = live.filter(isNlbCandidate);
  for (const a of candidates) {
    const c = classifyMac(a.mac);
    if (c.kind === 'nlb-unicast' || c.kind === 'nlb-multicast') vips.add(c.vip);
    if (c.kind === 'nlb-unicast') unicast.set(a.mac, [...(unicast.get(a.mac) ?? []), a]);
  }
  for (const [mac, nodes] of unicast) {
    const c = classifyMac(mac as Mac);
    const vip = c.kind === 'nlb-unicast' ? c.vip : '';
    const blocked = nodes.filter((a) => a.macSpoofing === false);
    const m = formatMac(mac as Mac);
    if (blocked.length > 0) {
      out.push({
        kind: 'nlb',
        severity: 'error',
        mac: m,
        message:
          `NLB unicast cluster MAC of VIP ${vip} on ${blocked.length} adapter(s) with MAC address spoofing off: ` +
          'the switch drops their frames, NLB logs event 53 and the VIP stops answering',
        fix: 'enable MAC address spoofing on these adapters (Set-VMNetworkAdapter -MacAddressSpoofing On), or run NLB in multicast mode',
        members: blocked.map(memberOf),
      });
    }
    const forged = nodes.filter((a) => a.forgedTransmits === false);
    if (forged.length > 0) {
      out.push({
        kind: 'nlb',
        severity: 'error',
        mac: m,
        message:
          `NLB unicast cluster MAC of VIP ${vip} on ${forged.length} adapter(s) whose port group rejects forged transmits: ` +
          'NLB sends with the masked source MAC 02-<priority>-..., not the cluster MAC, and the switch drops those frames',
        fix: 'set "Forged transmits" to Accept on the port group of these adapters, or run NLB in multicast mode',
        members: forged.map(memberOf),
      });
    }
    out.push({
      kind: 'nlb',
      severity: 'info',
      mac: m,
      message: `NLB unicast cluster of VIP ${vip}: ${nodes.length} node adapter(s) share ${m} by design (not counted as duplicates)`,
      fix: 'none needed; keep these adapters out of other VMs and pools',
      members: nodes.map(memberOf),
    });
  }
  for (const a of vips.size === 0 ? [] : candidates) {
    const c = classifyMac(a.mac);
    if (c.kind !== 'nlb-masked' || !vips.has(c.vip)) continue;
    out.push({
      kind: 'nlb',
      severity: 'error',
      mac: formatMac(a.mac),
      message: `${formatMac(a.mac)} is the masked source MAC NLB host priority ${c.priority} of cluster VIP ${c.vip} sends with: the switch learns it on two ports`,
      fix: 'give this adapter a MAC outside 02-xx-<VIP> (from a managed pool)',
      members: [memberOf(a)],
    });
  }
  return out;
}
