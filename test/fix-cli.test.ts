/**
 * `macfleet fix` end to end, in-process, on copies of examples/fleet and of the scope fixtures: plan
 * (exit 1, nothing written), apply (a new scan finds no duplicate of the fixed scopes), apply again
 * (nothing to do), undo (every file back byte for byte, MACs released), and the refusals.
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixPlanSchema, type FixPlan } from '../src/fix/plan-schema.js';
import { FORMAT_NAMES } from '../src/formats/types.js';
import { hostMatcher } from '../src/scan/host-from-path.js';
import { scan } from '../src/scan/scan.js';
import { REPO_ROOT, runCli } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'macfleet-fix-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const db = join(dir, 'fix.db');

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const r = await runCli(args, { env: { HOME: dir }, cwd: dir });
  return { code: r.code, out: r.stdout, err: r.stderr };
}

/** Every file under `root`, path → bytes. */
function snapshot(root: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(root, p), readFileSync(p));
    }
  };
  walk(root);
  return out;
}

const readPlan = (file: string): FixPlan =>
  fixPlanSchema.parse(JSON.parse(readFileSync(join(dir, file), 'utf8')));

beforeAll(async () => {
  expect((await cli(['init', '--db', db, '--prefix', '0a:aa:bb:00:00:00/24'])).code).toBe(0);
  // VMware static MACs must lie in 00:50:56:00:00:00-3f:ff:ff: a pool there for the .vmx files.
  const vm = await cli([
    'pool',
    'create',
    'vmware',
    '--range',
    '00:50:56:3f:00:00-00:50:56:3f:ff:ff',
    '--db',
    db,
  ]);
  expect(vm.code).toBe(0);
});

