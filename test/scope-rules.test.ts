/**
 * The scope rule on real files (test/fixtures/scope-rules, hosts h1 and h2 as top-level folders):
 * VirtualBox host-only networks are per host, libvirt user-mode (SLIRP) adapters share no segment, an
 * NLB multicast cluster MAC on two adapters is a duplicate, and one MAC on many networks is split so
 * that each finding's message is true of every member.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { hostMatcher } from '../src/scan/host-from-path.js';
import { scan } from '../src/scan/scan.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'scope-rules');

it('gives one finding per host-and-network group, per segment, and one latent per MAC', async () => {
  const r = await scan([ROOT], { hostFromPath: hostMatcher('{host}/**') });
  const dups = r.findings
    .filter((f) => f.kind === 'duplicate')
    .map((f) => [f.scope, f.mac, f.members.map((m) => `${m.host}/${m.vm}`).join(' '), f.message]);
  // h1 and h2 run KVM (libvirt), which starts both VMs of a same-host duplicate: conflicting, not blocking.
  expect(dups).toEqual([
    [
      'conflicting',
      '03:bf:0a:00:00:64',
      'h1/nlb1 h1/nlb2',
      '03:bf:0a:00:00:64 is configured on 2 adapters on one L2 segment (br0) on one host (h1) that starts both VMs: libvirt/QEMU check nothing: both VMs run with one MAC and the bridge forwarding table flaps between their ports',
    ],
    [
      'conflicting',
      '52:54:00:cc:00:01',
      'h1/app-a h1/app-b h2/app-d',
      '52:54:00:cc:00:01 is configured on 3 adapters on one L2 segment (br0) from different hosts (h1, h2): switch MAC tables flap and DHCP/ARP break; on h1 (br0) both VMs start: libvirt/QEMU check nothing: both VMs run with one MAC and the bridge forwarding table flaps between their ports',
    ],
    [
      'latent',
      '08:00:27:00:01:01',
      'ws1/lab-a ws2/lab-b',
      '08:00:27:00:01:01 is configured on 2 adapters on different segments (vboxnet0 on ws1, vboxnet0 on ws2): harmless until a VM moves or a network is bridged, then it conflicts',
    ],
    [
      'latent',
      '52:54:00:bb:00:01',
      'h1/slirp1 h1/slirp2',
      '52:54:00:bb:00:01 is configured on 2 adapters on different segments (user (SLIRP) of slirp1, user (SLIRP) of slirp2): harmless until a VM moves or a network is bridged, then it conflicts',
    ],
    [
      'latent',
      '52:54:00:cc:00:01',
      'h1/app-a h1/app-b h1/app-c h2/app-d',
      '52:54:00:cc:00:01 is configured on 4 adapters across 2 segments (br0, br1): between segments it is harmless until a VM moves or a network is bridged, then it conflicts',
    ],
  ]);
  // The document says what the audit decided, adapter by adapter.
  const segmentOfVm = (vm: string) => r.adapters.find((a) => a.vm === vm);
  expect([segmentOfVm('lab-a')?.hostPrivate, segmentOfVm('slirp1')?.hostPrivate]).toEqual([true, true]);
});
