/**
 * Collision prediction across hosts: every pair of hosts whose schemes can hand out the same address,
 * with exactly which addresses they share and why.
 *
 * - Both deterministic (Hyper-V pools, Virtual Server counters, QEMU, vCenter prefix/range pools): the
 *   shared addresses WILL be handed out by both once each host gets that far; the first clash in each
 *   host's allocation order is reported where both orders are known.
 * - Either side random (libvirt, Xen, VirtualBox, Proxmox, VMware host-generated, vCenter OUI ids): the
 *   probability that at least one of the random host's draws lands on an address the other hands out,
 *   for the hosts' `adapters` counts.
 *
 * Sets are compared with a sweep over their bounds, so a fleet of thousands of hosts stays fast.
 */
import { formatMac, type Mac } from '../mac/index.js';
import type { Random } from '../random.js';
import { formatSet, intersectSets, setBounds, setSize, setToJson, type AddressSet } from './address-set.js';
import { hostModel, type HostModel, type HostSpec } from './fleet-hosts.js';

export const CERTAINTIES = ['certain', 'possible'] as const;
export type Certainty = (typeof CERTAINTIES)[number];

export interface SharedPart {
  readonly set: AddressSet;
  /** Where each host's side of the overlap comes from. */
  readonly origins: readonly [string, string];
}

export interface CollisionFinding {
  readonly hosts: readonly [string, string];
  readonly certainty: Certainty;
  readonly shared: readonly SharedPart[];
  /** Number of addresses both hosts can hand out. */
  readonly count: number;
  /** For `possible`: P(at least one common address) with the hosts' adapter counts. */
  readonly probability?: number;
  /** For `certain`, where both allocation orders are known: the first address of host A that B also hands out. */
  readonly firstClash?: { readonly mac: Mac; readonly a: number; readonly b: number };
  readonly reason: string;
}

export interface CollisionReport {
  readonly hosts: number;
  readonly findings: readonly CollisionFinding[];
}

/** How far into each host's allocation order the first clash is searched. */
const CLASH_SEARCH = 4096;

interface Entry {
  readonly host: number;
  readonly part: number;
  readonly start: number;
  readonly end: number;
}

const isDeterministic = (m: HostModel): boolean => m.scheme.kind === 'counter' || m.scheme.kind === 'pool';

/** Predict collisions among hosts. `random` only serves hosts whose scheme consults it (none of the counts do). */
export function predictCollisions(specs: readonly HostSpec[], random: Random): CollisionReport {
  const models = specs.map((s) => hostModel(s, random));
  const entries: Entry[] = [];
  models.forEach((m, host) =>
    m.parts.forEach((p, part) => {
      const b = setBounds(p.set);
      entries.push({ host, part, start: b.start, end: b.end });
    }),
  );
  entries.sort((x, y) => x.start - y.start || x.end - y.end);

  // pair key -> shared parts, in discovery order
  const pairs = new Map<string, { a: number; b: number; shared: SharedPart[] }>();
  const active: Entry[] = [];
  for (const e of entries) {
    for (let i = active.length - 1; i >= 0; i--) if (active[i]!.end < e.start) active.splice(i, 1);
    for (const o of active) {
      if (o.host === e.host) continue;
      const [x, y] = o.host < e.host ? [o, e] : [e, o];
      const set = intersectSets(models[x.host]!.parts[x.part]!.set, models[y.host]!.parts[y.part]!.set);
      if (!set) continue;
      const key = `${x.host}:${y.host}`;
      let pair = pairs.get(key);
      if (!pair) pairs.set(key, (pair = { a: x.host, b: y.host, shared: [] }));
      pair.shared.push({
        set,
        origins: [models[x.host]!.parts[x.part]!.origin, models[y.host]!.parts[y.part]!.origin],
      });
    }
    active.push(e);
  }

  const firstAddresses = new Map<number, Map<Mac, number>>();
  const orderOf = (h: number): Map<Mac, number> | undefined => {
    const m = models[h]!;
    if (!isDeterministic(m) || !m.scheme.nth) return undefined;
    let order = firstAddresses.get(h);
    if (!order) {
      order = new Map();
      const limit = Math.min(CLASH_SEARCH, m.scheme.distinctBeforeRepeat ?? 0, totalSize(m));
      for (let n = 0; n < limit; n++) {
        const mac = m.scheme.nth(n);
        if (!order.has(mac)) order.set(mac, n);
      }
      firstAddresses.set(h, order);
    }
    return order;
  };

  const findings = [...pairs.values()]
    .sort((p, q) => p.a - q.a || p.b - q.b)
    .map(({ a, b, shared }) => finding(models[a]!, models[b]!, shared, orderOf(a), orderOf(b)));
  return { hosts: specs.length, findings };
}