describe('fix on examples/fleet', () => {
  const fleet = join(dir, 'fleet');
  let original: Map<string, Buffer>;
  beforeAll(() => {
    cpSync(join(REPO_ROOT, 'examples', 'fleet'), fleet, { recursive: true });
    original = snapshot(fleet);
  });
  const base = ['--host-from-path', '{host}/**', '--db', db, '--pool', 'vmware'];

  it('plans: a table and a diff, exit 1, nothing written; planning again replays the same MACs', async () => {
    const r = await cli([
      'fix',
      'fleet',
      ...base,
      '--scope',
      'latent',
      '--out',
      'plan.json',
      '--ps1',
      'hv.ps1',
    ]);
    expect(r.err).toBe('');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^FILE:LINE\s+VM\s+HOST\s+NETWORK\s+OLD MAC\s+NEW MAC\s+RESOLVES$/m);
    expect(r.out).toContain('fleet/esx01/web02/web02.vmx:15');
    expect(r.out).toMatch(/^-ethernet0\.address = "00:50:56:10:00:01"$/m);
    expect(r.out).toMatch(/^\+ethernet0\.address = "00:50:56:3f:00:[0-9a-f]{2}"$/m);
    expect(snapshot(fleet)).toEqual(original);
    const plan = readPlan('plan.json');
    // web01/web02 share 00:50:56:10:00:01 on one VMware host (conflicting: VMware starts both), db01/db01-clone 00:50:56:10:00:20 (conflicting),
    // legacy has a static MAC outside VMware's range (invalid), dev01/dev02 a Hyper-V MAC (latent).
    expect(plan.changes.map((c) => [c.vm, c.finding.kind, c.finding.scope ?? null, c.via])).toEqual(
      expect.arrayContaining([
        ['web02', 'duplicate', 'conflicting', 'file'],
        ['db01', 'duplicate', 'conflicting', 'file'],
        ['legacy', 'invalid', null, 'file'],
        ['dev02', 'duplicate', 'latent', 'powershell'],
      ]),
    );
    expect(plan.changes.every((c) => !c.oldMac.startsWith('02:bf'))).toBe(true); // NLB untouched
    expect(readFileSync(join(dir, 'hv.ps1'), 'utf8')).toMatch(
      /Set-VMNetworkAdapter -VMName 'dev02' -Name 'Network Adapter' -ComputerName 'HV02' -StaticMacAddress '0050563F00[0-9A-F]{2}'/,
    );
    const again = await cli(['fix', 'fleet', ...base, '--scope', 'latent', '--json']);
    expect((JSON.parse(again.out) as FixPlan).allocations).toEqual(plan.allocations);
  });

  it('applies the saved plan; a new scan has no duplicate left but the Hyper-V one (PowerShell)', async () => {
    const r = await cli(['fix', '--apply', 'plan.json', '--db', db]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/applied: \d+ file\(s\) written, 0 already done, 0 refused/);
    const after = await scan([fleet], { hostFromPath: hostMatcher('{host}/**') });
    const dups = after.findings.filter((f) => f.kind === 'duplicate');
    expect(dups.map((f) => [f.scope, f.mac])).toEqual([['latent', '00:15:5d:0a:05:03']]);
    expect(after.findings.some((f) => f.kind === 'invalid' && f.mac === '00:0c:29:aa:bb:cc')).toBe(false);
    expect(existsSync(join(fleet, 'esx01/web02/web02.vmx.macfleet-bak'))).toBe(true);
    // The backups are never read as VMs.
    expect(after.adapters.some((a) => a.file.endsWith('.macfleet-bak'))).toBe(false);
    const twice = await cli(['fix', '--apply', 'plan.json', '--db', db]);
    expect(twice.code).toBe(0);
    expect(twice.out).toMatch(/0 file\(s\) written, \d+ already done, 0 refused/);
  });

  it('undo puts every file back byte for byte and releases the MACs', async () => {
    const plan = readPlan('plan.json');
    const r = await cli(['fix', '--undo', 'plan.json', '--db', db]);
    expect(r.code).toBe(0);
    expect(snapshot(fleet)).toEqual(original);
    const fileMacs = plan.allocations.filter((a) =>
      plan.changes.some((c) => c.via === 'file' && a.owner === `${c.file} ${c.adapter}`),
    );
    expect(r.out).toContain(`${fileMacs.length} MAC(s) released`);
    const who = await cli(['whois', fileMacs[0]!.mac, '--db', db, '--json']);
    expect(JSON.parse(who.out)).toMatchObject({ holding: { state: 'quarantined' } });
    expect((await cli(['fix', '--undo', 'plan.json', '--db', db])).code).toBe(0);
  });

  it('refuses a file changed since the plan, with its path, and applies the others', async () => {
    await cli(['fix', 'fleet', ...base, '--out', 'plan2.json']);
    const plan = readPlan('plan2.json');
    const victim = plan.files[0]!.file;
    const edited = `${readFileSync(victim, 'utf8')}# edited\n`;
    writeFileSync(victim, edited);
    const r = await cli(['fix', '--apply', 'plan2.json', '--db', db]);
    expect(r.code).toBe(3);
    expect(r.out).toContain(`refused ${relative(dir, victim)}`);
    expect(r.out).toContain('[STALE_FILE]');
    expect(readFileSync(victim, 'utf8')).toBe(edited);
    expect(existsSync(`${victim}.macfleet-bak`)).toBe(false);
    for (const f of plan.files.slice(1)) expect(existsSync(`${f.file}.macfleet-bak`)).toBe(true);
    // Undo restores the others and refuses the edited one.
    const u = await cli(['fix', '--undo', 'plan2.json', '--db', db]);
    expect(u.code).toBe(3);
    writeFileSync(victim, original.get(relative(fleet, victim))!);
    expect(snapshot(fleet)).toEqual(original);
  });
});

