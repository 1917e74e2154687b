/**
 * Collision prediction across hosts: which hosts can hand out the same address, exactly which addresses
 * they share, and why.
 *
 * - Two deterministic hosts (Hyper-V pools, Virtual Server counters, QEMU, vCenter prefix/range pools):
 *   a `certain` pair finding. The shared addresses WILL be handed out by both once each gets that far;
 *   the first clash in host A's allocation order is given with both allocation numbers.
 * - Hosts drawing random bits from the same space (libvirt, Xen, VirtualBox, Proxmox, VMware
 *   host-generated, vCenter instances with one id) form one `possible` group finding with the odds of at
 *   least one duplicate among all their adapters — listing every pair of such hosts would say the same
 *   thing n² times.
 * - A random group (or host) whose space covers a deterministic host's addresses, or two random spaces
 *   that partly overlap: a `possible` finding with the odds for the hosts' `adapters` counts.
 *
 * Overlaps are found with a sweep over set bounds, so fleets of tens of thousands of hosts stay fast.
 */
import { formatMac, type Mac } from '../mac/index.js';
import type { Random } from '../random.js';
import { formatSet, intersectSets, setBounds, setSize, setToJson, type AddressSet } from './address-set.js';
import { collisionProbability } from './birthday.js';
import { hostModel, type HostModel, type HostPart, type HostSpec } from './fleet-hosts.js';
import { eligibleNics } from './virtual-server-scheme.js';

export const CERTAINTIES = ['certain', 'possible'] as const;
export type Certainty = (typeof CERTAINTIES)[number];

export interface SharedPart {
  readonly set: AddressSet;
  /** Where each host's addresses come from (`10.1.5.20`, `NIC 00-16-31-53-32-68`), aligned with `hosts`. */
  readonly origins: readonly string[];
}

export interface CollisionFinding {
  /** The hosts involved: a pair, or every member of a group (deterministic side first). */
  readonly hosts: readonly string[];
  readonly certainty: Certainty;
  readonly shared: readonly SharedPart[];
  /** Number of addresses in the overlap. */
  readonly count: number;
  /** For `possible`: P(at least one duplicate MAC) with the hosts' adapter counts. */
  readonly probability?: number;
  /** For `certain`: the first address in the first host's allocation order that the other side also hands out. */
  readonly firstClash?: { readonly mac: Mac; readonly a: number; readonly b: number };
  readonly reason: string;
}

export interface CollisionReport {
  readonly hosts: number;
  readonly findings: readonly CollisionFinding[];
}

/**
 * The hosts that behave as one: deterministic hosts handing out the same addresses in the same order
 * (cloned hosts, Hyper-V hosts whose IPv4 addresses end alike, every QEMU), or random hosts drawing from
 * one identical space. Members' parts line up index by index.
 */
interface Unit {
  readonly members: readonly HostModel[];
  readonly random: boolean;
  readonly parts: readonly HostPart[];
  /** Adapters of all members. */
  readonly adapters: number;
  /** Addresses one member draws from. */
  readonly space: number;
}

const isDeterministic = (m: HostModel): boolean => m.scheme.kind === 'counter' || m.scheme.kind === 'pool';

function identity(m: HostModel): string {
  const sets = m.parts.map((p) => `${setBounds(p.set).start}-${setBounds(p.set).end}`).join(',');
  if (!isDeterministic(m)) return `random|${m.scheme.name}|${m.scheme.randomBits}|${sets}`;
  // Same sets is not enough for Virtual Server: the adapter order (and octet 4) fixes the allocation order.
  const nics = m.spec.hypervisor === 'virtual-server' ? eligibleNics(m.spec.nics ?? []).join(',') : '';
  return `det|${m.scheme.name}|${sets}|${nics}`;
}

function units(models: readonly HostModel[]): Unit[] {
  const groups = new Map<string, HostModel[]>();
  for (const m of models) {
    const key = identity(m);
    const g = groups.get(key);
    if (g) g.push(m);
    else groups.set(key, [m]);
  }
  return [...groups.values()].map((members) => {
    const first = members[0]!;
    return {
      members,
      random: !isDeterministic(first),
      parts: first.parts,
      adapters: members.reduce((s, m) => s + m.adapters, 0),
      space: first.parts.reduce((s, p) => s + setSize(p.set), 0),
    };
  });
}

