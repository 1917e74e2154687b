import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseFdb } from './fdb/fdb.js';
import { parseArpwatch } from './leases/arpwatch.js';
import { parseDnsmasqLeases } from './leases/dnsmasq.js';
import { parseDhcpdLeases } from './leases/isc-dhcpd.js';
import { parseKeaLeases } from './leases/kea-csv.js';
import type { SourceContext } from './model.js';
import { parseNeigh } from './neigh/neigh.js';
import { decodeBridgeMib, OID } from './snmp/bridge-mib.js';
import { sniffKind } from './sources.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`../../test/fixtures/observe/${name}`, import.meta.url), 'utf8');
const TAKEN = Date.parse('2026-11-29T08:00:00Z');
const ctx = (over: Partial<SourceContext> = {}): SourceContext => ({
  name: 'f',
  host: 'hv01',
  segment: null,
  uplinks: [],
  takenAt: TAKEN,
  ...over,
});

describe('bridge -j fdb show (iproute2 6.1 on this machine)', () => {
  it("keeps learned and static entries, not the ports' own (permanent) or self entries", () => {
    const r = parseFdb(fixture('fdb-self.json'), ctx());
    expect(r.issues).toEqual([]);
    expect(r.observations.map((o) => [o.mac, o.port, o.portKind, o.segment, o.last])).toEqual([
      ['00:1b:21:0a:0b:0c', 'eno1', 'uplink', 'br0', '2026-11-29T07:59:57.000Z'],
      ['52:54:00:12:34:56', 'vnet0', 'vm', 'br0', '2026-11-29T07:59:57.000Z'],
      ['52:54:00:99:99:01', 'tap101i0', 'vm', 'br0', '2026-11-29T07:59:57.000Z'],
      ['bc:24:11:ab:cd:ef', 'tap101i0', 'vm', 'br0', '2026-11-29T07:59:57.000Z'],
    ]);
  });

  it('--uplink and --segment override; vlan is read; bad entries are issues, not crashes', () => {
    const text = JSON.stringify([
      { mac: '52:54:00:12:34:56', ifname: 'veth1', vlan: 10, flags: [], master: 'br0', state: '' },
      { mac: 'zz', ifname: 'vnet0', flags: [], master: 'br0', state: '' },
      { ifname: 'vnet0' },
    ]);
    const r = parseFdb(text, ctx({ uplinks: ['veth1'], segment: 'staging' }));
    expect(r.observations.map((o) => [o.portKind, o.segment, o.vlan])).toEqual([['uplink', 'staging', 10]]);
    expect(r.issues.map((i) => i.message)).toEqual([
      expect.stringMatching(/^\[1\]\.mac/),
      expect.stringMatching(/^\[2\]: expected an object/),
    ]);
    expect(parseFdb('[{"mac":', ctx()).issues[0]).toMatchObject({ code: 'PARSE_ERROR', offset: 8, line: 1 });
  });
});

describe('ip -j neigh show', () => {
  it('learned states only (REACHABLE, STALE), with the address', () => {
    const r = parseNeigh(fixture('neigh-states.json'), ctx());
    expect(r.observations.map((o) => [o.mac, o.ips, o.port])).toEqual([
      ['52:54:00:12:34:56', ['10.40.0.11'], 'br0'],
      ['bc:24:11:ab:cd:ef', ['10.40.0.12'], 'br0'],
    ]);
  });
});

