import { describe, expect, it } from 'vitest';
import { formatMac } from '../mac/index.js';
import { parseHypervCsv, parseInventoryCsv } from './csv/csv-formats.js';
import { decodeText } from './decode.js';
import { parseHypervJson } from './hyperv/hyperv-json-format.js';
import { parseLibvirtXml } from './libvirt-xml/libvirt-format.js';
import { parseProxmox } from './proxmox/proxmox-format.js';
import { detectFormat } from './registry.js';
import { parseVmc } from './vmc/vmc-format.js';
import { parseVmx } from './vmx/vmx-format.js';

const macs = (r: { adapters: { mac: number | null }[] }) =>
  r.adapters.map((a) => (a.mac === null ? null : formatMac(a.mac as never)));

describe('format detection', () => {
  it('by extension, then by content', () => {
    expect(detectFormat('a/b.vmx', '')).toBe('vmx');
    expect(detectFormat('x.vmc', '')).toBe('vmc');
    expect(detectFormat('x.xml', "<domain type='kvm'><name>a</name></domain>")).toBe('libvirt-xml');
    expect(detectFormat('x.xml', '<?xml version="1.0"?>\n<VirtualBox xmlns="x">')).toBe('vbox');
    expect(detectFormat('x.xml', '<ovf:Envelope xmlns:ovf="x">')).toBe('ovf');
    expect(detectFormat('x.xml', '<?xml version="1.0" encoding="UTF-16"?>\n<preferences>')).toBe('vmc');
    expect(detectFormat('x.xml', '<project/>')).toBeUndefined();
    // The root element decides, after a BOM, the declaration, comments and a DOCTYPE.
    expect(
      detectFormat(
        'x.xml',
        '\uFEFF <?xml version="1.0"?>\n<!-- a <VirtualBox> copy -->\n<!DOCTYPE domain>\n<domain/>',
      ),
    ).toBe('libvirt-xml');
    expect(detectFormat('x.xml', "<domainsnapshot><domain type='kvm'/></domainsnapshot>")).toBe(
      'libvirt-xml',
    );
    expect(
      detectFormat('x.xml', '<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1"><VirtualBox/>'),
    ).toBe('ovf');
    // A wrapper root (libvirt's test driver) is searched for the known roots.
    expect(detectFormat('x.xml', "<node><domain type='test'/></node>")).toBe('libvirt-xml');
    expect(detectFormat('101.conf', 'name: a\nnet0: virtio=BC:24:11:00:00:01,bridge=vmbr0\n')).toBe(
      'proxmox',
    );
    expect(detectFormat('nginx.conf', 'server { listen 80; }')).toBeUndefined();
    expect(detectFormat('a.json', '[{"VMName":"a","MacAddress":"00155D000001"}]')).toBe('hyperv-json');
    expect(detectFormat('a.json', '{"name":"x"}')).toBeUndefined();
    expect(
      detectFormat(
        'a.csv',
        '#TYPE Microsoft.HyperV.PowerShell.VMNetworkAdapter\n"Name","VMName","MacAddress"\n',
      ),
    ).toBe('hyperv-csv');
    expect(detectFormat('a.csv', 'host,vm,adapter,network,mac\n')).toBe('inventory-csv');
    expect(detectFormat('vm-settings', 'ethernet0.present = "TRUE"\n')).toBe('vmx');
  });
  it('backup and previous copies are never read as VMs', () => {
    expect(detectFormat('web01.vmx~', 'ethernet0.present = "TRUE"\n')).toBeUndefined();
    expect(detectFormat('lab.vbox-prev', '<VirtualBox>')).toBeUndefined();
    expect(detectFormat('101.conf.bak', 'name: a\nnet0: virtio=BC:24:11:00:00:01\n')).toBeUndefined();
  });
});

describe('decodeText', () => {
  it('reads UTF-16 LE/BE with a BOM, UTF-8 with or without one, and refuses binary', () => {
    const s = '<a>é</a>';
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, 'utf16le')]);
    const be = Buffer.from(le.subarray(2)).swap16();
    expect(decodeText(le)).toEqual({ text: s, encoding: 'utf-16le', bom: true });
    expect(decodeText(Buffer.concat([Buffer.from([0xfe, 0xff]), be]))).toEqual({
      text: s,
      encoding: 'utf-16be',
      bom: true,
    });
    expect(decodeText(Buffer.from(`\uFEFF${s}`))).toEqual({ text: s, encoding: 'utf-8', bom: true });
    expect(decodeText(Buffer.from(s, 'utf16le'))?.text).toBe(s);
    expect(decodeText(Buffer.from([1, 2, 0, 3]))).toBeNull();
    expect(decodeText(Buffer.from([0xc3, 0x28]))).toBeNull();
  });
});

