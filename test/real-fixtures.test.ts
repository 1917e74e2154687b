/**
 * Every real VM config under <repo>/../shared/fixtures/real (see its SOURCES.md) parses to exactly the
 * MACs, networks and modes listed there, through detection as the scan does it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeText } from '../src/formats/decode.js';
import { detectFormat, PARSERS } from '../src/formats/registry.js';
import type { FormatName, MacMode } from '../src/formats/types.js';
import { formatMac } from '../src/mac/index.js';
import { REAL_FIXTURES, realFixturesPresent } from './helpers/real-fixtures.js';

const REAL = REAL_FIXTURES;
// Missing fixtures skip these tests on a developer's machine and fail them under CI.
const present = realFixturesPresent(REAL);

type Row = [mac: string | null, network: string | null, mode: MacMode, enabled?: boolean];
const S = 'static' as const;
const D = 'dynamic' as const;
const U = 'unknown' as const;

const TABLE: Record<string, { format: FormatName; adapters: Row[]; issues?: string[] }> = {
  'vmx/libvirt-ethernet-vpx.vmx': { format: 'vmx', adapters: [['00:50:56:87:65:43', 'VM Network', D]] },
  'vmx/libvirt-ethernet-bridged.vmx': { format: 'vmx', adapters: [['00:50:56:11:22:33', 'VM Network', S]] },
  'vmx/libvirt-vmx2xml-ethernet-custom.vmx': {
    format: 'vmx',
    adapters: [['00:50:56:11:22:33', 'vmnet7', S]],
  },
  'vmx/libvirt-vmx2xml-ethernet-generated.vmx': {
    format: 'vmx',
    adapters: [['00:0c:29:11:22:33', 'VM Network', D]],
  },
  'vmx/libvirt-esx-in-the-wild-2.vmx': { format: 'vmx', adapters: [['00:0c:29:3c:98:3e', 'VM Network', D]] },
  'vmx/libvirt-esx-in-the-wild-6.vmx': { format: 'vmx', adapters: [['00:0c:29:2c:3a:fc', 'VM Network', D]] },
  'vmx/libvirt-esx-in-the-wild-12.vmx': { format: 'vmx', adapters: [['00:50:56:a0:cf:2f', 'VM Network', D]] },
  'vmx/libvirt-fusion-in-the-wild-1.vmx': {
    format: 'vmx',
    adapters: [
      ['00:0c:29:3b:64:ea', 'VMnet0', D],
      ['00:0c:29:3b:64:f4', 'VMnet0', D],
    ],
  },
  'vmx/libvirt-xml2vmx-ethernet-mac-type.vmx': {
    format: 'vmx',
    adapters: [
      ['aa:bb:cc:dd:ee:ff', 'br0', S],
      ['00:0c:29:dd:ee:fe', 'br1', S],
      ['aa:bb:cc:dd:ee:fd', 'br2', D],
    ],
  },
  'vmx/virtmanager-test-vmdk-desc.vmx': { format: 'vmx', adapters: [['00:0c:29:f7:05:02', 'VM Network', D]] },
  'vmx/virtv2v-test-i-vmx-1.vmx': { format: 'vmx', adapters: [['00:0c:29:36:ef:31', 'VM Network', D]] },
  // Bridged without a networkName (Fusion, bsdname en0): the network is the bridged connection itself.
  'vmx/virtv2v-test-i-vmx-5.vmx': { format: 'vmx', adapters: [['00:0c:29:bf:e4:5d', 'bridged', D]] },
  'vmx/virtv2v-test-i-vmx-7.vmx': { format: 'vmx', adapters: [['00:0c:29:46:9b:0b', 'VM Network', D]] },

  'libvirt-xml/libvirt-net-user.xml': {
    format: 'libvirt-xml',
    adapters: [['00:11:22:33:44:55', 'user (SLIRP)', U]],
  },
  'libvirt-xml/libvirt-net-hostdev.xml': {
    format: 'libvirt-xml',
    adapters: [['00:11:22:33:44:55', 'PCI 0000:03:07.1', U]],
  },
  'libvirt-xml/libvirt-net-openvswitch.xml': {
    format: 'libvirt-xml',
    adapters: [['00:11:22:33:44:55', 'openvswitch-net;plug-bridge-basic', U]],
  },
  'libvirt-xml/libvirt-net-virtio-network-portgroup.xml': {
    format: 'libvirt-xml',
    adapters: [
      ['00:11:22:33:44:55', 'rednet', U],
      ['10:11:22:33:44:55', 'blue', U],
      ['22:11:22:33:44:55', 'blue', U],
    ],
  },
  'libvirt-xml/libvirt-net-vhostuser-multiq.xml': {
    format: 'libvirt-xml',
    adapters: [
      ['52:54:00:ee:96:6b', '/tmp/vhost0.sock', U],
      ['52:54:00:ee:96:6c', '/tmp/vhost1.sock', U],
      ['52:54:00:95:db:c0', 'server port 2015', U],
      ['52:54:00:ee:96:6d', '/tmp/vhost2.sock', U],
      ['52:54:00:ee:96:6e', '/tmp/vhost3.sock', U],
    ],
  },
  'libvirt-xml/libvirt-xml2vmx-ethernet-mac-type.xml': {
    format: 'libvirt-xml',
    adapters: [
      ['aa:bb:cc:dd:ee:ff', 'br0', U],
      ['00:0c:29:dd:ee:fe', 'br1', S],
      ['aa:bb:cc:dd:ee:fd', 'br2', D],
    ],
  },
  'libvirt-xml/virtv2v-test-mac.xml.in': {
    format: 'libvirt-xml',
    adapters: [
      ['52:54:00:99:99:99', 'VM Network', U],
      ['52:54:00:01:02:03', 'bob', U],
      ['52:54:00:01:02:04', 'default', U],
      ['52:54:00:01:02:05', 'john', U],
      ['52:54:00:01:02:06', 'paul', U],
      ['52:54:00:01:02:07', 'george', U],
      ['52:54:00:01:02:08', 'ringo', U],
    ],
  },

  'proxmox/cfg2cmd-netdev.conf': { format: 'proxmox', adapters: [['a2:c0:43:77:08:a0', 'vmbr0', S]] },
  'proxmox/cfg2cmd-simple1.conf': { format: 'proxmox', adapters: [['a2:c0:43:77:08:a0', 'vmbr0', S]] },
  'proxmox/cfg2cmd-netdev_vxlan.conf': {
    format: 'proxmox',
    adapters: [['a2:c0:43:77:08:a0', 'vxlan_bridge', S]],
  },
  'proxmox/cfg2cmd-netdev-7.1-multiqueues.conf': {
    format: 'proxmox',
    adapters: [['a2:c0:43:77:08:a0', 'vmbr0', S]],
  },
  'proxmox/snapshot-input-create-101.conf': {
    format: 'proxmox',
    adapters: [['12:34:56:78:90:12', 'somebr0', S]],
  },
  'proxmox/snapshot-expected-create-101.conf': {
    format: 'proxmox',
    adapters: [['12:34:56:78:90:12', 'somebr0', S]],
    issues: ['HISTORY_IGNORED'],
  },
  'proxmox/snapshot-input-rollback-104.conf': {
    format: 'proxmox',
    adapters: [['12:34:56:78:90:12', 'somebr0', S]],
    issues: ['HISTORY_IGNORED'],
  },
  'proxmox/parse-config-input-snapshots.conf': {
    format: 'proxmox',
    adapters: [
      ['bc:24:11:a3:da:b1', 'vnet0', S],
      ['bc:24:11:79:d5:65', 'vnet0', S],
    ],
    issues: ['HISTORY_IGNORED'],
  },
  'proxmox/parse-config-input-duplicate-sections.conf': {
    format: 'proxmox',
    adapters: [['bc:24:11:2c:69:ec', 'vnet0', S]],
    issues: ['HISTORY_IGNORED'],
  },
  'proxmox/parse-config-input-locked.conf': {
    format: 'proxmox',
    adapters: [['92:38:11:fd:ed:87', 'vmbr0', S]],
  },
  'proxmox/restore-config-input-179.conf': {
    format: 'proxmox',
    adapters: [['26:15:5b:73:3f:7c', 'vmbr0', S]],
  },

  'ovf/virtmanager-test1.ovf': { format: 'ovf', adapters: [[null, 'VM Network', D]] },
  'ovf/virtmanager-test2.ovf': { format: 'ovf', adapters: [[null, 'VM Network', D]] },
  'ovf/virtmanager-test_gzip.ovf': { format: 'ovf', adapters: [[null, 'bridged', D]] },
  'ovf/virtmanager-CentOS-6.4-i386-Gnome.ovf': {
    format: 'ovf',
    adapters: [
      ['08:00:27:c3:b0:f9', 'NAT', S, true],
      ['08:00:27:19:ea:5c', null, S, false],
      ['08:00:27:f3:b4:18', null, S, false],
      ['08:00:27:06:ca:4f', null, S, false],
      ['08:00:27:78:61:d7', null, S, false],
      ['08:00:27:30:63:80', null, S, false],
      ['08:00:27:47:95:f7', null, S, false],
      ['08:00:27:c9:42:f3', null, S, false],
    ],
  },
  'ovf/virtv2v-test-i-ova.ovf': { format: 'ovf', adapters: [[null, 'VM Network', D]] },
  'ovf/virtv2v-test-i-ova-two-disks.ovf': { format: 'ovf', adapters: [[null, 'PG-VLAN60', D]] },
  'ovf/virtv2v-test-o-ovirt.ovf.expected': { format: 'ovf', adapters: [['00:11:22:33:44:55', 'default', S]] },
  'ovf/virtv2v-test-o-vdsm-options.ovf.expected': {
    format: 'ovf',
    adapters: [['00:11:22:33:44:55', 'default', S]],
  },
};

describe.skipIf(!present)('real fixtures (../shared/fixtures/real)', () => {
  it('the table covers every fixture file', async () => {
    const { readdirSync } = await import('node:fs');
    const all = readdirSync(REAL, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .flatMap((d) => readdirSync(join(REAL, d.name)).map((f) => `${d.name}/${f}`));
    expect(all.sort()).toEqual(Object.keys(TABLE).sort());
  });

  for (const [file, want] of Object.entries(TABLE)) {
    it(`${file} → ${want.adapters.length} adapter(s)`, () => {
      const bytes = readFileSync(join(REAL, file));
      const decoded = decodeText(bytes);
      expect(decoded).not.toBeNull();
      const text = decoded!.text;
      const format = detectFormat(file, text);
      expect(format).toBe(want.format);
      const r = PARSERS[format!](text, { file });
      expect(
        r.adapters.map((a): Row => [a.mac === null ? null : formatMac(a.mac), a.network, a.mode, a.enabled]),
      ).toEqual(want.adapters.map(([m, n, mode, enabled]) => [m, n, mode, enabled ?? true]));
      expect(r.issues.map((i) => i.code)).toEqual(want.issues ?? []);
      // Positions are exact: the span holds the MAC as written.
      for (const a of r.adapters) {
        if (a.macSpan === null) continue;
        expect(text.slice(a.macSpan.offset, a.macSpan.offset + a.macSpan.length)).toBe(a.macText);
        const lineText = text.split('\n')[a.line - 1]!;
        expect(lineText.slice(a.column - 1, a.column - 1 + a.macSpan.length)).toBe(a.macText);
      }
    });
  }
});
