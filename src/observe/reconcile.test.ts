import { describe, expect, it } from 'vitest';
import { parseMac, parseMacRange } from '../mac/index.js';
import type { Intended, IntendedAdapter } from './intended.js';
import {
  observationSetSchema,
  observeFindingSchema,
  type Move,
  type Observation,
  type ObservationSet,
  type SourceKind,
} from './model.js';
import { DEFAULT_RECONCILE, reconcile } from './reconcile.js';

const obs = (o: Partial<Observation> & { mac: string }): Observation => ({
  segment: 'br0',
  host: 'hv01',
  port: 'vnet0',
  vlan: null,
  portKind: 'vm',
  first: '2026-11-29T08:00:00.000Z',
  last: '2026-11-29T08:00:00.000Z',
  count: 1,
  seenAs: ['fdb'],
  ips: [],
  ...o,
});
const source = (name: string, kind: SourceKind, observations: Observation[], moves: Move[] = []) => ({
  name,
  kind,
  host: observations[0]?.host ?? null,
  first: '2026-11-29T07:59:00.000Z',
  last: '2026-11-29T08:01:00.000Z',
  observations,
  moves,
});
const set = (...sources: ReturnType<typeof source>[]): ObservationSet =>
  observationSetSchema.parse({ sources, issues: [] });
const adapter = (
  mac: string,
  vm: string,
  host: string,
  over: Partial<IntendedAdapter> = {},
): IntendedAdapter => ({
  mac: parseMac(mac),
  vm,
  host,
  network: 'br0',
  segment: 'br0',
  vlan: null,
  state: null,
  file: `${host}/${vm}.xml`,
  line: 6,
  ...over,
});
const intended = (...adapters: IntendedAdapter[]): Intended => ({ adapters, poolHeld: new Map() });
const kinds = (s: ObservationSet, i: Intended, o = DEFAULT_RECONCILE) =>
  reconcile(s, i, o).map((f) => [f.kind, f.severity, f.mac]);

const M = '52:54:00:aa:bb:01';