describe('leases and watchers', () => {
  it('arpwatch arp.dat, compact and padded addresses', () => {
    const text =
      '0:8:e1:1:2:d6\t10.0.0.9\t1764403200\tprinter\n52:54:00:aa:bb:01\t10.0.0.11\t1764403260\nbroken line\n';
    const r = parseArpwatch(text, ctx());
    expect(r.observations.map((o) => [o.mac, o.ips, o.last])).toEqual([
      ['00:08:e1:01:02:d6', ['10.0.0.9'], '2025-11-29T08:00:00.000Z'],
      ['52:54:00:aa:bb:01', ['10.0.0.11'], '2025-11-29T08:01:00.000Z'],
    ]);
    expect(r.issues).toEqual([expect.objectContaining({ line: 3, offset: 81, code: 'PARSE_ERROR' })]);
  });

  it('dnsmasq leases: host name and client-id; the DHCPv6 part skipped', () => {
    const text =
      '1764406800 52:54:00:aa:bb:01 10.0.0.11 web01 01:52:54:00:aa:bb:01\n' +
      '1764406900 52:54:00:aa:bb:01 10.0.0.21 web01-copy *\n' +
      'duid 00:01:00:01:2c:aa:bb:cc:52:54:00:aa:bb:01\n1764406800 1234 fd00::5 web01 00:01:00:01\n';
    const r = parseDnsmasqLeases(text, ctx());
    expect(r.issues).toEqual([]);
    expect(r.observations).toHaveLength(1);
    expect(r.observations[0]!.dhcp).toEqual({
      clientIds: ['01:52:54:00:aa:bb:01'],
      hostNames: ['web01', 'web01-copy'],
      messages: [],
    });
    expect(r.observations[0]!.ips).toEqual(['10.0.0.11', '10.0.0.21']);
  });

  it('ISC dhcpd.leases: uid with octal escapes, cltt, a block cut short', () => {
    const text = `# The format of this file is documented in the dhcpd.leases(5) manual page.
lease 172.17.1.4 {
  starts 0 2019/10/20 09:58:13;
  ends 0 2019/10/20 10:03:13;
  cltt 0 2019/10/20 09:58:13;
  binding state active;
  hardware ethernet 00:16:3e:ef:a9:c1;
  uid "\\001\\000\\026>\\357\\251\\301";
  client-hostname "vxp_0";
}
lease 172.17.1.5 {
  starts 0 2019/10/20 10:00:00;
  hardware ethernet 00:16:3e:ef:a9:c2;
`;
    const r = parseDhcpdLeases(text, ctx());
    expect(r.observations.map((o) => [o.mac, o.first, o.dhcp?.clientIds])).toEqual([
      ['00:16:3e:ef:a9:c1', '2019-10-20T09:58:13.000Z', ['01:00:16:3e:ef:a9:c1']],
      ['00:16:3e:ef:a9:c2', '2019-10-20T10:00:00.000Z', []],
    ]);
    expect(r.observations[0]!.dhcp!.hostNames).toEqual(['vxp_0']);
    expect(r.issues).toEqual([expect.objectContaining({ code: 'TRUNCATED', line: 11 })]);
  });

  it('Kea lease4 CSV by header names, escaped commas', () => {
    const text =
      'address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,user_context,pool_id\n' +
      '10.0.0.11,52:54:00:aa:bb:01,01:52:54:00:aa:bb:01,3600,1764406800,1,0,0,web01&#x2cstaging,0,,0\n' +
      '10.0.0.12,not-a-mac,,3600,1764406800,1,0,0,,0,,0\n';
    const r = parseKeaLeases(text, ctx());
    expect(r.observations.map((o) => [o.mac, o.first, o.dhcp])).toEqual([
      [
        '52:54:00:aa:bb:01',
        '2025-11-29T08:00:00.000Z',
        { clientIds: ['01:52:54:00:aa:bb:01'], hostNames: ['web01,staging'], messages: ['default'] },
      ],
    ]);
    expect(r.issues).toEqual([expect.objectContaining({ line: 3 })]);
  });
});

describe('BRIDGE-MIB / Q-BRIDGE-MIB walk', () => {
  const mac = '82.84.0.170.187.1'; // 52:54:00:aa:bb:01
  it('Q-BRIDGE entries with VLAN and port names from ifName; self entries left out', () => {
    const r = decodeBridgeMib(
      [
        { oid: `${OID.dot1qTpFdbEntry}.2.10.${mac}`, value: 3 },
        { oid: `${OID.dot1qTpFdbEntry}.3.10.${mac}`, value: 3 },
        { oid: `${OID.dot1qTpFdbEntry}.2.10.0.27.33.1.2.3`, value: 1 },
        { oid: `${OID.dot1qTpFdbEntry}.3.10.0.27.33.1.2.3`, value: 4 },
        { oid: `${OID.dot1dBasePortIfIndex}.3`, value: 10003 },
        { oid: `${OID.ifName}.10003`, value: new TextEncoder().encode('Gi1/0/3') },
      ],
      ctx({ host: 'sw1' }),
    );
    expect(r.observations.map((o) => [o.mac, o.port, o.vlan, o.host])).toEqual([
      ['52:54:00:aa:bb:01', 'Gi1/0/3', 10, 'sw1'],
    ]);
  });

  it('plain BRIDGE-MIB when the switch has no Q table', () => {
    const r = decodeBridgeMib([{ oid: `${OID.dot1dTpFdbEntry}.2.${mac}`, value: 7 }], ctx());
    expect(r.observations.map((o) => [o.port, o.vlan])).toEqual([['port 7', null]]);
  });
});

describe('sniffKind', () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  it('tells every source from its first bytes', () => {
    expect(sniffKind(Uint8Array.from([0xd4, 0xc3, 0xb2, 0xa1]))).toBe('pcap');
    expect(sniffKind(Uint8Array.from([0xa1, 0xb2, 0x3c, 0x4d]))).toBe('pcap');
    expect(sniffKind(Uint8Array.from([0x0a, 0x0d, 0x0d, 0x0a]))).toBe('pcapng');
    expect(sniffKind(enc(fixture('fdb-self.json')))).toBe('fdb');
    expect(sniffKind(enc(fixture('neigh-states.json')))).toBe('neigh');
    expect(sniffKind(enc('1764406800 52:54:00:aa:bb:01 10.0.0.11 web01 *\n'))).toBe('dnsmasq');
    expect(sniffKind(enc('lease 10.0.0.1 {\n}'))).toBe('dhcpd');
    expect(sniffKind(enc('address,hwaddr,client_id\n'))).toBe('kea');
    expect(sniffKind(enc('0:8:e1:1:2:d6\t10.0.0.9\t1764403200\n'))).toBe('arpwatch');
    expect(sniffKind(enc('hello'))).toBeNull();
  });
});
