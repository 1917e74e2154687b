/**
 * The capture reader against a second, independent implementation: Debian's tcpdump (libpcap) writes
 * and reads the captures. Real captures written by tcpdump from live traffic (test/fixtures/observe,
 * examples/observe) must give the frames and source MACs tcpdump prints; captures built byte by byte
 * must read the same after tcpdump rewrote them (`-r ... -w`, also as nanosecond pcap), and tcpdump must
 * read the pcapng files the tests build. Without tcpdump the tests are skipped, except under CI=true.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCapture } from '../../src/observe/frames/capture-reader.js';
import { FrameObserver } from '../../src/observe/frames/frame-observer.js';
import * as b from '../helpers/capture-builder.js';
import { REPO_ROOT } from '../helpers/cli.js';

const hasTcpdump = spawnSync('tcpdump', ['--version']).status === 0;
if (!hasTcpdump && process.env['CI'] === 'true')
  throw new Error('tcpdump is not installed (apt-get install -y tcpdump)');
const ctx = { name: 't', host: null, segment: null, uplinks: [], takenAt: null };
const dir = mkdtempSync(join(tmpdir(), 'macfleet-tcpdump-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function ours(file: string) {
  const o = new FrameObserver();
  const r = readCapture(readFileSync(file), o);
  return { ...r, frames: o.frames, ...o.result(ctx) };
}

/** tcpdump's own reading: one line per frame, the source MAC of each (null: a host's outgoing copy). */
function theirs(file: string): { lines: string[]; sources: (string | null)[] } {
  const text = execFileSync('tcpdump', ['-nn', '-e', '-r', file], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const lines = text.split('\n').filter((l) => /^\d\d:\d\d:\d\d\.\d+ /.test(l));
  const sources = lines.map((l) => {
    if (/ Out /.test(l)) return null;
    const m = /([0-9a-f]{2}(?::[0-9a-f]{2}){5})/.exec(l.slice(16));
    return m === null ? null : m[1]!;
  });
  return { lines, sources };
}

const unicast = (macs: Iterable<string | null>): string[] =>
  [
    ...new Set([...macs].filter((m): m is string => m !== null && (parseInt(m.slice(0, 2), 16) & 1) === 0)),
  ].sort();

describe.skipIf(!hasTcpdump)('captures written by tcpdump', () => {
  const real = [
    join(REPO_ROOT, 'examples/observe/hv02/staging.pcap'),
    join(REPO_ROOT, 'test/fixtures/observe/any-sll.pcap'),
    join(REPO_ROOT, 'test/fixtures/observe/any-sll2.pcap'),
  ];
  for (const file of real) {
    it(`${file.slice(REPO_ROOT.length)}: the frames and source MACs tcpdump prints`, () => {
      const r = ours(file);
      const t = theirs(file);
      expect(r.issues).toEqual([]);
      expect(r.frames).toBe(t.lines.length);
      expect(unicast(r.observations.map((o) => o.mac))).toEqual(unicast(t.sources));
    });
  }

  it('the live capture holds the DAD collision of the copied VM', () => {
    const r = ours(real[0]!);
    const dad = r.observations.filter((o) => o.mac === '52:54:00:aa:bb:01').map((o) => o.dad);
    expect(dad).toEqual([{ probes: 2, defended: 1 }]);
  });

  it('SLL2 ports are the interface indexes tcpdump shows', () => {
    const t = theirs(real[2]!);
    const ifindexes = new Set(
      t.lines.filter((l) => !/ Out /.test(l)).map((l) => /ifindex (\d+)/.exec(l)![1]),
    );
    const ports = new Set(ours(real[2]!).observations.map((o) => o.port!.replace('ifindex ', '')));
    expect([...ports].sort()).toEqual([...ifindexes].sort());
  });

  it('a crafted capture reads the same after tcpdump rewrote it (microseconds and nanoseconds)', () => {
    const A = '52:54:00:aa:00:01';
    const packets: b.Packet[] = [
      {
        time: 1_764_000_000.25,
        data: b.ethernet(
          'ff:ff:ff:ff:ff:ff',
          A,
          0x0806,
          b.arp(1, A, '10.0.0.5', '00:00:00:00:00:00', '10.0.0.1'),
          [42],
        ),
      },
      {
        time: 1_764_000_001.5,
        data: b.ethernet(
          'ff:ff:ff:ff:ff:ff',
          A,
          0x0800,
          b.dhcpRequest(A, {
            type: 3,
            clientId: [1, 0x52, 0x54, 0, 0xaa, 0, 1],
            hostName: 'web01',
            requested: '10.0.0.5',
          }),
        ),
      },
      {
        time: 1_764_000_002,
        data: b.ethernet(
          'ff:ff:ff:ff:ff:ff',
          '52:54:00:aa:00:02',
          0x0806,
          b.arp(2, '52:54:00:aa:00:02', '10.0.0.6', A, '10.0.0.5'),
          [100, 7],
        ),
      },
    ];
    const crafted = join(dir, 'crafted.pcap');
    writeFileSync(crafted, b.pcapFile(packets, { le: false }));
    const expected = ours(crafted);
    for (const extra of [[], ['--time-stamp-precision=nano']]) {
      const out = join(dir, `rewritten${extra.length}.pcap`);
      execFileSync('tcpdump', ['-r', crafted, ...extra, '-w', out], { stdio: 'ignore' });
      const r = ours(out);
      expect(r.observations).toEqual(expected.observations);
      expect(readFileSync(out).readUInt32LE(0)).toBe(extra.length ? 0xa1b23c4d : 0xa1b2c3d4);
    }
    const t = theirs(crafted).lines.join('\n');
    expect(t).toContain('vlan 42');
    expect(t).toMatch(/Request who-has 10\.0\.0\.1 tell 10\.0\.0\.5/);
    expect(t).toMatch(/DHCP-Message \(53\), length 1: Request|BOOTP\/DHCP, Request from 52:54:00:aa:00:01/);
  });

  it('tcpdump reads the pcapng files built here as this reader does', () => {
    const packets: b.Packet[] = Array.from({ length: 6 }, (_, i) => ({
      time: 1_764_000_000 + i,
      iface: i % 3,
      data: b.ethernet(
        'ff:ff:ff:ff:ff:ff',
        `52:54:00:00:00:0${i}`,
        0x0806,
        b.arp(1, `52:54:00:00:00:0${i}`, `10.0.0.${i + 1}`, '00:00:00:00:00:00', '10.0.0.1'),
      ),
    }));
    for (const le of [true, false]) {
      const file = join(dir, `built-${le}.pcapng`);
      writeFileSync(
        file,
        b.pcapngSection([{ name: 'vnet0' }, { name: 'vnet1', tsresol: 9 }, { name: 'eno1' }], packets, {
          le,
        }),
      );
      const t = theirs(file);
      const r = ours(file);
      expect(r.issues).toEqual([]);
      expect(r.frames).toBe(t.lines.length);
      expect(t.lines).toHaveLength(6);
      expect(unicast(r.observations.map((o) => o.mac))).toEqual(unicast(t.sources));
      expect(t.lines[1]).toMatch(/^\d\d:\d\d:01\.000000 /);
    }
  });
});