describe('reconcile', () => {
  it('live-duplicate: one MAC behind VM ports of two hosts at overlapping times, with evidence', () => {
    const s = set(
      source('hv01/fdb.json', 'fdb', [obs({ mac: M })]),
      source('hv02/fdb.json', 'fdb', [
        obs({ mac: M, host: 'hv02', last: '2026-11-29T08:04:00.000Z', first: '2026-11-29T08:04:00.000Z' }),
      ]),
    );
    const i = intended(adapter(M, 'web01', 'hv01'), adapter(M, 'web01-copy', 'hv02'));
    const findings = reconcile(s, i);
    expect(findings.map((f) => [f.kind, f.severity])).toEqual([['live-duplicate', 'error']]);
    const f = observeFindingSchema.parse(findings[0]);
    expect(f.where.map((w) => `${w.host}/${w.port}`)).toEqual(['hv01/vnet0', 'hv02/vnet0']);
    expect(f.intended.map((r) => r.vm)).toEqual(['web01', 'web01-copy']);
  });

  it('not a duplicate: times apart (a migration), other segment or VLAN, an uplink, --allow, NLB', () => {
    const apart = set(
      source('a', 'pcapng', [
        obs({ mac: M, first: '2026-11-29T08:00:00.000Z', last: '2026-11-29T08:00:10.000Z' }),
      ]),
      source('b', 'pcapng', [
        obs({ mac: M, host: 'hv02', first: '2026-11-29T08:00:11.000Z', last: '2026-11-29T08:01:00.000Z' }),
      ]),
    );
    const i = intended(adapter(M, 'web01', 'hv01'), adapter(M, 'web01', 'hv02'));
    expect(kinds(apart, i)).toEqual([]);
    const otherSegment = set(
      source('a', 'fdb', [obs({ mac: M }), obs({ mac: M, host: 'hv02', segment: 'br9' })]),
    );
    const noSegment = { segment: null, network: null };
    expect(
      kinds(
        otherSegment,
        intended(adapter(M, 'web01', 'hv01', noSegment), adapter(M, 'web01', 'hv02', noSegment)),
      ),
    ).toEqual([]);
    const otherVlan = set(
      source('a', 'fdb', [obs({ mac: M, vlan: 10 }), obs({ mac: M, host: 'hv02', vlan: 20 })]),
    );
    expect(kinds(otherVlan, i)).toEqual([]);
    const uplink = set(
      source('a', 'fdb', [obs({ mac: M }), obs({ mac: M, host: 'hv02', port: 'eno1', portKind: 'uplink' })]),
    );
    expect(kinds(uplink, i)).toEqual([]);
    const twice = set(source('a', 'fdb', [obs({ mac: M }), obs({ mac: M, host: 'hv02' })]));
    expect(
      kinds(twice, i, {
        ...DEFAULT_RECONCILE,
        allow: [parseMacRange('52:54:00:aa:bb:00-52:54:00:aa:bb:0f')],
      }),
    ).toEqual([]);
    const masked = '02:01:0a:00:00:32';
    const nlb = set(source('a', 'fdb', [obs({ mac: masked }), obs({ mac: masked, host: 'hv02' })]));
    expect(kinds(nlb, intended())).toEqual([['nlb', 'info', '02:bf:0a:00:00:32']]);
  });

  it('live-duplicate from DHCP: two clients with one chaddr; and from a DAD defence', () => {
    const dhcp = set(
      source('leases', 'dnsmasq', [
        obs({
          mac: M,
          port: null,
          portKind: 'unknown',
          first: null,
          last: null,
          dhcp: { clientIds: ['01:aa', '01:bb'], hostNames: [], messages: [] },
        }),
      ]),
    );
    expect(kinds(dhcp, intended(adapter(M, 'web01', 'hv01')))).toEqual([['live-duplicate', 'error', M]]);
    const dad = set(
      source('cap', 'pcap', [
        obs({ mac: M, port: null, portKind: 'unknown', dad: { probes: 1, defended: 1 } }),
      ]),
    );
    expect(reconcile(dad, intended(adapter(M, 'web01', 'hv01')))[0]!.message).toMatch(
      /duplicate address detection/,
    );
  });

  it('flap: moves within the window; not for slow moves', () => {
    const moves = (gap: number): Move[] =>
      [0, 1, 2, 3].map((n) => ({
        mac: M,
        at: new Date(Date.parse('2026-11-29T08:00:00Z') + n * gap).toISOString(),
        from: n % 2 ? 'eno1' : 'vnet0',
        to: n % 2 ? 'vnet0' : 'eno1',
      }));
    const o = [obs({ mac: M }), obs({ mac: M, port: 'eno1', portKind: 'uplink' })];
    expect(
      kinds(set(source('cap', 'pcapng', o, moves(5_000))), intended(adapter(M, 'web01', 'hv01'))),
    ).toEqual([['flap', 'warning', M]]);
    expect(
      kinds(set(source('cap', 'pcapng', o, moves(60_000))), intended(adapter(M, 'web01', 'hv01'))),
    ).toEqual([]);
  });

  it('unknown: with classification and vendor; a pool holder is known; uplink sightings are not reported', () => {
    const s = set(
      source('hv01', 'fdb', [
        obs({ mac: '00:15:5d:0a:0b:0c' }),
        obs({ mac: '00:1b:21:0a:0b:0c', port: 'vnet9' }),
        obs({ mac: '02:00:00:00:00:09' }),
        obs({ mac: '52:54:00:00:00:05' }),
        obs({ mac: '00:50:56:00:00:01', port: 'eno1', portKind: 'uplink' }),
      ]),
    );
    const i: Intended = { adapters: [], poolHeld: new Map([[parseMac('52:54:00:00:00:05'), 'allocated']]) };
    const f = reconcile(s, i, {
      ...DEFAULT_RECONCILE,
      vendorOf: (m) => (m === parseMac('00:1b:21:0a:0b:0c') ? 'Intel Corporate' : undefined),
    });
    expect(f.map((x) => [x.mac, x.severity, x.classification, x.vendor])).toEqual([
      ['00:15:5d:0a:0b:0c', 'warning', 'hyper-v', null],
      ['00:1b:21:0a:0b:0c', 'info', 'unknown', 'Intel Corporate'],
      ['02:00:00:00:00:09', 'warning', 'unknown', null],
    ]);
  });

  it('mismatch: another host, segment or VLAN than configured', () => {
    const s = set(source('hv02', 'fdb', [obs({ mac: M, host: 'hv02' })]));
    expect(reconcile(s, intended(adapter(M, 'web01', 'hv01')))[0]).toMatchObject({
      kind: 'mismatch',
      message: expect.stringMatching(/host hv02 \(configured: hv01\)/),
    });
    const seg = set(source('hv01', 'fdb', [obs({ mac: M, segment: 'prod' })]));
    expect(reconcile(seg, intended(adapter(M, 'web01', 'hv01')))[0]!.message).toMatch(/segment prod/);
    const vlan = set(source('hv01', 'fdb', [obs({ mac: M, vlan: 20 })]));
    expect(reconcile(vlan, intended(adapter(M, 'web01', 'hv01', { vlan: 10 })))[0]!.message).toMatch(
      /VLAN 20 \(configured: 10\)/,
    );
  });

  it('stale: running in the inventory, never on the wire of a host that was observed', () => {
    const s = set(source('hv01', 'fdb', [obs({ mac: M })]));
    const i = intended(
      adapter(M, 'web01', 'hv01', { state: 'running' }),
      adapter('52:54:00:aa:bb:02', 'db01', 'hv01', { state: 'running' }),
      adapter('52:54:00:aa:bb:03', 'off01', 'hv01', { state: 'stopped' }),
      adapter('52:54:00:aa:bb:04', 'far01', 'hv07', { state: 'running', segment: 'other', network: 'other' }),
    );
    expect(kinds(s, i)).toEqual([['stale', 'warning', '52:54:00:aa:bb:02']]);
  });

  it('nlb: one finding per cluster, naming spoofing and masked sources', () => {
    const s = set(
      source('cap', 'pcapng', [
        obs({ mac: '02:bf:0a:00:00:32', seenAs: ['frame'], port: 'vnet3' }),
        obs({
          mac: '02:01:0a:00:00:32',
          port: 'vnet1',
          seenAs: ['frame', 'nlb-heartbeat'],
          nlb: { vip: '10.0.0.50', priority: 1 },
        }),
        obs({ mac: '02:02:0a:00:00:32', port: 'vnet2', host: 'hv02' }),
      ]),
    );
    const f = reconcile(s, intended());
    expect(f.map((x) => [x.kind, x.mac, x.vip])).toEqual([['nlb', '02:bf:0a:00:00:32', '10.0.0.50']]);
    expect(f[0]!.message).toMatch(/spoofing is allowed there/);
    expect(f[0]!.message).toMatch(/from 2 port\(s\): normal/);
  });
});