describe('fix on the scope fixtures of every format', () => {
  for (const format of FORMAT_NAMES) {
    it(format, async () => {
      const root = join(dir, 'scopes', format);
      cpSync(join(REPO_ROOT, 'test', 'fixtures', 'scopes', format), root, { recursive: true });
      const original = snapshot(root);
      const plan = await cli([
        'fix',
        root,
        '--host-from-path',
        '{host}/**',
        '--db',
        db,
        '--scope',
        'latent',
        '--apply',
        '--out',
        join(root, '..', `${format}.json`),
      ]);
      expect(plan.code).toBe(0);
      const saved = readPlan(join('scopes', `${format}.json`));
      expect(saved.changes.length).toBeGreaterThanOrEqual(3);
      const rescan = await scan([root], { hostFromPath: hostMatcher('{host}/**') });
      const dups = rescan.findings.filter((f) => f.kind === 'duplicate');
      if (saved.files.length > 0) {
        expect(dups).toEqual([]);
      } else {
        // Hyper-V exports and the inventory are not the configuration: commands or manual steps instead.
        expect(snapshot(root)).toEqual(original);
        expect(
          saved.changes.every((c) => c.via === (format === 'inventory-csv' ? 'manual' : 'powershell')),
        ).toBe(true);
      }
      expect((await cli(['fix', '--undo', join('scopes', `${format}.json`), '--db', db])).code).toBe(0);
      expect(snapshot(root)).toEqual(original);
    });
  }
});

