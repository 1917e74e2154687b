import { describe, expect, it } from 'vitest';
import { formatRun, runScenario } from './lab-run.js';
import { readScenario } from './scenario-yaml.js';

/** n VMs with addresses on one switch, all started at once (each announces itself by broadcast). */
function manyVms(n: number): string {
  const lines = [
    'name: many',
    'networks:',
    '  - { name: lan }',
    'switches:',
    '  - { name: SW1, host: HV1, kind: hyper-v, uplink: lan }',
    'vms:',
  ];
  const names: string[] = [];
  for (let i = 0; i < n; i++) {
    const hex = (i & 0xff).toString(16).padStart(2, '0');
    lines.push(`  - { name: vm${i}, switch: SW1, mac: 00-15-5d-01-00-${hex}, ip: 10.0.0.${i + 1} }`);
    names.push(`vm${i}`);
  }
  lines.push('steps:', `  - start: [${names.join(', ')}]`, '    at: 0');
  return `${lines.join('\n')}\n`;
}

describe('lab run output on many VMs (issue 16)', () => {
  it('a broadcast line names a few receivers and counts the rest: the text grows linearly', () => {
    const text = (n: number) => formatRun(runScenario(readScenario(manyVms(n), 'many.yaml')), false);
    const small = text(60);
    const large = text(120);
    expect(small).toContain('and 51 more'); // 59 receivers of each announcement: 8 named
    // Frame lines (indented) stay as long; the step's own line lists the VMs it starts, once.
    const longest = (t: string) =>
      Math.max(
        ...t
          .split('\n')
          .filter((l) => l.startsWith(' '))
          .map((l) => l.length),
      );
    expect(longest(large)).toBeLessThanOrEqual(longest(small) + 20);
    // Twice the VMs, twice the announcements, each line as long: about twice the text (not four times).
    expect(large.length / small.length).toBeLessThan(2.3);
  });
});
