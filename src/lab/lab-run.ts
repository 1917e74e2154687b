/** `lab run`: replay a scenario, diagnose it, check its expectations, and render the result. */
import { formatMac } from '../mac/index.js';
import { diagnoseAll, type Diagnosis, type Finding } from './diagnose.js';
import { diagnoseSwitching, type SwitchingDiagnosis } from './diagnose-switching.js';
import { describeFate, describeHop, describeObservation, stepJson } from './lab-report.js';
import { LabWorld } from './lab-world.js';
import type { Scenario } from './scenario.js';

export interface Expectations {
  readonly met: boolean;
  readonly problems: readonly string[];
}

export interface LabRun {
  readonly scenario: Scenario;
  readonly world: LabWorld;
  readonly clusters: readonly Diagnosis[];
  readonly switching: SwitchingDiagnosis;
  readonly expectations?: Expectations;
}

/** The verdict a scenario's `expect` is checked against: its first NLB cluster, else the switching view. */
export function verdictOf(run: Pick<LabRun, 'clusters' | 'switching'>): {
  works: boolean;
  symptoms: string[];
  warnings: string[];
} {
  const d = run.clusters[0] ?? run.switching;
  return { works: d.works, symptoms: d.symptoms.map((s) => s.code), warnings: d.warnings.map((w) => w.code) };
}

export function runScenario(scenario: Scenario): LabRun {
  const world = new LabWorld(scenario);
  world.runAll();
  const clusters = diagnoseAll(world);
  const switching = diagnoseSwitching(world);
  const base = { scenario, world, clusters, switching };
  const e = scenario.expect;
  if (!e) return base;
  const v = verdictOf(base);
  const problems: string[] = [];
  if (e.works !== undefined && e.works !== v.works)
    problems.push(`expected works: ${e.works}, got ${v.works}`);
  const sameSet = (what: string, want: readonly string[] | undefined, got: readonly string[]) => {
    if (want === undefined) return;
    const missing = want.filter((c) => !got.includes(c));
    const extra = got.filter((c) => !want.includes(c));
    if (missing.length) problems.push(`expected ${what} not seen: ${missing.join(', ')}`);
    if (extra.length) problems.push(`${what} seen but not expected: ${extra.join(', ')}`);
  };
  sameSet('symptoms', e.symptoms, v.symptoms);
  sameSet('warnings', e.warnings, v.warnings);
  return { ...base, expectations: { met: problems.length === 0, problems } };
}

const findingLines = (title: string, fs: readonly Finding[]): string[] =>
  fs.length === 0
    ? []
    : [
        `  ${title}:`,
        ...fs.flatMap((f) => [`    - [${f.code}] ${f.message}`, ...f.evidence.map((e) => `        ${e}`)]),
      ];

/** Render a diagnosis as text (shared by `lab run` and `doctor nlb`). */
export function formatDiagnosis(d: Diagnosis): string[] {
  return [
    `NLB cluster ${d.cluster.vip} (${d.mode}, cluster MAC ${d.cluster.mac}${d.cluster.group ? `, group ${d.cluster.group}` : ''}) on ${d.hypervisor}: ${d.works ? 'WORKS' : 'DOES NOT WORK'}`,
    ...findingLines('symptoms', d.symptoms),
    ...(d.events.length
      ? ['  events:', ...d.events.map((e) => `    - ${e.source} ${e.id}: ${e.message}`)]
      : []),
    ...findingLines('warnings', d.warnings),
    ...(d.fixes.length ? ['  fixes:', ...d.fixes.map((f) => `    - [${f.code}] ${f.message}`)] : []),
  ];
}

export function formatRun(run: LabRun, trace: boolean): string {
  const out: string[] = [`Scenario: ${run.scenario.name}`];
  if (run.scenario.description) out.push(run.scenario.description);
  for (const s of run.world.steps) {
    out.push(
      '',
      `step ${s.index + 1} at ${s.at}s${s.line !== undefined ? ` (line ${s.line})` : ''}: ${s.text}`,
    );
    for (const r of s.frames) {
      if (trace) {
        out.push(`  #${r.id} ${r.origin}: ${r.text}`);
        for (const h of r.hops) out.push(`      ${describeHop(h, true)}`);
        if (r.received.length) out.push(`      received by ${r.received.join(', ')}`);
      } else {
        out.push(`  #${r.id} ${r.origin}: ${r.text}`, `      ${describeFate(r)}`);
      }
    }
    for (const f of s.flaps) {
      out.push(
        `  ! ${f.switch}: ${f.refused ? `${formatMac(f.mac, 'hyphen')} seen on port ${f.to}, kept on port ${f.from} (pinned)` : `host ${formatMac(f.mac, 'hyphen')} is flapping between port ${f.from} and port ${f.to}`}`,
      );
    }
    for (const o of s.observations) out.push(`  > ${describeObservation(o)}`);
    if (trace) {
      for (const sw of run.world.switches.values()) {
        const t = sw.table(run.world.now);
        if (t.length === 0) continue;
        out.push(
          `  FDB ${sw.name}: ${t.map((e) => `${formatMac(e.mac, 'hyphen')}${e.vlan ? `/${e.vlan}` : ''}@${e.port}${e.static ? ' (static)' : ''}`).join(', ')}`,
        );
      }
    }
  }
  out.push('');
  for (const d of run.clusters) out.push(...formatDiagnosis(d));
  if (run.clusters.length === 0 || run.switching.symptoms.length + run.switching.warnings.length > 0) {
    out.push(
      `Switching: ${run.switching.works ? 'no symptoms' : 'symptoms found'}`,
      ...findingLines('symptoms', run.switching.symptoms),
      ...findingLines('warnings', run.switching.warnings),
    );
  }
  if (run.expectations) {
    out.push(
      run.expectations.met
        ? 'Expectations: met'
        : `Expectations: NOT met (${run.expectations.problems.join('; ')})`,
    );
  }
  return out.join('\n');
}

export function runJson(run: LabRun): Record<string, unknown> {
  return {
    scenario: run.scenario.name,
    steps: run.world.steps.map(stepJson),
    clusters: run.clusters,
    switching: run.switching,
    ...(run.expectations ? { expectations: run.expectations } : {}),
  };
}
