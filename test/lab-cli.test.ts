/** `lab run`, `doctor nlb`, `doctor spoofing` end to end, in process (run() with a fake CliIo). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tmp = mkdtempSync(join(tmpdir(), 'macfleet-lab-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const cli = (...argv: string[]) => runCli(argv, { cwd: root });

describe('macfleet doctor nlb', () => {
  it('Hyper-V unicast with spoofing off: every symptom of the issue, event 53 verbatim, the three fixes (--json shape)', async () => {
    const r = await cli(
      'doctor',
      'nlb',
      '--hypervisor',
      'hyper-v',
      '--mode',
      'unicast',
      '--vip',
      '10.0.0.100',
      '--nodes',
      '2',
      '--mac-spoofing',
      'off',
      '--json',
    );
    expect(r.code).toBe(0);
    const d = JSON.parse(r.stdout) as Record<string, unknown> & {
      symptoms: { code: string; evidence: string[] }[];
      events: { id: number; source: string; message: string }[];
      fixes: { code: string }[];
    };
    expect(Object.keys(d)).toEqual([
      'works',
      'mode',
      'hypervisor',
      'cluster',
      'symptoms',
      'events',
      'warnings',
      'fixes',
    ]);
    expect(d).toMatchObject({
      works: false,
      mode: 'unicast',
      hypervisor: 'hyper-v',
      cluster: { vip: '10.0.0.100', mac: '02-BF-0A-00-00-64' },
    });
    expect(d.symptoms.map((s) => s.code)).toEqual([
      'connectivity-lost',
      'event-53',
      'vip-not-on-adapter',
      'mac-not-changed',
      'vip-conflict',
      'vip-unreachable',
    ]);
    for (const s of d.symptoms) expect(s.evidence.length).toBeGreaterThan(0);
    expect(d.events[0]).toEqual({
      id: 53,
      source: 'Microsoft-Windows-NLB',
      message:
        "NLB cluster [10.0.0.100]: NLB will not attach to adapter 'nlb1 Ethernet' because it does not support dynamic changing of its MAC address. Replace the network adapter with one which supports that capability.",
    });
    expect(d.fixes.map((f) => f.code)).toEqual(['enable-mac-spoofing', 'use-multicast', 'use-igmp']);
  });

  it('IGMP mode gives the group; multicast warns that routers need a static ARP entry', async () => {
    const igmp = JSON.parse(
      (
        await cli(
          'doctor',
          'nlb',
          '--hypervisor',
          'vmware',
          '--mode',
          'igmp',
          '--vip',
          '192.168.7.20',
          '--json',
        )
      ).stdout,
    ) as { cluster: unknown; works: boolean };
    expect(igmp).toMatchObject({
      works: true,
      cluster: { vip: '192.168.7.20', mac: '01-00-5E-7F-07-14', group: '239.255.7.20' },
    });
    const text = (
      await cli(
        'doctor',
        'nlb',
        '--hypervisor',
        'ovs',
        '--mode',
        'multicast',
        '--vip',
        '192.168.7.20',
        '--port-security',
        'off',
      )
    ).stdout;
    expect(text).toContain('[router-needs-static-arp]');
    expect(text).toContain('arp 192.168.7.20 03bf.c0a8.0714 ARPA');
  });

  it('bad options exit 2 with a JSON error on stderr', async () => {
    for (const argv of [
      ['--hypervisor', 'hyper-v', '--mode', 'unicast', '--vip', '10.0.0.300'],
      ['--hypervisor', 'hyper-v', '--mode', 'broadcast', '--vip', '10.0.0.1'],
      ['--hypervisor', 'xen', '--mode', 'unicast', '--vip', '10.0.0.1'],
      ['--hypervisor', 'vmware', '--mode', 'unicast', '--vip', '10.0.0.10', '--mac-spoofing', 'on'],
      ['--hypervisor', 'hyper-v', '--mode', 'unicast', '--vip', '10.0.0.10', '--nodes', '33'],
    ]) {
      const r = await cli('doctor', 'nlb', ...argv, '--json');
      expect(r.code, argv.join(' ')).toBe(2);
      expect(JSON.parse(r.stderr)).toHaveProperty('error.code');
    }
  });

  it('--scenario prints YAML that lab run replays to the same verdict', async () => {
    const yaml = (
      await cli(
        'doctor',
        'nlb',
        '--hypervisor',
        'vmware',
        '--mode',
        'unicast',
        '--vip',
        '192.168.1.100',
        '--vmware-defaults',
        'legacy',
        '--scenario',
      )
    ).stdout;
    const file = join(tmp, 'legacy.yaml');
    writeFileSync(file, yaml);
    const replay = JSON.parse((await cli('lab', 'run', file, '--json')).stdout) as {
      clusters: { works: boolean; warnings: { code: string }[] }[];
    };
    expect(replay.clusters[0]!.works).toBe(true);
    expect(replay.clusters[0]!.warnings.map((w) => w.code)).toEqual([
      'unicast-flooding',
      'rarp-pins-cluster-mac',
    ]);
  });
});

describe('macfleet lab run', () => {
  it('prints each frame with where it went or why it was dropped', async () => {
    const r = await cli('lab', 'run', 'examples/lab/spoofing-attack-guard-on.yaml');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      'HV1-External: dropped at port mallory (mac-spoofing: Hyper-V MAC address spoofing is off',
    );
    expect(r.stdout).toContain('Expectations: met');
    const trace = await cli('lab', 'run', 'examples/lab/nlb-hyper-v-unicast-spoofing-off.yaml', '--trace');
    expect(trace.stdout).toContain('FDB HV1-External:');
    expect(trace.stdout).toContain('not-flooded');
  });

  it('an invalid scenario exits 2 naming the line and what was expected', async () => {
    const file = join(tmp, 'bad.yaml');
    writeFileSync(file, 'name: bad\nswitches:\n  - name: s1\n    kind: hyperv\nsteps: []\n');
    const r = await cli('lab', 'run', file);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `${file}:4:11: switches[0].kind: expected one of hyper-v, vmware, ovs, libvirt, got "hyperv"`,
    );
    const missing = await cli('lab', 'run', join(tmp, 'nope.yaml'), '--json');
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.stderr)).toMatchObject({ error: { code: 'IO_ERROR' } });
  });
});

describe('macfleet doctor spoofing', () => {
  it('lists the adapters that allow spoofing and whom they could impersonate', async () => {
    const r = await cli('doctor', 'spoofing', 'examples/lab/spoofing-attack-guard-off.yaml', '--json');
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.stdout) as {
      adapters: { vm: string; allowsSpoofing: boolean }[];
      exposures: { attacker: string; victim: string; effect: string }[];
    };
    expect(rep.adapters.map((a) => [a.vm, a.allowsSpoofing])).toEqual([
      ['web', true],
      ['mallory', true],
    ]);
    expect(rep.exposures.map((x) => `${x.attacker}->${x.victim}:${x.effect}`)).toEqual([
      'web->mallory:redirect',
      'mallory->web:redirect',
    ]);
    const pinned = JSON.parse(
      (await cli('doctor', 'spoofing', 'examples/lab/spoofing-attack-pinned-victim.yaml', '--json')).stdout,
    ) as typeof rep;
    expect(pinned.exposures.map((x) => `${x.attacker}->${x.victim}:${x.effect}`)).toEqual([
      'mallory->web:impersonate',
    ]);
  });
});