interface PartPair {
  readonly set: AddressSet;
  readonly pa: number;
  readonly pb: number;
}

/** Predict collisions among hosts. `random` only serves a Virtual Server host without an eligible NIC. */
export function predictCollisions(specs: readonly HostSpec[], random: Random): CollisionReport {
  const all = units(specs.map((s) => hostModel(s, random)));
  const findings: { order: number; finding: CollisionFinding }[] = [];
  const index = new Map(specs.map((s, i) => [s, i]));
  const orderOf = (u: Unit): number => index.get(u.members[0]!.spec)!;

  for (const u of all) {
    if (u.members.length > 1)
      findings.push({ order: orderOf(u), finding: u.random ? randomGroupFinding(u) : sameOrderFinding(u) });
  }

  const pairs = new Map<string, { a: number; b: number; shared: PartPair[] }>();
  const record = (x: { unit: number; part: number }, y: { unit: number; part: number }): void => {
    if (x.unit === y.unit) return;
    if (x.unit > y.unit) [x, y] = [y, x];
    const set = intersectSets(all[x.unit]!.parts[x.part]!.set, all[y.unit]!.parts[y.part]!.set);
    if (!set) return;
    const key = `${x.unit}:${y.unit}`;
    let pair = pairs.get(key);
    if (!pair) pairs.set(key, (pair = { a: x.unit, b: y.unit, shared: [] }));
    pair.shared.push({ set, pa: x.part, pb: y.part });
  };

  // Virtual Server sets meet only sets with the same OUI and octets 5-6: bucket them by that key.
  // Everything else (ranges, and octet4 sets against ranges) goes through a sweep over bounds, where
  // octet4 sets never need comparing with each other.
  type Entry = { unit: number; part: number; start: number; end: number; octet4: boolean };
  const entries: Entry[] = [];
  const buckets = new Map<number, Entry[]>();
  all.forEach((u, unit) =>
    u.parts.forEach((p, part) => {
      const b = setBounds(p.set);
      const e = { unit, part, start: b.start, end: b.end, octet4: p.set.kind === 'octet4' };
      entries.push(e);
      if (p.set.kind === 'octet4') {
        const key = p.set.oui * 0x1_0000 + p.set.low16;
        const bucket = buckets.get(key);
        if (bucket) bucket.push(e);
        else buckets.set(key, [e]);
      }
    }),
  );
  for (const bucket of buckets.values()) {
    for (let i = 0; i < bucket.length; i++)
      for (let j = i + 1; j < bucket.length; j++) record(bucket[i]!, bucket[j]!);
  }
  entries.sort((x, y) => x.start - y.start || x.end - y.end);
  let ranges: Entry[] = [];
  let sets: Entry[] = [];
  for (const e of entries) {
    ranges = ranges.filter((o) => o.end >= e.start);
    for (const o of ranges) record(o, e);
    if (!e.octet4) {
      sets = sets.filter((o) => o.end >= e.start);
      for (const o of sets) record(o, e);
      ranges.push(e);
    } else sets.push(e);
  }

  for (const { a, b, shared } of pairs.values()) {
    const [ua, ub] = [all[a]!, all[b]!];
    // The deterministic side first; among equals keep file order.
    const swap = (ua.random && !ub.random) || (ua.random === ub.random && orderOf(ua) > orderOf(ub));
    const [p, q] = swap ? [ub, ua] : [ua, ub];
    const parts = swap ? shared.map((s) => ({ set: s.set, pa: s.pb, pb: s.pa })) : shared;
    findings.push({ order: orderOf(p) + orderOf(q) / (specs.length + 1), finding: pairFinding(p, q, parts) });
  }
  findings.sort((x, y) => x.order - y.order);
  return { hosts: specs.length, findings: findings.map((f) => f.finding) };
}

const names = (u: Unit): string[] => u.members.map((m) => m.spec.name);
const plural = (n: number, word: string): string =>
  `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 'es'}`;
