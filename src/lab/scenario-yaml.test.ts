import { describe, expect, it } from 'vitest';
import { MacfleetError } from '../errors.js';
import { parseVip } from '../mac/index.js';
import { buildNlbScenario } from './nlb-doctor.js';
import { readScenario } from './scenario-yaml.js';
import { scenarioToYaml } from './scenario-yaml-write.js';

const BASE = `name: t
networks:
  - { name: lan }
switches:
  - { name: sw, kind: hyper-v, uplink: lan }
vms:
  - { name: a, switch: sw, mac: 00-15-5d-00-00-01, ip: 10.0.0.1 }
steps:
  - start: [a]
`;

function errorOf(text: string): MacfleetError {
  try {
    readScenario(text, 's.yaml');
  } catch (e) {
    if (e instanceof MacfleetError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('readScenario', () => {
  it('reads a minimal scenario with defaults', () => {
    const s = readScenario(BASE, 's.yaml');
    expect(s.switches[0]).toMatchObject({
      name: 'sw',
      host: 'sw',
      kind: 'hyper-v',
      agingSeconds: 300,
      igmpSnooping: false,
    });
    expect(s.vms[0]).toMatchObject({ adapter: 'a Ethernet', vlan: 0, policy: {} });
    expect(s.steps).toEqual([{ action: 'start', vms: ['a'], line: 9 }]);
  });

  it.each([
    [
      BASE.replace('kind: hyper-v', 'kind: hyperv'),
      5,
      'switches[0].kind: expected one of hyper-v, vmware, ovs, libvirt, got "hyperv"',
    ],
    [
      BASE.replace('ip: 10.0.0.1', 'ip: 10.0.0.1, policy: { forgedTransmits: reject }'),
      7,
      'vms[0].policy.forgedTransmits: expected one of the keys macSpoofing, dhcpGuard, routerGuard',
    ],
    [
      BASE.replace('mac: 00-15-5d-00-00-01', 'mac: 01-15-5d-00-00-01'),
      7,
      'vms[0].mac: expected a unicast, non-zero MAC address',
    ],
    [
      BASE.replace('mac: 00-15-5d-00-00-01', 'mac: 00-15-5d-00-00-0g'),
      7,
      'vms[0].mac: expected a MAC address',
    ],
    [
      BASE.replace('switch: sw, mac', 'switch: sx, mac'),
      7,
      'vms[0].switch: expected the name of a switch (sw), got "sx"',
    ],
    [
      BASE + '  - { ping: { from: a, to: 10.0.0.2 }, stop: [a] }\n',
      10,
      'steps[1]: expected exactly one action',
    ],
    [BASE + '  - start: [b]\n', 10, 'steps[1].start[0]: expected the name of a VM (a), got "b"'],
    [BASE + 'colour: red\n', 10, 'colour: expected one of the keys name, description'],
    [BASE.replace('  - { name: a,', '  - { name: lan,'), 7, 'vms[0].name: expected a name not used before'],
  ])('reports %#: line %i', (text, line, message) => {
    const e = errorOf(text);
    expect(e.code).toBe('PARSE_ERROR');
    expect(e.location.line).toBe(line);
    expect(e.message).toContain(message);
    expect(e.message).toMatch(/^s\.yaml:\d+:\d+: /);
  });

  it('reads back what scenarioToYaml writes', () => {
    const s = buildNlbScenario({
      hypervisor: 'ovs',
      mode: 'unicast',
      vip: parseVip('172.16.9.9'),
      nodes: 3,
      portSecurity: true,
      addressPairs: true,
    });
    const back = readScenario(scenarioToYaml(s), 'x.yaml');
    expect({ ...back, steps: back.steps.map(({ line: _l, ...r }) => r) }).toEqual(s);
  });

  it('refuses more than 10,000 VMs with a positioned LIMIT_EXCEEDED (issue 16: a run is quadratic in VMs)', () => {
    const vm = (i: number) =>
      `  - { name: v${i}, switch: sw, mac: 02-00-00-00-${((i >> 8) & 0xff).toString(16).padStart(2, '0')}-${(i & 0xff).toString(16).padStart(2, '0')} }`;
    const head =
      'name: t\nnetworks:\n  - { name: lan }\nswitches:\n  - { name: sw, kind: hyper-v, uplink: lan }\nvms:\n';
    const many = (n: number) =>
      head + Array.from({ length: n }, (_, i) => vm(i)).join('\n') + '\nsteps:\n  - start: [v0]\n';
    const e = errorOf(many(10_001));
    expect(e.code).toBe('LIMIT_EXCEEDED');
    expect(e.message).toBe(
      "s.yaml:7:3: vms: at most 10,000 VMs in one scenario (every VM's broadcasts reach every other, so a run grows with the square of the VMs), got 10,001",
    );
    expect(readScenario(many(10_000), 's.yaml').vms).toHaveLength(10_000);
  });
});
