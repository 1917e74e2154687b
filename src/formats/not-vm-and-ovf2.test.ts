// Issue 11, from a real corpus: OVF 2.x EthernetPortItem adapters are read; libvirt XML that is not a
// VM definition but has a <domain> element is not a VM config.
import { describe, expect, it } from 'vitest';
import { formatMac } from '../mac/index.js';
import { parseLibvirtXml } from './libvirt-xml/libvirt-format.js';
import { parseOvf } from './ovf/ovf-format.js';
import { detectFormat } from './registry.js';

// Shaped like DMTF DSP0243 2.x: EthernetPortItem with epasd:* children (CIM_EthernetPortAllocationSettingData).
const OVF2 = `<?xml version="1.0" encoding="UTF-8"?>
<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/2"
  xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData"
  xmlns:epasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_EthernetPortAllocationSettingData">
  <VirtualSystem ovf:id="web01">
    <Name>web01</Name>
    <VirtualHardwareSection>
      <Item>
        <rasd:ElementName>1 virtual CPU</rasd:ElementName>
        <rasd:InstanceID>1</rasd:InstanceID>
        <rasd:ResourceType>3</rasd:ResourceType>
      </Item>
      <EthernetPortItem>
        <epasd:Address>00:50:56:01:02:03</epasd:Address>
        <epasd:Connection>VM Network</epasd:Connection>
        <epasd:ElementName>Ethernet 1</epasd:ElementName>
        <epasd:InstanceID>3</epasd:InstanceID>
        <epasd:ResourceType>10</epasd:ResourceType>
      </EthernetPortItem>
      <Item>
        <rasd:Address>00:50:56:01:02:04</rasd:Address>
        <rasd:Connection>Backup</rasd:Connection>
        <rasd:ElementName>Ethernet 2</rasd:ElementName>
        <rasd:ResourceType>10</rasd:ResourceType>
      </Item>
      <EthernetPortItem>
        <epasd:Connection>VM Network</epasd:Connection>
        <epasd:ElementName>Ethernet 3</epasd:ElementName>
      </EthernetPortItem>
    </VirtualHardwareSection>
  </VirtualSystem>
</Envelope>
`;

describe('OVF 2.x EthernetPortItem (DSP0243 2.x)', () => {
  it('reads epasd:Address and epasd:Connection, in document order with rasd Items', () => {
    const r = parseOvf(OVF2, { file: 'web01.ovf' });
    expect(r.issues).toEqual([]);
    expect(
      r.adapters.map((a) => [a.adapter, a.mac === null ? null : formatMac(a.mac), a.network, a.mode]),
    ).toEqual([
      ['Ethernet 1', '00:50:56:01:02:03', 'VM Network', 'static'],
      ['Ethernet 2', '00:50:56:01:02:04', 'Backup', 'static'],
      ['Ethernet 3', null, 'VM Network', 'dynamic'],
    ]);
    // The value's position is exact, for `fix` to rewrite it.
    const a = r.adapters[0]!;
    expect(OVF2.slice(a.macSpan!.offset, a.macSpan!.offset + a.macSpan!.length)).toBe('00:50:56:01:02:03');
  });
});

// Shapes of libvirt's own documents (libvirt.org formatnetwork, formatcaps, formatdomaincaps).
const NETWORK = `<network>
  <name>default</name>
  <bridge name="virbr0"/>
  <mac address="52:54:00:0a:cd:21"/>
  <domain name="example.com" localOnly="no"/>
  <forward mode="nat"/>
  <ip address="192.168.122.1" netmask="255.255.255.0"/>
</network>`;
const DOMAIN_CAPS = `<domainCapabilities>
  <path>/usr/bin/qemu-system-x86_64</path>
  <domain>kvm</domain>
  <machine>pc-q35-8.2</machine>
  <arch>x86_64</arch>
</domainCapabilities>`;
const CAPS = `<capabilities>
  <host><uuid>00000000-0000-0000-0000-000000000000</uuid></host>
  <guest>
    <os_type>hvm</os_type>
    <arch name="x86_64">
      <domain type="qemu"/>
      <domain type="kvm"/>
    </arch>
  </guest>
</capabilities>`;

describe('XML with a <domain> element that is not a VM definition', () => {
  it('network XML, capabilities and domainCapabilities are not VM configs', () => {
    for (const [name, text] of [
      ['default.xml', NETWORK],
      ['domcaps.xml', DOMAIN_CAPS],
      ['caps.xml', CAPS],
    ] as const) {
      expect(detectFormat(name, text)).toBeUndefined();
    }
    // Read as libvirt XML anyway (a caller forcing the format), they hold no domain and no adapter.
    expect(parseLibvirtXml(NETWORK, { file: 'default.xml' }).adapters).toEqual([]);
    expect(parseLibvirtXml(DOMAIN_CAPS, { file: 'domcaps.xml' }).adapters).toEqual([]);
  });

  it('a domain wrapped in a <node> (the test driver) is still one', () => {
    const node = `<node><domain type='test'><name>a</name><devices><interface type='bridge'><mac address='52:54:00:00:00:01'/><source bridge='br0'/></interface></devices></domain></node>`;
    expect(detectFormat('node.xml', node)).toBe('libvirt-xml');
    expect(parseLibvirtXml(node, { file: 'node.xml' }).adapters).toHaveLength(1);
  });
});
