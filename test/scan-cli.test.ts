/** `macfleet scan` end to end: the report shapes, exit codes and options. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const fleet = join(repo, 'examples', 'fleet');

const cli = (args: string[]) => runCli(args, { cwd: repo });

const tmp = mkdtempSync(join(tmpdir(), 'macfleet-scan-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface JsonReport {
  files: number;
  adapters: {
    file: string;
    line: number;
    vm: string;
    host: string | null;
    network: string | null;
    mac: string | null;
    mode: string;
    hypervisor: string;
  }[];
  findings: {
    kind: string;
    scope?: string;
    severity: string;
    mac?: string;
    message: string;
    members: { file: string; line: number; vm: string; host: string | null; network: string | null }[];
  }[];
  issues: { file: string; line?: number; code: string; message: string }[];
}

describe('macfleet scan', () => {
  it('--json keeps the documented shape, canonical MACs, and exits 1 on errors', async () => {
    const r = await cli(['scan', fleet, '--host-from-path', '{host}/**', '--json']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout) as JsonReport;
    expect(j.files).toBe(18);
    for (const a of j.adapters) {
      expect(Object.keys(a).slice(0, 8)).toEqual([
        'file',
        'line',
        'vm',
        'host',
        'network',
        'mac',
        'mode',
        'hypervisor',
      ]);
      if (a.mac !== null) expect(a.mac).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    }
    const scopes = j.findings.filter((f) => f.kind === 'duplicate').map((f) => f.scope);
    // examples/fleet's same-host duplicate is on VMware (esx01), which powers both VMs on: conflicting.
    expect(new Set(scopes)).toEqual(new Set(['conflicting', 'latent']));
    expect(j.findings.map((f) => f.kind)).toEqual(
      expect.arrayContaining(['nlb', 'range-overlap', 'invalid']),
    );
    for (const f of j.findings) {
      expect(Object.keys(f)).toEqual(expect.arrayContaining(['kind', 'severity', 'message', 'members']));
      for (const m of f.members)
        expect(Object.keys(m).slice(0, 5)).toEqual(['file', 'line', 'vm', 'host', 'network']);
    }
    // The Proxmox snapshot history is a note, not a duplicate.
    expect(j.issues.map((i) => i.code)).toEqual(['HISTORY_IGNORED']);
    expect(j.findings.some((f) => f.mac === 'bc:24:11:5e:01:01')).toBe(false);
  });

  it('--fail-on none exits 0; --fail-on info exits 1', async () => {
    expect((await cli(['scan', fleet, '--fail-on', 'none', '--csv'])).code).toBe(0);
    expect((await cli(['scan', join(fleet, 'ws02'), '--fail-on', 'info'])).code).toBe(0);
    expect((await cli(['scan', join(fleet, 'hv01'), join(fleet, 'hv02'), '--fail-on', 'info'])).code).toBe(1);
  });

  it('--csv has one row per finding member; --sarif is SARIF 2.1.0', async () => {
    const csv = await cli(['scan', fleet, '--host-from-path', '{host}/**', '--csv']);
    expect(csv.stdout.split('\n')[0]).toBe(
      'kind,scope,severity,mac,file,line,column,host,vm,adapter,network,message,fix',
    );
    const sarif = await cli(['scan', fleet, '--host-from-path', '{host}/**', '--sarif']);
    const s = JSON.parse(sarif.stdout) as {
      version: string;
      runs: {
        results: { ruleId: string; locations: { physicalLocation: { region: { startLine: number } } }[] }[];
      }[];
    };
    expect(s.version).toBe('2.1.0');
    expect(s.runs[0]!.results.map((x) => x.ruleId)).toContain('duplicate/conflicting');
    expect(s.runs[0]!.results[0]!.locations[0]!.physicalLocation.region.startLine).toBeGreaterThan(0);
  });

  it('usage errors exit 2', async () => {
    expect((await cli(['scan', fleet, '--json', '--csv'])).code).toBe(2);
    expect((await cli(['scan', fleet, '--fail-on', 'sometimes'])).code).toBe(2);
    expect((await cli(['scan', fleet, '--host-from-path', '**/*.vmx'])).code).toBe(2);
    expect((await cli(['scan'])).code).toBe(2);
  });

  it('--segments maps host networks onto one segment (a latent duplicate becomes conflicting)', async () => {
    const seg = join(tmp, 'segments.yaml');
    writeFileSync(
      seg,
      'segments:\n  lan:\n    - { host: kvm01, network: br0 }\n    - { host: pve01, network: vmbr0 }\n',
    );
    const r = await cli(['scan', fleet, '--host-from-path', '{host}/**', '--segments', seg, '--json']);
    const j = JSON.parse(r.stdout) as JsonReport;
    expect(j.findings.find((f) => f.mac === '52:54:00:12:34:56')?.scope).toBe('conflicting');
    writeFileSync(seg, 'segments:\n  lan:\n    - { host: kvm01 }\n');
    const bad = await cli(['scan', fleet, '--segments', seg]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/segments\.lan\[0\]\.network/);
  });

  it('binary, oversized and unreadable files are issues; symlinks are not followed unless --follow', async () => {
    const dir = join(tmp, 'tree');
    mkdirSync(join(dir, 'h'), { recursive: true });
    writeFileSync(join(dir, 'h', 'disk.vmx'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 0, 0]));
    writeFileSync(join(dir, 'h', 'big.vmx'), `displayName = "big"\n${'#'.repeat(4000)}\n`);
    writeFileSync(join(dir, 'h', 'notes.txt'), 'nothing to see');
    mkdirSync(join(tmp, 'elsewhere'), { recursive: true });
    writeFileSync(
      join(tmp, 'elsewhere', 'x.vmx'),
      'ethernet0.present = "TRUE"\nethernet0.address = "00:50:56:00:00:01"\n',
    );
    symlinkSync(join(tmp, 'elsewhere'), join(dir, 'link'));
    const r = JSON.parse(
      (await cli(['scan', dir, '--json', '--max-file-size', '1000'])).stdout,
    ) as JsonReport;
    expect(r.issues.map((i) => i.code).sort()).toEqual(['BINARY_FILE', 'TOO_LARGE']);
    expect(r.adapters).toHaveLength(0);
    const followed = JSON.parse((await cli(['scan', dir, '--json', '--follow'])).stdout) as JsonReport;
    expect(followed.adapters.map((a) => a.mac)).toEqual(['00:50:56:00:00:01']);
  });

  it('the built CLI scans a large tree with worker threads and finds the same duplicates', () => {
    const dir = join(tmp, 'large');
    for (let h = 0; h < 5; h++) mkdirSync(join(dir, `h${h}`), { recursive: true });
    for (let i = 0; i < 2500; i++) {
      const mac = `00:50:56:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}:00`;
      const dup = i % 500 === 7 ? '00:50:56:3f:00:00' : mac;
      writeFileSync(
        join(dir, `h${i % 5}`, `vm${i}.vmx`),
        `displayName = "vm${i}"\nethernet0.present = "TRUE"\nethernet0.addressType = "static"\nethernet0.address = "${dup}"\nethernet0.networkName = "VM Network"\n`,
      );
    }
    const r = spawnSync(
      join(repo, 'bin', 'macfleet'),
      ['scan', dir, '--json', '--quiet', '--host-from-path', '{host}/**'],
      { encoding: 'utf8', maxBuffer: 1 << 28 },
    );
    expect(r.status).toBe(1);
    const j = JSON.parse(r.stdout) as JsonReport;
    expect(j.files).toBe(2500);
    expect(
      j.findings.filter((f) => f.kind === 'duplicate').map((f) => [f.mac, f.scope, f.members.length]),
    ).toEqual([['00:50:56:3f:00:00', 'conflicting', 5]]);
  });
});
