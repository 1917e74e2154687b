/** Every format has a fixture set with one duplicate of each scope (test/fixtures/scopes/<format>). */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FORMAT_NAMES } from '../src/formats/types.js';
import { hostMatcher } from '../src/scan/host-from-path.js';
import { scan } from '../src/scan/scan.js';

const SCOPES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'scopes');

// MAC of each scope per format: same host and network, conflicting, latent.
const EXPECTED: Record<(typeof FORMAT_NAMES)[number], [string, string, string]> = {
  vmx: ['00:50:56:01:00:01', '00:50:56:01:00:02', '00:50:56:01:00:03'],
  'libvirt-xml': ['52:54:00:aa:00:01', '52:54:00:aa:00:02', '52:54:00:aa:00:03'],
  proxmox: ['bc:24:11:00:00:01', 'bc:24:11:00:00:02', 'bc:24:11:00:00:03'],
  vmc: ['00:03:ff:1a:2b:01', '00:03:ff:1a:2b:02', '00:03:ff:1a:2b:03'],
  vbox: ['08:00:27:00:00:01', '08:00:27:00:00:02', '08:00:27:00:00:03'],
  ovf: ['00:50:56:02:00:01', '00:50:56:02:00:02', '00:50:56:02:00:03'],
  'hyperv-json': ['00:15:5d:0a:00:01', '00:15:5d:0a:00:02', '00:15:5d:0a:00:03'],
  'hyperv-csv': ['00:15:5d:0a:00:01', '00:15:5d:0a:00:02', '00:15:5d:0a:00:03'],
  'inventory-csv': ['02:00:00:00:00:01', '02:00:00:00:00:02', '02:00:00:00:00:03'],
};

// [issue 11] The same-host same-network duplicate is `blocking` where the hypervisor refuses the second
// start (Virtual Server, Resource Kit ch. 11) or cuts its port (Hyper-V, VMSMP event 28), and where the
// format names no hypervisor (OVF, inventory CSV); VMware shares the MAC (vSphere Troubleshooting) and
// libvirt, Proxmox and VirtualBox check nothing: `conflicting` there.
const SAME_HOST_SCOPE: Record<(typeof FORMAT_NAMES)[number], 'blocking' | 'conflicting'> = {
  vmx: 'conflicting',
  'libvirt-xml': 'conflicting',
  proxmox: 'conflicting',
  vmc: 'blocking',
  vbox: 'conflicting',
  ovf: 'blocking',
  'hyperv-json': 'blocking',
  'hyperv-csv': 'blocking',
  'inventory-csv': 'blocking',
};

describe('a duplicate of each scope in every format', () => {
  for (const format of FORMAT_NAMES) {
    it(format, async () => {
      const r = await scan([join(SCOPES, format)], { hostFromPath: hostMatcher('{host}/**') });
      expect(r.formats).toEqual({ [format]: r.files });
      expect(r.issues.filter((i) => i.severity !== 'info')).toEqual([]);
      const dups = r.findings.filter((f) => f.kind === 'duplicate').map((f) => [f.scope, f.mac, f.severity]);
      const [b, c, l] = EXPECTED[format];
      expect(dups).toEqual([
        [SAME_HOST_SCOPE[format], b, 'error'],
        ['conflicting', c, 'error'],
        ['latent', l, 'warning'],
      ]);
      // Same-host members share one host; conflicting members span two.
      const blocking = r.findings.find((f) => f.mac === b)!;
      expect(new Set(blocking.members.map((m) => m.host)).size).toBe(1);
      expect(blocking.members).toHaveLength(2);
      const conflicting = r.findings.find((f) => f.mac === c)!;
      expect(new Set(conflicting.members.map((m) => m.host))).toEqual(new Set(['h1', 'h2']));
    });
  }

  it('disabled adapters (vmx present=FALSE, vbox enabled=false) are reported, never counted', async () => {
    for (const format of ['vmx', 'vbox']) {
      const r = await scan([join(SCOPES, format)], { hostFromPath: hostMatcher('{host}/**') });
      const disabled = r.adapters.filter((a) => !a.enabled);
      expect(disabled).toHaveLength(1);
      const blocking = r.findings.find((f) => f.mac === EXPECTED[format as 'vmx' | 'vbox'][0])!;
      expect(blocking.members.every((m) => m.file !== disabled[0]!.file)).toBe(true);
    }
  });

  it('Proxmox snapshot history is not counted, and a note says so', async () => {
    const r = await scan([join(SCOPES, 'proxmox')], { hostFromPath: hostMatcher('{host}/**') });
    expect(r.adapters.filter((a) => a.vm === 'db2')).toHaveLength(2);
    expect(r.issues.map((i) => [i.code, i.severity])).toEqual([['HISTORY_IGNORED', 'info']]);
  });

  it('UTF-16 LE, UTF-16 BE and UTF-8 .vmc files all read', async () => {
    const r = await scan([join(SCOPES, 'vmc')]);
    expect(r.adapters.map((a) => a.vm)).toEqual([
      'W2K3-A',
      'W2K3-A',
      'W2K3-B',
      'W2K3-B',
      'W2K3-C',
      'W2K3-C',
      'W2K3-C',
    ]);
    const empty = r.adapters.find((a) => a.mac === null)!;
    expect(empty.mode).toBe('dynamic');
  });
});
