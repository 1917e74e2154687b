import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { macFromNumber, parseIpv4, parseMac } from '../mac/index.js';
import { seededRandom } from '../random.js';
import { formatSet, setContains } from './address-set.js';
import { collisionProbability } from './birthday.js';
import { collisionReportToJson, predictCollisions } from './collisions.js';
import { hostModel, type HostSpec } from './fleet-hosts.js';
import { parseVsNic } from './virtual-server-scheme.js';

const rnd = seededRandom(3);
const hv = (name: string, ip: string): HostSpec => ({ name, hypervisor: 'hyper-v', ip: parseIpv4(ip) });
const vs = (name: string, ...nics: string[]): HostSpec => ({
  name,
  hypervisor: 'virtual-server',
  nics: nics.map((n) => parseVsNic(n)),
});

describe('predictCollisions', () => {
  it('Hyper-V hosts whose IPv4 addresses end alike share the whole pool from allocation #0', () => {
    const r = predictCollisions(
      [hv('hv-a', '10.1.5.20'), hv('hv-b', '10.2.5.20'), hv('hv-c', '10.1.6.20')],
      rnd,
    );
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0]!;
    expect(f.hosts).toEqual(['hv-a', 'hv-b']);
    expect(f.certainty).toBe('certain');
    expect(f.count).toBe(256);
    expect(f.reason).toContain('hv-a 10.1.5.20 and hv-b 10.2.5.20 share 00-15-5D-05-14-00..FF');
    expect(f.firstClash).toEqual({ mac: parseMac('00-15-5D-05-14-00'), a: 0, b: 0 });
  });

  it('hosts handing out the same addresses in the same order form one finding, not n² pairs', () => {
    const hosts = Array.from({ length: 40 }, (_, i) => hv(`hv-${i}`, `10.${i}.5.20`));
    const r = predictCollisions(
      [...hosts, { name: 'q1', hypervisor: 'qemu' }, { name: 'q2', hypervisor: 'qemu' }],
      rnd,
    );
    expect(r.findings).toHaveLength(2);
    expect(r.findings[0]!.hosts).toHaveLength(40);
    expect(r.findings[0]!.reason).toContain(
      'hv-0 10.0.5.20, hv-1 10.1.5.20, hv-2 10.2.5.20, hv-3 10.3.5.20, hv-4 10.4.5.20 and 35 more share 00-15-5D-05-14-00..FF',
    );
    expect(r.findings[0]!.reason).toContain('allocation #0 of all 40 is 00-15-5D-05-14-00');
    expect(r.findings[1]!.hosts).toEqual(['q1', 'q2']);
    expect(r.findings[1]!.reason).toContain('every QEMU process starts at 52:54:00:12:34:56');
    // A third pool overlapping the group: one pair finding naming every member.
    const more = predictCollisions(
      [
        ...hosts.slice(0, 2),
        {
          name: 'hv-x',
          hypervisor: 'hyper-v',
          min: parseMac('00-15-5D-05-14-FE'),
          max: parseMac('00-15-5D-05-15-FF'),
        },
      ],
      rnd,
    );
    expect(more.findings.map((f) => f.hosts)).toEqual([
      ['hv-0', 'hv-1'],
      ['hv-0', 'hv-1', 'hv-x'],
    ]);
    expect(more.findings[1]!.firstClash).toEqual({ mac: parseMac('00-15-5D-05-14-FE'), a: 254, b: 0 });
  });

  it('partially overlapping explicit pools report exactly the overlap', () => {
    const r = predictCollisions(
      [
        hv('hv-a', '10.1.5.20'),
        {
          name: 'hv-x',
          hypervisor: 'hyper-v',
          min: parseMac('00-15-5D-05-14-F0'),
          max: parseMac('00-15-5D-05-15-0F'),
        },
      ],
      rnd,
    );
    expect(r.findings.map((f) => f.shared.map((p) => formatSet(p.set)))).toEqual([['00-15-5D-05-14-F0..FF']]);
    expect(r.findings[0]!.firstClash).toEqual({ mac: parseMac('00-15-5D-05-14-F0'), a: 240, b: 0 });
  });

  it('Virtual Server hosts with NICs sharing octets 5-6 share all 256 addresses 00-03-FF-xx-yy-zz', () => {
    const r = predictCollisions(
      [
        vs('vs-1', '00-16-31-53-32-68', '02-00-4C-4F-4F-50,loopback'),
        vs('vs-2', '00-1A-A0-07-99-01', '00-1A-A0-07-32-68'),
        vs('vs-3', '00-1A-A0-07-32-69'),
        // Only a bridge adapter ends in 32-68 here: not eligible, so no overlap through it.
        vs('vs-4', '00-11-11-11-32-68,bridge', '00-11-11-11-11-11'),
      ],
      rnd,
    );
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0]!;
    expect(f.hosts).toEqual(['vs-1', 'vs-2']);
    expect(f.count).toBe(256);
    expect(formatSet(f.shared[0]!.set)).toBe('00-03-FF-xx-32-68 (xx = 00..FF)');
    expect(f.shared[0]!.origins).toEqual(['NIC 00-16-31-53-32-68', 'NIC 00-1A-A0-07-32-68']);
    // vs-1 #0 = 53-32-68; vs-2 reaches its 32-68 NIC at 256, 07 XOR (0x53 ^ 0x07) = 53 → #256 + 0x54.
    expect(f.firstClash).toEqual({ mac: parseMac('00-03-FF-53-32-68'), a: 0, b: 256 + 0x54 });
  });

  it('hosts drawing random bits from one space form one group with birthday odds over all their adapters', () => {
    const r = predictCollisions(
      [
        { name: 'kvm-1', hypervisor: 'libvirt', adapters: 4000 },
        { name: 'xen-1', hypervisor: 'xen' },
        { name: 'kvm-2', hypervisor: 'libvirt', adapters: 800 },
        { name: 'kvm-3', hypervisor: 'libvirt', adapters: 23 },
      ],
      rnd,
    );
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0]!;
    expect(f.hosts).toEqual(['kvm-1', 'kvm-2', 'kvm-3']);
    expect(f.certainty).toBe('possible');
    expect(f.probability).toBe(collisionProbability(4823, 2 ** 24));
    expect(f.reason).toContain(
      '3 libvirt hosts (kvm-1, kvm-2 and kvm-3) draw 24 random bits from the same 52-54-00-00-00-00..FF-FF-FF',
    );
    expect(f.reason).toContain('P(at least one duplicate MAC) = 50.0%');
  });

  it('vCenters sharing an instance id only collide across instances (each checks its own)', () => {
    const r = predictCollisions(
      [
        { name: 'vc-1', hypervisor: 'vcenter', instanceId: 5, adapters: 100 },
        { name: 'vc-2', hypervisor: 'vcenter', instanceId: 5, adapters: 100 },
        { name: 'vc-3', hypervisor: 'vcenter', instanceId: 6, adapters: 100 },
      ],
      rnd,
    );
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]!.hosts).toEqual(['vc-1', 'vc-2']);
    expect(r.findings[0]!.probability).toBeCloseTo(-Math.expm1(-(100 * 100) / 65536), 12);
  });

  it('a random scheme over a deterministic one: the odds of hitting the addresses the latter hands out', () => {
    const r = predictCollisions(
      [
        { name: 'q', hypervisor: 'qemu', adapters: 2 },
        { name: 'k', hypervisor: 'libvirt', adapters: 1000 },
      ],
      rnd,
    );
    const f = r.findings[0]!;
    expect(f.count).toBe(170);
    expect(f.probability).toBeCloseTo(1 - (1 - 2 / 2 ** 24) ** 1000, 12);
  });

  // Issue 11: vCenter's order inside a range is undocumented, so two overlapping vCenter ranges are a
  // possible clash with odds, never a certain one at allocation #0.
  it('two vCenters with overlapping ranges: possible, with odds', () => {
    const vc = (name: string, min: string, max: string): HostSpec => ({
      name,
      hypervisor: 'vcenter',
      min: parseMac(min),
      max: parseMac(max),
      adapters: 100,
    });
    const r = predictCollisions(
      [
        vc('vc-a', '02:00:00:00:00:00', '02:00:00:00:ff:ff'),
        vc('vc-b', '02:00:00:00:80:00', '02:00:00:01:7f:ff'),
      ],
      rnd,
    );
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0]!;
    expect(f.certainty).toBe('possible');
    expect(f.firstClash).toBeUndefined();
    expect(f.count).toBe(0x8000);
    // Poisson estimate: 100 x 100 draws meeting in 32768 of 65536 x 65536 addresses.
    expect(f.probability).toBeCloseTo(1 - Math.exp(-(100 * 100 * 0x8000) / (0x10000 * 0x10000)), 12);
  });

  it('mixed hypervisors overlap only where a range reaches into another scheme', () => {
    const r = predictCollisions(
      [
        hv('hv', '10.0.0.1'),
        vs('vs', '00-16-31-53-32-68'),
        {
          name: 'vc',
          hypervisor: 'vcenter',
          min: parseMac('00-03-FF-00-00-00'),
          max: parseMac('00-03-FF-7F-FF-FF'),
        },
        { name: 'pve', hypervisor: 'proxmox' },
      ],
      rnd,
    );
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]!.hosts).toEqual(['vs', 'vc']);
    expect(formatSet(r.findings[0]!.shared[0]!.set)).toBe('00-03-FF-xx-32-68 (xx = 00..7F)');
    expect(r.findings[0]!.count).toBe(128);
  });

  it('no overlap → no findings; JSON form is canonical colon-lower', () => {
    expect(predictCollisions([hv('a', '10.0.0.1'), hv('b', '10.0.0.2')], rnd).findings).toEqual([]);
    const json = collisionReportToJson(predictCollisions([hv('a', '10.1.5.20'), hv('b', '10.2.5.20')], rnd));
    expect(json).toMatchObject({
      hosts: 2,
      overlaps: 1,
      findings: [
        {
          hosts: ['a', 'b'],
          certainty: 'certain',
          count: 256,
          shared: [{ first: '00:15:5d:05:14:00', last: '00:15:5d:05:14:ff' }],
        },
      ],
    });
  });

  it('finds the one matching pair among thousands of hosts', () => {
    // Last two IPv4 octets (i >> 8, i & 255) are distinct for every i < 5000: no pool is shared.
    const hosts = Array.from({ length: 5000 }, (_, i) =>
      hv(`hv-${i}`, `10.${i % 7}.${(i >> 8) & 255}.${i & 255}`),
    );
    expect(predictCollisions(hosts, rnd).findings).toEqual([]);
    const r = predictCollisions([...hosts, hv('x', '10.9.1.2')], rnd);
    expect(r.findings.map((f) => f.hosts)).toEqual([['hv-258', 'x']]);
    expect(r.findings[0]!.shared.map((p) => formatSet(p.set))).toEqual(['00-15-5D-01-02-00..FF']);
  });

  it('first clash: both hosts hand out that address at those numbers, and A hands out no shared one earlier', () => {
    // Small octet domains so overlaps are frequent.
    const nic = fc
      .tuple(fc.nat(255), fc.constantFrom(0x3268, 0x3269), fc.constantFrom('physical', 'physical', 'bridge'))
      .map(
        ([d, low16, kind]) =>
          `${macHex(0x001631000000 + d * 65536 + low16)}${kind === 'physical' ? '' : ',bridge'}`,
      );
    const host = fc.oneof(
      fc
        .array(nic, { minLength: 1, maxLength: 3 })
        .filter((nics) => nics.some((n) => !n.endsWith(',bridge')))
        .map((nics): HostSpec => vs('v', ...nics)),
      fc.tuple(fc.nat(0x200), fc.integer({ min: 1, max: 0x200 })).map(([s, n]): HostSpec => ({
        name: 'h',
        hypervisor: 'hyper-v',
        min: macFromNumber(0x00155d051400 + s),
        max: macFromNumber(0x00155d051400 + s + n - 1),
      })),
    );
    fc.assert(
      fc.property(host, host, (x, y) => {
        const specs = [
          { ...x, name: 'a' },
          { ...y, name: 'b' },
        ];
        const [a, b] = specs.map((s) => hostModel(s, rnd));
        for (const f of predictCollisions(specs, rnd).findings) {
          expect(f.certainty).toBe('certain');
          const c = f.firstClash;
          if (!c) continue;
          expect(a!.scheme.nth!(c.a)).toBe(c.mac);
          expect(b!.scheme.nth!(c.b)).toBe(c.mac);
          expect(f.shared.some((p) => setContains(p.set, c.mac))).toBe(true);
          for (let n = 0; n < c.a; n++) expect(b!.scheme.indexOf!(a!.scheme.nth!(n))).toBeUndefined();
        }
      }),
    );
  });
});

const macHex = (n: number): string => n.toString(16).padStart(12, '0');