describe('problems are issues at exact positions', () => {
  it('vmx: a bad MAC names the key, line and column of the value', () => {
    const r = parseVmx(
      'displayName = "a"\r\nethernet0.present = "TRUE"\r\nethernet0.addressType = "static"\r\nethernet0.address = "00:50:56:zz:00:01"\r\n',
      { file: 'a.vmx' },
    );
    expect(r.issues).toEqual([
      expect.objectContaining({ file: 'a.vmx', line: 4, column: 22, code: 'INVALID_MAC' }),
    ]);
    expect(r.issues[0]!.message).toMatch(/ethernet0\.address/);
    expect(r.adapters[0]!.mac).toBeNull();
  });
  it('vmx: static without an address is reported', () => {
    const r = parseVmx('ethernet0.present = "TRUE"\nethernet0.addressType = "static"\n');
    expect(r.issues.map((i) => i.code)).toEqual(['MISSING_FIELD']);
  });
  it('XML: malformed documents give the line and column of the problem', () => {
    const r = parseLibvirtXml(
      "<domain>\n  <devices>\n    <interface type='bridge'>\n  </devices>\n</domain>\n",
    );
    expect(r.issues).toEqual([expect.objectContaining({ code: 'PARSE_ERROR', line: 4 })]);
  });
  it('JSON: malformed input is a PARSE_ERROR with a line', () => {
    const r = parseHypervJson('[\n {"MacAddress": "00155D000001",}\n]');
    expect(r.issues[0]).toEqual(expect.objectContaining({ code: 'PARSE_ERROR' }));
    expect(r.issues[0]!.line).toBeGreaterThanOrEqual(1);
  });
  it('inventory CSV: a wrong header is reported, a bad mode is a warning', () => {
    expect(parseInventoryCsv('vm,mac\nx,00:11:22:33:44:55\n').issues.map((i) => i.code)).toEqual([
      'MISSING_FIELD',
    ]);
    const r = parseInventoryCsv('host,vm,adapter,network,mac,mode\nh,v,eth0,n,00:11:22:33:44:55,sticky\n');
    expect(r.issues).toEqual([
      expect.objectContaining({ code: 'PARSE_ERROR', severity: 'warning', line: 2, column: 30 }),
    ]);
  });
});

describe('format specifics', () => {
  it('Hyper-V JSON: a single object, spoofing as the OnOffState number, unassigned dynamic MACs', () => {
    const text =
      '{"VMName":"a","Name":"NIC","SwitchName":"External","MacAddress":"00155D0A0001","DynamicMacAddressEnabled":false,"MacAddressSpoofing":1,"ComputerName":"HV1"}';
    const one = parseHypervJson(text);
    const column = text.indexOf('00155D') + 1;
    expect(one.adapters[0]).toEqual(
      expect.objectContaining({
        vm: 'a',
        host: 'HV1',
        mode: 'static',
        macSpoofing: true,
        network: 'External',
        line: 1,
        column,
      }),
    );
    const none = parseHypervJson(
      '[{"VMName":"b","MacAddress":"000000000000","DynamicMacAddressEnabled":true,"SwitchName":"Default Switch"}]',
    );
    expect(none.adapters[0]).toEqual(
      expect.objectContaining({ mac: null, mode: 'dynamic', hostPrivate: true }),
    );
  });
  it('Hyper-V CSV without the #TYPE line', () => {
    const row = '"NIC","a","External","00155D0A0001","False","Off","HV1"';
    const r = parseHypervCsv(
      `"Name","VMName","SwitchName","MacAddress","DynamicMacAddressEnabled","MacAddressSpoofing","ComputerName"\r\n${row}\r\n`,
    );
    expect(r.adapters[0]).toEqual(
      expect.objectContaining({
        vm: 'a',
        host: 'HV1',
        mode: 'static',
        macSpoofing: false,
        line: 2,
        column: row.indexOf('00155D') + 1,
      }),
    );
  });
  it('Proxmox: macaddr= and LXC hwaddr=, VLAN tags are part of the network', () => {
    const r = parseProxmox(
      'name: a\nnet0: model=virtio,macaddr=BC:24:11:00:00:01,bridge=vmbr0,tag=20\nnet1: name=eth0,bridge=vmbr1,hwaddr=BC:24:11:00:00:02,ip=dhcp,type=veth\n',
    );
    expect(macs(r)).toEqual(['bc:24:11:00:00:01', 'bc:24:11:00:00:02']);
    expect(r.adapters.map((a) => a.network)).toEqual(['vmbr0 (VLAN 20)', 'vmbr1']);
  });
  it('libvirt: a domainsnapshot embeds history, not a VM', () => {
    const r = parseLibvirtXml(
      "<domainsnapshot><name>snap1</name><domain type='kvm'><name>a</name><devices><interface type='bridge'><mac address='52:54:00:00:00:01'/><source bridge='br0'/></interface></devices></domain></domainsnapshot>",
    );
    expect(r.adapters).toEqual([]);
    expect(r.issues.map((i) => [i.code, i.severity])).toEqual([['HISTORY_IGNORED', 'info']]);
  });
  it('vmc: an empty address is dynamic, an address outside 00-03-FF is static', () => {
    const r = parseVmc(
      '<preferences><hardware><pci_bus><ethernet_adapter><ethernet_controller id="0"><virtual_network><name type="string">LAN</name></virtual_network><ethernet_card_address type="bytes"></ethernet_card_address></ethernet_controller><ethernet_controller id="1"><ethernet_card_address type="bytes">00155D000001</ethernet_card_address></ethernet_controller></ethernet_adapter></pci_bus></hardware></preferences>',
      { file: 'C:\\VMs\\DC01.vmc' },
    );
    expect(r.adapters.map((a) => [a.vm, a.mode, a.network])).toEqual([
      ['DC01', 'dynamic', 'LAN'],
      ['DC01', 'static', null],
    ]);
  });
});

