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
