/**
 * The scan document hand-off: the real `scan --json` of examples/fleet and of every scope fixture set,
 * imported into a fresh inventory, gives `findings` that name the same duplicate MACs with the same
 * scopes and the same members as the scan's own findings.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'macfleet-scan-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Member {
  host: string | null;
  vm: string;
  network: string | null;
}
interface DupFinding {
  kind: string;
  scope?: string;
  mac?: string;
  members: Member[];
}

/** `scope mac host/vm@network,...` per duplicate finding, sorted: the comparison key of both faces. */
const keys = (findings: readonly DupFinding[]): string[] =>
  findings
    .filter((f) => f.kind === 'duplicate')
    .map(
      (f) =>
        `${f.scope} ${f.mac} ` +
        f.members
          .map((m) => `${m.host}/${m.vm}@${m.network ?? '(not connected)'}`)
          .sort()
          .join(','),
    )
    .sort();

let n = 0;
async function roundTrip(
  root: string,
  before: readonly string[][] = [],
): Promise<{ scan: string[]; fleet: string[] }> {
  const env = { MACFLEET_DB: join(dir, `fleet-${n++}.db`) };
  const scan = await runCli(['scan', root, '--host-from-path', '{host}/**', '--json', '--fail-on', 'none']);
  expect(scan.code, scan.stderr).toBe(0);
  const file = join(dir, `scan-${n}.json`);
  writeFileSync(file, scan.stdout);
  for (const args of before) {
    const r = await runCli(args, { env });
    expect(r.code, r.stderr).toBe(0);
  }
  // OVF and inventory CSV do not say which hypervisor runs them: the scan then assumes the strictest rule
  // (a same-host duplicate is blocking), and the import is told a hypervisor with that rule.
  const imported = await runCli(['import', file, '--hypervisor', 'virtual-server', '--json'], { env });
  expect(imported.code, imported.stderr).toBe(0);
  const result = JSON.parse(imported.stdout) as { issues: { code: string }[] };
  expect(result.issues.filter((i) => i.code !== 'INVALID_MAC')).toEqual([]);
  const findings = await runCli(['findings', '--json'], { env });
  return {
    scan: keys((JSON.parse(scan.stdout) as { findings: DupFinding[] }).findings),
    fleet: keys((JSON.parse(findings.stdout) as { findings: DupFinding[] }).findings),
  };
}

const hyperV = (host: string, ip: string) => ['host', 'add', host, '--hypervisor', 'hyper-v', '--ip', ip];

describe('scan --json piped into import: findings agree with the scan', () => {
  it('examples/fleet', async () => {
    const { scan, fleet } = await roundTrip(join(REPO_ROOT, 'examples', 'fleet'));
    expect(scan.length).toBeGreaterThan(4);
    expect(fleet).toEqual(scan);
  });

  it('scope rules (test/fixtures/scope-rules: host-only, SLIRP, NLB multicast, one MAC on many networks)', async () => {
    const { scan, fleet } = await roundTrip(join(REPO_ROOT, 'test', 'fixtures', 'scope-rules'));
    expect(scan).toHaveLength(5);
    expect(fleet).toEqual(scan);
  });

  const scopes = join(REPO_ROOT, 'test', 'fixtures', 'scopes');
  for (const format of readdirSync(scopes).sort()) {
    it(`scope fixtures: ${format}`, async () => {
      // Static Hyper-V MACs do not tell a host's pool: the hosts are added first, as import asks.
      const before = format.startsWith('hyperv')
        ? [hyperV('h1', '10.0.10.1'), hyperV('h2', '10.0.10.2')]
        : [];
      const { scan, fleet } = await roundTrip(join(scopes, format), before);
      // Each set has a same-host, a cross-host and a cross-segment duplicate. The same-host one is
      // blocking where the hypervisor refuses the second start or cuts its port (Virtual Server, Hyper-V,
      // or no hypervisor named), conflicting where it starts both (VMware, KVM, Proxmox, VirtualBox).
      const startsBoth = ['libvirt-xml', 'proxmox', 'vbox', 'vmx'].includes(format);
      expect(scan.map((k) => k.split(' ')[0])).toEqual([
        startsBoth ? 'conflicting' : 'blocking',
        'conflicting',
        'latent',
      ]);
      expect(fleet).toEqual(scan);
    });
  }
});
