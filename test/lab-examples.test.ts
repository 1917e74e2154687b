/** Every scenario in examples/lab/ is a test: it parses, replays, and gives the verdict it must. */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildNlbScenario, readScenario, runScenario, verdictOf, type Scenario } from '../src/lab/index.js';
import { parseVip } from '../src/mac/index.js';
import { DOCTOR_COMBINATIONS } from './lab-combinations.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'examples', 'lab');
const load = (file: string): Scenario => readScenario(readFileSync(join(dir, file), 'utf8'), file);
const withoutLines = (s: Scenario) => ({
  ...s,
  steps: s.steps.map(({ line: _line, ...rest }) => rest),
  expect: undefined,
});

describe('examples/lab: one scenario per doctor nlb combination', () => {
  it('covers every combination and nothing else', () => {
    const files = readdirSync(dir).filter((f) => f.startsWith('nlb-'));
    expect(files.sort()).toEqual(DOCTOR_COMBINATIONS.map((c) => c.file).sort());
    expect(DOCTOR_COMBINATIONS).toHaveLength(3 * 2 + 3 * 4 + 3 * 3);
  });

  for (const c of DOCTOR_COMBINATIONS) {
    it(`${c.file}: ${c.works ? 'works' : 'does not work'}${c.symptoms.length ? ` (${c.symptoms.join(', ')})` : ''}`, () => {
      const scenario = load(c.file);
      const run = runScenario(scenario);
      expect(verdictOf(run)).toEqual({ works: c.works, symptoms: c.symptoms, warnings: c.warnings });
      expect(run.expectations).toEqual({ met: true, problems: [] });
      // The file is exactly what `doctor nlb` replays for these options.
      const built = buildNlbScenario({ ...c.options, vip: parseVip('192.168.1.100'), nodes: 2 });
      expect(withoutLines(scenario)).toEqual({ ...built, expect: undefined });
    });
  }
});

describe('examples/lab: why the guard exists, and the other scenarios', () => {
  const run = (file: string) => runScenario(load(file));

  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml') && !f.startsWith('nlb-'))) {
    it(`${file} states its expectations and meets them`, () => {
      const r = run(file);
      expect(r.scenario.expect).toBeDefined();
      expect(r.expectations).toEqual({ met: true, problems: [] });
    });
  }

  it('libvirt no-mac-spoofing cuts off the filtered node only; the other answers every flow alone', () => {
    const r = run('libvirt-nlb-no-mac-spoofing.yaml');
    const answered = r.world.steps.flatMap((s) => s.observations).filter((o) => o.kind === 'exchange');
    expect(answered.map((o) => (o.kind === 'exchange' ? o.answeredBy : []))).toEqual([
      ['nlb2'],
      ['nlb2'],
      ['nlb2'],
      ['nlb2'],
    ]);
    expect(r.clusters[0]!.fixes.find((f) => f.code === 'remove-nwfilter')?.message).toContain('(nlb1)');
  });

  it('guard off: the attacker takes the victim MAC; the victim traffic goes to the attacker and the victim stops answering', () => {
    const r = run('spoofing-attack-guard-off.yaml');
    expect(r.expectations?.met).toBe(true);
    const [before, , after, connect] = r.world.steps
      .slice(1)
      .map((s) => s.observations.find((o) => o.kind === 'exchange'));
    expect(before).toMatchObject({ answeredBy: ['web'] });
    expect(after).toMatchObject({ answeredBy: [] });
    expect(connect).toMatchObject({ answeredBy: [] });
    const echo = r.world.steps[3]!.frames[0]!;
    expect(echo.hops.at(-1)?.delivered).toEqual(['mallory']);
  });

  it('guard on: the same frames are dropped at the attacker port and the victim is unaffected', () => {
    const r = run('spoofing-attack-guard-on.yaml');
    expect(r.expectations?.met).toBe(true);
    expect(r.world.steps[2]!.frames[0]!.hops[0]!.dropped).toBe('mac-spoofing');
    expect(r.world.steps.flatMap((s) => s.observations).filter((o) => o.kind === 'exchange')).toEqual(
      expect.arrayContaining([expect.objectContaining({ answeredBy: ['web'] })]),
    );
    expect(r.switching.symptoms).toEqual([]);
  });

  it('a victim with spoofing off keeps its MAC on its own switch, but not across hosts', () => {
    expect(run('spoofing-attack-pinned-victim.yaml').expectations?.met).toBe(true);
    expect(run('spoofing-attack-across-hosts.yaml').expectations?.met).toBe(true);
  });

  it('DHCP guard and router guard', () => {
    const r = run('dhcp-and-router-guard.yaml');
    expect(r.expectations?.met).toBe(true);
    const offers = r.world.steps.flatMap((s) => s.observations).filter((o) => o.kind === 'dhcp');
    expect(offers.map((o) => (o.kind === 'dhcp' ? o.offersFrom : []))).toEqual([
      ['dhcp1', 'rogue'],
      ['dhcp1'],
    ]);
  });
});
