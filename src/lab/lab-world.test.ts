import { describe, expect, it } from 'vitest';
import { parseIpv4, parseVip } from '../mac/index.js';
import { LabWorld } from './lab-world.js';
import { buildNlbScenario } from './nlb-doctor.js';
import { readScenario } from './scenario-yaml.js';
import type { Observation } from './station.js';

const exchanges = (w: LabWorld, fromStep = 0) =>
  w.steps
    .slice(fromStep)
    .flatMap((s) => s.observations)
    .filter((o): o is Extract<Observation, { kind: 'exchange' }> => o.kind === 'exchange');

describe('LabWorld replay', () => {
  it('a working unicast cluster answers each connection exactly once and spreads flows over the nodes', () => {
    const w = new LabWorld(
      buildNlbScenario({
        hypervisor: 'hyper-v',
        mode: 'unicast',
        vip: parseVip('192.168.1.100'),
        nodes: 2,
        macSpoofing: true,
      }),
    );
    w.runAll();
    const toVip = exchanges(w).filter((o) => o.to === parseIpv4('192.168.1.100') && o.station === 'client');
    expect(toVip.length).toBeGreaterThanOrEqual(12);
    for (const o of toVip) expect(o.answeredBy).toHaveLength(1);
    expect(new Set(toVip.flatMap((o) => o.answeredBy))).toEqual(new Set(['nlb1', 'nlb2']));
    const views = w.steps.flatMap((s) => s.observations).filter((o) => o.kind === 'converged');
    for (const v of views) expect(v.kind === 'converged' && v.view).toEqual([1, 2]);
  });

  it('VMware notify switches pins the cluster MAC to one host until the physical switch ages it out', () => {
    const w = new LabWorld(
      buildNlbScenario({
        hypervisor: 'vmware',
        mode: 'unicast',
        vip: parseVip('192.168.1.100'),
        nodes: 2,
        vmwareDefaults: 'legacy',
      }),
    );
    w.runAll();
    const waitStep = w.steps.findIndex((s) => s.text.startsWith('wait'));
    const restart = w.steps.findIndex((s) => s.text.startsWith('restart'));
    const pinned = exchanges(w, restart).filter(
      (o) => w.steps.findIndex((s) => s.observations.includes(o)) < waitStep,
    );
    expect(pinned.some((o) => o.answeredBy.length === 0)).toBe(true);
    expect(
      w.switches
        .get('lan')!
        .flaps.some((f) => f.from === 'ESX1/ESX1-vSwitch0' && f.to === 'ESX2/ESX2-vSwitch0'),
    ).toBe(true);
    const after = exchanges(w, waitStep);
    expect(after).toHaveLength(4);
    for (const o of after) expect(o.answeredBy).toHaveLength(1);
  });

  it('moving a VM to another host re-learns its MAC on the physical switch (a flap) and its traffic follows', () => {
    const w = new LabWorld(
      readScenario(
        `name: move
networks: [{ name: lan }]
switches:
  - { name: HV1-External, host: HV1, kind: hyper-v, uplink: lan }
  - { name: HV2-External, host: HV2, kind: hyper-v, uplink: lan }
vms:
  - { name: web, switch: HV1-External, mac: 00-15-5d-01-0a-01, ip: 10.0.0.11 }
devices:
  - { name: client, network: lan, mac: 00-1b-21-00-00-50, ip: 10.0.0.50 }
steps:
  - start: [web]
  - ping: { from: client, to: 10.0.0.11 }
  - move: { vm: web, to: HV2-External }
  - ping: { from: client, to: 10.0.0.11 }
`,
        'move.yaml',
      ),
    );
    w.runAll();
    expect(w.steps[2]!.flaps).toEqual([
      expect.objectContaining({
        switch: 'lan',
        from: 'HV1/HV1-External',
        to: 'HV2/HV2-External',
        refused: false,
      }),
    ]);
    expect(exchanges(w).map((o) => o.answeredBy)).toEqual([['web'], ['web']]);
    expect(w.steps[3]!.frames[0]!.hops.map((h) => h.switch)).toEqual(['lan', 'HV2-External']);
  });
});
