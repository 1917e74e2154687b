import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MacfleetError } from '../errors.js';
import { formatIpv4, formatMac } from '../mac/index.js';
import { parseHostsFile } from './hosts-file.js';

const example = fileURLToPath(new URL('../../examples/hosts.yaml', import.meta.url));

function errorOf(text: string): MacfleetError {
  try {
    parseHostsFile(text, 'h.yaml');
  } catch (e) {
    if (e instanceof MacfleetError) return e;
    throw e;
  }
  throw new Error('expected a parse error');
}

describe('hosts file', () => {
  it('reads the shipped example', () => {
    const hosts = parseHostsFile(readFileSync(example, 'utf8'), 'examples/hosts.yaml');
    expect(hosts.length).toBeGreaterThan(5);
    expect(formatIpv4(hosts[0]!.ip!)).toBe('10.1.5.20');
    const vs = hosts.find((h) => h.name === 'vs-staging')!;
    expect(vs.nics!.map((n) => [formatMac(n.mac), n.kind])).toEqual([
      ['00:16:31:53:32:68', 'physical'],
      ['02:00:4c:4f:4f:50', 'loopback'],
    ]);
  });

  it('accepts JSON, and MACs or prefixes YAML would read as numbers keep their digits', () => {
    const json = parseHostsFile(
      '{"hosts":[{"name":"a","hypervisor":"hyper-v","min":"00155D051400","max":"00155D0514FF"}]}',
    );
    expect(formatMac(json[0]!.min!)).toBe('00:15:5d:05:14:00');
    const yaml = parseHostsFile(
      'hosts:\n  - {name: v, hypervisor: vcenter, prefix: 005026, prefixLength: 23}\n  - {name: h, hypervisor: hyper-v, min: 001122334400, max: 0011223344ff}\n',
    );
    expect(yaml[0]!.prefix).toBe('005026');
    expect(formatMac(yaml[1]!.min!)).toBe('00:11:22:33:44:00');
  });

  it.each([
    ['hosts: 3', 1, 'hosts', /a list of hosts/],
    [
      'hosts:\n  - name: a\n    hypervisor: hyperv\n',
      3,
      'hosts[0].hypervisor',
      /unknown hypervisor "hyperv"; expected one of virtual-server, hyper-v/,
    ],
    ['hosts:\n  - name: a\n    hypervisor: hyper-v\n    ip: 10.1.5.300\n', 4, 'hosts[0].ip', /octet 4 "300"/],
    [
      'hosts:\n  - {name: a, hypervisor: virtual-server, nics: ["00-16-31-53-32-6G"]}\n',
      2,
      'hosts[0].nics[0]',
      /bad hex digit "G"/,
    ],
    [
      'hosts:\n  - {name: a, hypervisor: virtual-server, nics: ["00-16-31-53-32-68,wifi"]}\n',
      2,
      'hosts[0].nics[0]',
      /"loopback" or "bridge"/,
    ],
    ['hosts:\n  - {name: a, hypervisor: vcenter, ipv4: 1}\n', 2, 'hosts[0].ipv4', /unknown field "ipv4"/],
    [
      'hosts:\n  - {name: a, hypervisor: vcenter, instanceId: 64}\n',
      2,
      'hosts[0].instanceId',
      /integer 0..63/,
    ],
    [
      'hosts:\n  - {name: a, hypervisor: hyper-v, min: 00-15-5D-00-00-00}\n',
      2,
      'hosts[0].max',
      /min and max go together/,
    ],
    [
      'hosts:\n  - {name: a, hypervisor: xen}\n  - {name: a, hypervisor: xen}\n',
      3,
      'hosts[1].name',
      /duplicate host name "a"/,
    ],
    ['hosts:\n  - {hypervisor: xen}\n', 2, 'hosts[0].name', /missing "name"/],
    ['hosts:\n  - [1, 2]\n', 2, 'hosts[0]', /host mapping/],
    ['hosts: [ {name: a', 1, undefined, /not valid YAML or JSON/],
    ['hostz: []\n', 1, 'hosts', /"hosts:"/],
    [
      'hosts:\n  - {name: a, hypervisor: libvirt, ip: 10.0.0.1}\n',
      2,
      'hosts[0].ip',
      /"ip" does not apply to libvirt hosts \(they take only name and adapters\)/,
    ],
    [
      'hosts:\n  - {name: a, hypervisor: hyper-v, nics: []}\n',
      2,
      'hosts[0].nics',
      /does not apply to hyper-v hosts \(they take ip, min, max\)/,
    ],
    ['hosts:\n  - {name: a, hypervisor: virtual-server}\n', 2, 'hosts[0]', /needs nics/],
    ['hosts:\n  - {name: a, hypervisor: hyper-v}\n', 2, 'hosts[0]', /needs ip/],
    [
      'hosts:\n  - {name: a, hypervisor: vcenter, instanceId: 1, prefix: "005026", prefixLength: 23}\n',
      2,
      'hosts[0]',
      /mixes allocation schemes/,
    ],
    [
      'hosts:\n  - {name: a, hypervisor: vcenter, prefix: "0050zz", prefixLength: 23}\n',
      2,
      'hosts[0]',
      /invalid vCenter MAC prefix/,
    ],
    [
      'hosts:\n  - {name: a, hypervisor: hyper-v, min: 00-15-5D-00-00-FF, max: 00-15-5D-00-00-00}\n',
      2,
      'hosts[0]',
      /above MacAddressMaximum/,
    ],
  ])('rejects %j at line %i, field %s', (text, line, field, message) => {
    const e = errorOf(text);
    expect(e.code).toBe('PARSE_ERROR');
    expect(e.location.line).toBe(line);
    expect(e.location.file).toBe('h.yaml');
    if (field !== undefined) expect(e.location.field).toBe(field);
    expect(e.message).toMatch(message);
    expect(e.message).toMatch(/^h\.yaml, line \d+/);
  });
});