describe('legacy code pages a file declares (issue 16)', () => {
  // "Café Münster" in windows-1252: é is 0xE9, ü is 0xFC (not valid UTF-8).
  const cp1252 = (s: string) => Uint8Array.from([...s].map((c) => c.charCodeAt(0)));
  const vmx = (name: string) =>
    `.encoding = "windows-1252"\ndisplayName = "${name}"\nethernet0.present = "TRUE"\nethernet0.addressType = "static"\nethernet0.address = "00:50:56:00:00:01"\n`;

  it('a windows-1252 .vmx is decoded as such, not skipped as binary', () => {
    const d = decodeText(cp1252(vmx('Café Münster')));
    expect(d).toMatchObject({ encoding: 'windows-1252', bom: false });
    expect(d?.text).toContain('displayName = "Café Münster"');
    const r = parseVmx(d!.text, { file: 'a.vmx' });
    expect(r.adapters).toMatchObject([{ vm: 'Café Münster', macText: '00:50:56:00:00:01' }]);
  });

  it('Shift_JIS and an XML declaration are read as declared; UTF-8 and ASCII files are unchanged', () => {
    // 日本 in Shift_JIS: 93 fa 96 7b.
    const head = Buffer.from('.encoding = "Shift_JIS"\ndisplayName = "', 'latin1');
    const sjis = Buffer.concat([head, Buffer.from([0x93, 0xfa, 0x96, 0x7b]), Buffer.from('"\n')]);
    expect(decodeText(sjis)).toMatchObject({ encoding: 'shift_jis' });
    expect(decodeText(sjis)?.text).toContain('"日本"');
    const xml = Buffer.concat([
      Buffer.from(`<?xml version="1.0" encoding="ISO-8859-1"?>\n<domain><name>caf`, 'latin1'),
      Buffer.from([0xe9]),
      Buffer.from('</name></domain>\n'),
    ]);
    expect(decodeText(xml)?.text).toContain('<name>café</name>');
    expect(decodeText(Buffer.from(vmx('Café')))).toMatchObject({ encoding: 'windows-1252' });
    expect(decodeText(Buffer.from('.encoding = "UTF-8"\ndisplayName = "Café"\n'))).toMatchObject({
      encoding: 'utf-8',
      text: '.encoding = "UTF-8"\ndisplayName = "Café"\n',
    });
    // An unknown label: read as UTF-8 when it is, binary when not.
    expect(decodeText(Buffer.from('.encoding = "x-nonsense"\na = "é"\n'))?.encoding).toBe('utf-8');
    expect(decodeText(cp1252('.encoding = "x-nonsense"\na = "é"\n'))).toBeNull();
  });
});