describe('choices and warnings', () => {
  it('--keep first / <glob> / oldest decide who keeps the MAC', async () => {
    const root = join(dir, 'keep');
    cpSync(join(REPO_ROOT, 'test', 'fixtures', 'scopes', 'libvirt-xml'), root, { recursive: true });
    const keeps = async (keep: string) => {
      const r = await cli([
        'fix',
        root,
        '--host-from-path',
        '{host}/**',
        '--db',
        db,
        '--keep',
        keep,
        '--json',
      ]);
      return (JSON.parse(r.out) as FixPlan).changes.map((c) => relative(root, c.file)).sort();
    };
    const first = await keeps('first');
    const glob = await keeps('**/h1/web1.xml');
    expect(glob).not.toContain('h1/web1.xml');
    utimesSync(join(root, 'h2', 'web3.xml'), new Date(2001, 1, 1), new Date(2001, 1, 1));
    const oldest = await keeps('oldest');
    expect(oldest).not.toContain('h2/web3.xml');
    expect(first).not.toContain('h1/web1.xml');
  });

  it('--dynamic writes the dynamic setting and warns where the scheme hands the duplicate back', async () => {
    for (const format of ['vmc', 'hyperv-json'] as const) {
      const root = join(dir, 'dyn', format);
      cpSync(join(REPO_ROOT, 'test', 'fixtures', 'scopes', format), root, { recursive: true });
      const r = await cli(['fix', root, '--host-from-path', '{host}/**', '--dynamic', '--json']);
      const plan = JSON.parse(r.out) as FixPlan;
      expect(plan.changes.every((c) => c.action === 'dynamic' && c.newMac === null)).toBe(true);
      expect(plan.allocations).toEqual([]);
      expect(plan.warnings.join('\n')).toMatch(
        format === 'vmc' ? /Virtual Server draws dynamic MACs/ : /Hyper-V hands out dynamic MACs/,
      );
    }
    const root = join(dir, 'dyn', 'vmware');
    mkdirSync(root, { recursive: true });
    const vmx = (name: string) =>
      `displayName = "${name}"\nuuid.bios = "56 4d b1 a3 c5 e2 0d 11-6e 51 ef b5 d7 59 7e 49"\nethernet0.present = "TRUE"\nethernet0.networkName = "VM Network"\nethernet0.addressType = "generated"\nethernet0.generatedAddress = "00:0c:29:59:7e:49"\nethernet0.generatedAddressOffset = "0"\n`;
    writeFileSync(join(root, 'a.vmx'), vmx('a'));
    writeFileSync(join(root, 'b.vmx'), vmx('b'));
    const r = await cli(['fix', root, '--dynamic', '--json']);
    const plan = JSON.parse(r.out) as FixPlan;
    expect(plan.changes).toHaveLength(1);
    expect(plan.warnings.join('\n')).toMatch(/VMware will generate 00:0c:29:59:7e:49 from its uuid.bios/);
  });

  it('refuses to write through a symlink that leads outside the scanned roots', async () => {
    const root = join(dir, 'links');
    const outside = join(dir, 'outside');
    mkdirSync(root, { recursive: true });
    mkdirSync(outside, { recursive: true });
    const xml = (mac: string) =>
      `<domain type='kvm'><name>v</name><devices><interface type='bridge'><mac address='${mac}'/><source bridge='br0'/></interface></devices></domain>\n`;
    writeFileSync(join(root, 'a.xml'), xml('52:54:00:00:00:01'));
    writeFileSync(join(outside, 'b.xml'), xml('52:54:00:00:00:01'));
    utimesSync(join(root, 'a.xml'), new Date(2001, 1, 1), new Date(2001, 1, 1));
    symlinkSync(join(outside, 'b.xml'), join(root, 'b.xml'));
    const r = await cli(['fix', root, '--follow', '--db', db, '--apply']);
    expect(r.code).toBe(3);
    expect(r.out).toContain('[UNSAFE_PATH]');
    expect(readFileSync(join(outside, 'b.xml'), 'utf8')).toBe(xml('52:54:00:00:00:01'));
  });

  it('nothing to fix: exit 0; bad plans: exit 2 with the JSON path', async () => {
    const clean = join(dir, 'clean');
    mkdirSync(clean, { recursive: true });
    writeFileSync(join(clean, 'a.conf'), 'name: a\nnet0: virtio=BC:24:11:00:00:09,bridge=vmbr0\n');
    const r = await cli(['fix', clean, '--db', db]);
    expect([r.code, r.out]).toEqual([0, 'nothing to fix\n']);
    writeFileSync(join(dir, 'bad.json'), '{"macfleetFixPlan": 1');
    expect((await cli(['fix', '--apply', 'bad.json'])).code).toBe(2);
    const plan = readPlan('plan.json');
    writeFileSync(
      join(dir, 'bad2.json'),
      JSON.stringify({ ...plan, files: [{ ...plan.files[0], before: 'xyz' }] }),
    );
    const bad = await cli(['fix', '--apply', 'bad2.json']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('$.files[0].before');
    expect((await cli(['fix', '--scope', 'all', clean])).code).toBe(2);
    expect((await cli(['fix'])).code).toBe(2);
  });
});

describe('backups elsewhere, and a pool too small', () => {
  it('--backup-dir mirrors the tree; undo finds the files without it', async () => {
    const root = join(dir, 'bk');
    cpSync(join(REPO_ROOT, 'test', 'fixtures', 'scopes', 'proxmox'), root, { recursive: true });
    const original = snapshot(root);
    const r = await cli([
      'fix',
      root,
      '--host-from-path',
      '{host}/**',
      '--db',
      db,
      '--apply',
      '--backup-dir',
      'backups',
      '--out',
      'bk.json',
    ]);
    expect(r.code).toBe(0);
    const plan = readPlan('bk.json');
    for (const f of plan.files) {
      expect(existsSync(`${f.file}.macfleet-bak`)).toBe(false);
      expect(readFileSync(join(dir, 'backups', f.file.replace(/^\//, '')))).toEqual(
        original.get(relative(root, f.file)),
      );
    }
    expect((await cli(['fix', '--undo', 'bk.json', '--db', db])).code).toBe(0);
    expect(snapshot(root)).toEqual(original);
  });

  it('an exhausted pool refuses the plan (exit 3) and writes nothing', async () => {
    expect(
      (await cli(['pool', 'create', 'tiny', '--range', '0a:cc:00:00:00:00-0a:cc:00:00:00:00', '--db', db]))
        .code,
    ).toBe(0);
    const root = join(dir, 'tiny');
    cpSync(join(REPO_ROOT, 'test', 'fixtures', 'scopes', 'vbox'), root, { recursive: true });
    const original = snapshot(root);
    const r = await cli([
      'fix',
      root,
      '--host-from-path',
      '{host}/**',
      '--db',
      db,
      '--pool',
      'tiny',
      '--apply',
    ]);
    expect(r.code).toBe(3);
    expect(r.err).toContain('[POOL_EXHAUSTED]');
    expect(snapshot(root)).toEqual(original);
  });
});