const totalSize = (m: HostModel): number => m.parts.reduce((s, p) => s + setSize(p.set), 0);

function finding(
  a: HostModel,
  b: HostModel,
  shared: SharedPart[],
  orderA: Map<Mac, number> | undefined,
  orderB: Map<Mac, number> | undefined,
): CollisionFinding {
  const count = shared.reduce((s, p) => s + setSize(p.set), 0);
  const hosts = [a.spec.name, b.spec.name] as const;
  const what = shared.map((p) => formatSet(p.set)).join(', ');
  if (isDeterministic(a) && isDeterministic(b)) {
    let firstClash: CollisionFinding['firstClash'];
    if (orderA && orderB) {
      for (const [mac, n] of orderA) {
        const m = orderB.get(mac);
        if (m !== undefined) {
          firstClash = { mac, a: n, b: m };
          break;
        }
      }
    }
    const origins = shared.map((p) => `${hosts[0]} ${p.origins[0]} and ${hosts[1]} ${p.origins[1]}`);
    const why = sameSchemeWhy(a, b);
    const clash = firstClash
      ? `; ${hosts[0]}'s allocation #${firstClash.a} and ${hosts[1]}'s #${firstClash.b} are both ${formatMac(firstClash.mac, 'hyphen')}`
      : '';
    return {
      hosts,
      certainty: 'certain',
      shared,
      count,
      ...(firstClash ? { firstClash } : {}),
      reason: `${[...new Set(origins)].join('; ')} share ${what} (${count} address${count === 1 ? '' : 'es'}${why})${clash}`,
    };
  }
  const probability = pairProbability(a, b, count);
  const pct = formatPercent(probability);
  return {
    hosts,
    certainty: 'possible',
    shared,
    count,
    probability,
    reason:
      `${hosts[0]} (${describe(a)}) and ${hosts[1]} (${describe(b)}) can both hand out ${what}: ` +
      `with ${a.adapters} and ${b.adapters} adapters, P(at least one shared MAC) = ${pct}`,
  };
}

function describe(m: HostModel): string {
  const s = m.scheme;
  return s.randomBits > 0 && s.kind !== 'counter' && s.kind !== 'pool'
    ? `${m.spec.hypervisor}, ${s.randomBits} random bits`
    : `${m.spec.hypervisor}, deterministic`;
}

function sameSchemeWhy(a: HostModel, b: HostModel): string {
  if (
    a.spec.hypervisor === 'hyper-v' &&
    b.spec.hypervisor === 'hyper-v' &&
    a.spec.min === undefined &&
    b.spec.min === undefined
  ) {
    return '; both pools come from the last two octets of the IPv4 address';
  }
  if (a.spec.hypervisor === 'virtual-server' && b.spec.hypervisor === 'virtual-server') {
    return '; the NICs end in the same two octets, and octet 4 runs through all 256 values';
  }
  if (a.spec.hypervisor === 'qemu' && b.spec.hypervisor === 'qemu')
    return '; every QEMU process starts at 52:54:00:12:34:56';
  return '';
}

/**
 * P(at least one common address). A random side with `n` adapters over `D` addresses, against a
 * deterministic side that holds k = min(its adapters, overlap) addresses in the overlap:
 * 1 - (1 - k/D)^n. Two random sides: each draw lands in the overlap of size c with probability c/D, and
 * two draws meet there with probability 1/c: 1 - exp(-nA nB c / (DA DB)) (Poisson).
 */
function pairProbability(a: HostModel, b: HostModel, overlap: number): number {
  const space = (m: HostModel): number => totalSize(m);
  if (isDeterministic(a) || isDeterministic(b)) {
    const [det, rnd] = isDeterministic(a) ? [a, b] : [b, a];
    const k = Math.min(det.adapters, overlap);
    return -Math.expm1(rnd.adapters * Math.log1p(-k / space(rnd)));
  }
  return -Math.expm1(-(a.adapters * b.adapters * overlap) / (space(a) * space(b)));
}

/** `0.06%`, `1 in 2.3 million` style is overkill: percent with enough digits to be non-zero. */
export function formatPercent(p: number): string {
  if (p === 0) return '0%';
  if (p >= 0.9999995) return p === 1 ? '100%' : '>99.9999%';
  const pct = p * 100;
  if (pct >= 1) return `${pct.toFixed(1)}%`;
  return `${pct.toPrecision(2)}%`;
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