const origins = (u: Unit, part: number): string[] => u.members.map((m) => m.parts[part]!.origin);
/** `hv-a 10.1.5.20 and hv-b 10.2.5.20`: the members with where this part comes from. */
const side = (u: Unit, part: number): string =>
  joinAnd(u.members.map((m) => `${m.spec.name} ${m.parts[part]!.origin}`));

/** `a`, `a and b`, `a, b and c`, `a, b, c, d, e and 7 more`. */
export function joinAnd(items: readonly string[], max = 5): string {
  if (items.length > max) return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]!}`;
}

/** Deterministic hosts with the same order: every one hands out the same address at every step. */
function sameOrderFinding(u: Unit): CollisionFinding {
  const m = u.members[0]!;
  const count = u.space;
  const what = u.parts.map((p) => formatSet(p.set)).join(', ');
  const first = m.scheme.nth?.(0);
  const sides = [...new Set(u.parts.map((_, i) => side(u, i)))].join('; ');
  const n = u.members.length;
  return {
    hosts: names(u),
    certainty: 'certain',
    shared: u.parts.map((p, i) => ({ set: p.set, origins: origins(u, i) })),
    count,
    ...(first !== undefined ? { firstClash: { mac: first, a: 0, b: 0 } } : {}),
    reason:
      `${sides} share ${what} (${plural(count, 'address')}${why(m, m, n)})` +
      (first !== undefined
        ? n === 2
          ? `; ${u.members[0]!.spec.name}'s allocation #0 and ${u.members[1]!.spec.name}'s #0 are both ${formatMac(first, 'hyphen')}`
          : `; allocation #0 of all ${n} is ${formatMac(first, 'hyphen')}, and so on in the same order`
        : ''),
  };
}

function randomGroupFinding(u: Unit): CollisionFinding {
  const s = u.members[0]!.scheme;
  // Schemes that check their own assignments (vCenter) only collide across members.
  const selfChecked = s.distinctBeforeRepeat !== undefined;
  const sumSq = u.members.reduce((t, m) => t + m.adapters * m.adapters, 0);
  const probability = selfChecked
    ? -Math.expm1(-(u.adapters * u.adapters - sumSq) / (2 * u.space))
    : collisionProbability(Math.min(u.adapters, u.space + 1), u.space);
  const what = u.parts.map((p) => formatSet(p.set)).join(', ');
  return {
    hosts: names(u),
    certainty: 'possible',
    shared: u.parts.map((p, i) => ({ set: p.set, origins: origins(u, i) })),
    count: u.space,
    probability,
    reason:
      `${u.members.length} ${u.members[0]!.spec.hypervisor} hosts (${joinAnd(names(u))}) draw ${s.randomBits} random bits ` +
      `from the same ${what}${selfChecked ? ', each checking only its own assignments' : ''}: with ` +
      `${u.adapters.toLocaleString('en-US')} adapters in all, P(at least one duplicate MAC) = ${formatPercent(probability)}`,
  };
}

