import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseMac } from '../mac/index.js';
import { LabWorld } from './lab-world.js';
import { readScenario } from './scenario-yaml.js';
import type { Scenario } from './scenario.js';
import { spoofingReport } from './spoofing-report.js';

const examples = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples', 'lab');
const load = (f: string) => readScenario(readFileSync(join(examples, f), 'utf8'), f);

/** Replay the attack the report predicts: does the victim still answer the client afterwards? */
function victimStillAnswers(inventory: Scenario, attacker: string, victim: string): boolean {
  const v = inventory.vms.find((x) => x.name === victim)!;
  const world = new LabWorld({
    ...inventory,
    clusters: [],
    vms: inventory.vms.map(({ nlb: _nlb, ...rest }) => rest),
    steps: [
      { action: 'start', vms: inventory.vms.map((x) => x.name), at: 0 },
      { action: 'ping', from: 'client', to: v.ips[0]!, at: 1 },
      {
        action: 'send',
        from: attacker,
        src: v.mac,
        dst: parseMac('ff-ff-ff-ff-ff-ff'),
        payload: { kind: 'opaque', label: 'spoof' },
        count: 1,
        at: 2,
      },
      { action: 'ping', from: 'client', to: v.ips[0]!, at: 3 },
    ],
    expect: {},
  });
  world.runAll();
  const last = world.steps[3]!.observations.find((o) => o.kind === 'exchange');
  return last?.kind === 'exchange' && last.answeredBy.length === 1;
}

describe('doctor spoofing', () => {
  for (const file of [
    'spoofing-attack-guard-off.yaml',
    'spoofing-attack-guard-on.yaml',
    'spoofing-attack-pinned-victim.yaml',
    'spoofing-attack-across-hosts.yaml',
    'nlb-hyper-v-unicast-spoofing-on.yaml',
    'nlb-ovs-unicast-port-security-off.yaml',
  ]) {
    it(`${file}: every predicted redirect/impersonation is what the switch model does`, () => {
      const inv = load(file);
      const report = spoofingReport(inv);
      for (const x of report.exposures.filter((e) => e.effect !== 'sniff')) {
        expect(
          victimStillAnswers(inv, x.attacker, x.victim),
          `${x.attacker} -> ${x.victim} (${x.effect})`,
        ).toBe(x.effect === 'impersonate');
      }
      // And nobody the report leaves out can be hijacked.
      for (const a of inv.vms) {
        for (const v of inv.vms) {
          if (a === v || report.exposures.some((x) => x.attacker === a.name && x.victim === v.name)) continue;
          expect(victimStillAnswers(inv, a.name, v.name), `${a.name} -> ${v.name} (not reported)`).toBe(true);
        }
      }
    });
  }

  it('VMware: forged transmits accept impersonates but cannot redirect; promiscuous accept sniffs', () => {
    const inv = load('nlb-vmware-unicast-mac-changes-accept-forged-accept.yaml');
    const effects = new Set(
      spoofingReport(inv)
        .exposures.filter((x) => x.where.startsWith('same switch'))
        .map((x) => x.effect),
    );
    expect(effects).toEqual(new Set(['impersonate']));
    const sniffing = spoofingReport({
      ...inv,
      vms: inv.vms.map((v) => (v.name === 'app1' ? { ...v, policy: { promiscuous: true } } : v)),
    });
    expect(sniffing.exposures.filter((x) => x.attacker === 'app1').map((x) => x.effect)).toEqual(['sniff']);
  });
});

describe('doctor spoofing on a large inventory (issue 16)', () => {
  /** n VMs allowing spoofing, half on each of two switches sharing the uplink `lan`. */
  const inventory = (n: number): Scenario => {
    const lines = [
      'name: many spoofing VMs',
      'networks:',
      '  - { name: lan }',
      'switches:',
      '  - { name: SW1, host: HV1, kind: hyper-v, uplink: lan }',
      '  - { name: SW2, host: HV2, kind: hyper-v, uplink: lan }',
      'vms:',
    ];
    for (let i = 0; i < n; i++) {
      const mac = `00-15-5d-01-${((i >> 8) & 0xff).toString(16).padStart(2, '0')}-${(i & 0xff).toString(16).padStart(2, '0')}`;
      lines.push(`  - { name: vm${i}, switch: SW${(i % 2) + 1}, mac: ${mac}, policy: { macSpoofing: on } }`);
    }
    return readScenario(`${lines.join('\n')}\nsteps: []\n`, 'many.yaml');
  };

  it('1,000 spoofing VMs: every pair counted, a bounded list, one group per attacker and place', () => {
    const n = 1000;
    const r = spoofingReport(inventory(n));
    // Every VM can redirect every other one: on its own switch, or through the uplink on the other.
    expect(r.exposureCount).toBe(n * (n - 1));
    expect(r.exposures).toHaveLength(1000);
    expect(r.groups).toHaveLength(2 * n);
    for (const g of r.groups) {
      expect(g.effect).toBe('redirect');
      expect(g.victims).toBe(g.where.startsWith('same switch') ? n / 2 - 1 : n / 2);
      expect(g.examples.length).toBeLessThanOrEqual(3);
    }
  });

  it('a small inventory still lists every pair', () => {
    const r = spoofingReport(inventory(6));
    expect(r.exposureCount).toBe(30);
    expect(r.exposures).toHaveLength(30);
    expect(r.groups.reduce((sum, g) => sum + g.victims, 0)).toBe(30);
  });
});
