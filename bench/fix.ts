/**
 * Remediation speed. Generates bench/scan.ts's tree (100,000 VM config files of mixed formats with 1,000
 * duplicated MACs; its own generator, run with BENCH_GENERATE_ONLY) and times, on that tree:
 *   scan   `macfleet scan --json`                           (the baseline)
 *   plan   `macfleet fix --scope latent --json --out plan`  (scan + plan + 1,000 pool allocations)
 *   apply  `macfleet fix --scope latent --apply --json`     (the same, then every file written atomically)
 *   undo   `macfleet fix --undo plan`                       (every file back, MACs released)
 * Apply and undo alternate so each apply starts from the same tree. Prints the times and the ratios to
 * the scan (target: apply <= 1.5x the scan), and checks that a rescan after the apply finds no duplicate
 * and that the undo gives back every file byte for byte.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(repo, 'bin', 'macfleet');
const dir = mkdtempSync(join(tmpdir(), 'macfleet-bench-fix-'));
const tree = join(dir, 'tree');
const db = join(dir, 'fix.db');

function run(args: readonly string[], out: string, okCodes: readonly number[] = [0]): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('sh', ['-c', `"$@" > '${out}'`, 'sh', bin, ...args], { encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status === null || !okCodes.includes(r.status))
    throw new Error(`macfleet ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return ms;
}

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
interface Plan {
  files: { file: string; before: string; after: string }[];
  changes: unknown[];
  allocations: unknown[];
}

try {
  const gen = spawnSync(process.execPath, ['--import', 'tsx', join(repo, 'bench', 'scan.ts')], {
    env: { ...process.env, BENCH_GENERATE_ONLY: tree },
    encoding: 'utf8',
  });
  if (gen.status !== 0) throw new Error(`generating the tree: ${gen.stderr}`);
  console.log(`generated bench/scan.ts's tree: ${gen.stdout.trim()}`);
  run(['init', '--db', db, '--prefix', '0a:bb:cc:00:00:00/24'], join(dir, 'init.out'));
  const fix = ['fix', tree, '--scope', 'latent', '--db', db, '--quiet', '--json'];
  const scanMs: number[] = [];
  const planMs: number[] = [];
  const applyMs: number[] = [];
  const undoMs: number[] = [];
  run(['scan', tree, '--json', '--quiet', '--fail-on', 'none'], join(dir, 'scan.json')); // warm the cache
  for (let round = 0; round < 2; round++) {
    scanMs.push(run(['scan', tree, '--json', '--quiet', '--fail-on', 'none'], join(dir, 'scan.json')));
    planMs.push(run([...fix, '--out', join(dir, 'plan.json')], join(dir, 'plan.out'), [1]));
    applyMs.push(run([...fix, '--apply', '--out', join(dir, 'applied.json')], join(dir, 'apply.out')));
    const plan = JSON.parse(readFileSync(join(dir, 'applied.json'), 'utf8')) as Plan;
    if (round === 0) {
      for (const f of plan.files) if (sha(f.file) !== f.after) throw new Error(`${f.file} was not written`);
      run(['scan', tree, '--json', '--quiet', '--fail-on', 'none'], join(dir, 'rescan.json'));
      const rescan = JSON.parse(readFileSync(join(dir, 'rescan.json'), 'utf8')) as {
        findings: { kind: string }[];
      };
      const left = rescan.findings.filter((f) => f.kind === 'duplicate').length;
      console.log(
        `apply: ${plan.changes.length} changes in ${plan.files.length} files, ${plan.allocations.length} MACs allocated; duplicates left after it: ${left}`,
      );
      if (left !== 0) process.exitCode = 1;
    }
    undoMs.push(
      run(['fix', '--undo', join(dir, 'applied.json'), '--db', db, '--quiet'], join(dir, 'undo.out')),
    );
    for (const f of plan.files) if (sha(f.file) !== f.before) throw new Error(`${f.file} was not restored`);
  }
  const best = (xs: number[]) => Math.min(...xs);
  const scan = best(scanMs);
  const line = (label: string, ms: number) =>
    console.log(`${label.padEnd(38)}: ${ms.toFixed(0)} ms, ${(ms / scan).toFixed(2)}x the scan`);
  console.log(`${'macfleet scan --json (baseline)'.padEnd(38)}: ${scan.toFixed(0)} ms`);
  line('macfleet fix (plan, allocate)', best(planMs));
  line('macfleet fix --apply (plan, write)', best(applyMs));
  line('macfleet fix --undo (restore, release)', best(undoMs));
  console.log(
    `ratio apply/scan                      : ${(best(applyMs) / scan).toFixed(2)}x (target <= 1.5x)`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