function pairFinding(a: Unit, b: Unit, parts: readonly PartPair[]): CollisionFinding {
  const count = parts.reduce((s, p) => s + setSize(p.set), 0);
  const hosts = [...names(a), ...names(b)];
  const what = parts.map((p) => formatSet(p.set)).join(', ');
  const shared = parts.map((p) => ({ set: p.set, origins: [...origins(a, p.pa), ...origins(b, p.pb)] }));
  if (!a.random && !b.random) {
    const ha = a.members[0]!;
    const hb = b.members[0]!;
    const firstClash = clash(ha, hb, parts);
    const group = (u: Unit, part: number): string =>
      u.members.length === 1
        ? side(u, part)
        : `${u.members.length === 2 ? 'both' : 'each of'} ${side(u, part)},`;
    const sides = [...new Set(parts.map((p) => `${group(a, p.pa)} and ${group(b, p.pb)}`.replace(/,$/, '')))];
    const at = firstClash
      ? a.members.length === 1 && b.members.length === 1
        ? `; ${ha.spec.name}'s allocation #${firstClash.a} and ${hb.spec.name}'s #${firstClash.b} are both ${formatMac(firstClash.mac, 'hyphen')}`
        : `; allocation #${firstClash.a} of ${joinAnd(names(a))}, and #${firstClash.b} of ${joinAnd(names(b))}, are all ${formatMac(firstClash.mac, 'hyphen')}`
      : '';
    return {
      hosts,
      certainty: 'certain',
      shared,
      count,
      ...(firstClash ? { firstClash } : {}),
      reason: `${sides.join('; ')} share ${what} (${plural(count, 'address')}${why(ha, hb, 2)})${at}`,
    };
  }
  let probability: number;
  if (!a.random) {
    // a deterministic: each member holds at most min(adapters, overlap) addresses there, all members the
    // same ones (same order); b's draws must hit one of them.
    const k = Math.min(Math.max(...a.members.map((m) => m.adapters)), count);
    probability = -Math.expm1(b.adapters * Math.log1p(-k / b.space));
  } else {
    // Two random spaces overlapping in `count` addresses: Poisson estimate of a meeting there.
    probability = -Math.expm1(-(a.adapters * b.adapters * count) / (a.space * b.space));
  }
  return {
    hosts,
    certainty: 'possible',
    shared,
    count,
    probability,
    reason:
      `${describe(a)} and ${describe(b)} can both hand out ${what}: with ${a.adapters.toLocaleString('en-US')} and ` +
      `${b.adapters.toLocaleString('en-US')} adapters, P(at least one shared MAC) = ${formatPercent(probability)}`,
  };
}

function describe(u: Unit): string {
  const m = u.members[0]!;
  const kind = u.random ? `${m.scheme.randomBits} random bits` : 'deterministic';
  if (u.members.length > 1)
    return `${u.members.length} ${m.spec.hypervisor} hosts (${joinAnd(names(u))}; ${kind})`;
  return `${m.spec.name} (${m.spec.hypervisor}, ${kind})`;
}

function why(a: HostModel, b: HostModel, n: number): string {
  const all = n === 2 ? 'both' : 'all';
  const same = (h: string): boolean => a.spec.hypervisor === h && b.spec.hypervisor === h;
  if (same('hyper-v') && a.spec.min === undefined && b.spec.min === undefined) {
    return `; ${all} pools come from the last two octets of the IPv4 address`;
  }
  if (same('virtual-server'))
    return '; the NICs end in the same two octets, and octet 4 runs through all 256 values';
  if (same('qemu')) return '; every QEMU process starts at 52:54:00:12:34:56';
  return '';
}

/** The first allocation of host A whose address B also hands out, with B's allocation number for it. */
function clash(a: HostModel, b: HostModel, shared: readonly PartPair[]): CollisionFinding['firstClash'] {
  const first = a.scheme.firstIndexIn;
  const nth = a.scheme.nth;
  const ib = b.scheme.indexOf;
  if (!first || !nth || !ib) return undefined;
  let best: CollisionFinding['firstClash'];
  for (const { set } of shared) {
    const na = first(set);
    if (na === undefined || (best && na >= best.a)) continue;
    const mac = nth(na);
    const nb = ib(mac);
    if (nb !== undefined) best = { mac, a: na, b: nb };
  }
  return best;
}

/** A probability as a percentage with enough digits to be non-zero. */
export function formatPercent(p: number): string {
  if (p === 0) return '0%';
  if (p === 1) return '100%';
  if (p >= 0.9999995) return '>99.9999%';
  const pct = p * 100;
  return pct >= 1 ? `${pct.toFixed(1)}%` : `${pct.toPrecision(2)}%`;
}

/** JSON form of a report (MACs canonical colon-lower). */
export function collisionReportToJson(r: CollisionReport): Record<string, unknown> {
  return {
    hosts: r.hosts,
    overlaps: r.findings.length,
    findings: r.findings.map((f) => ({
      hosts: f.hosts,
      certainty: f.certainty,
      count: f.count,
      shared: f.shared.map((p) => ({ ...setToJson(p.set), origins: p.origins })),
      ...(f.probability !== undefined ? { probability: f.probability } : {}),
      ...(f.firstClash
        ? { firstClash: { mac: formatMac(f.firstClash.mac), a: f.firstClash.a, b: f.firstClash.b } }
        : {}),
      reason: f.reason,
    })),
  };
}
