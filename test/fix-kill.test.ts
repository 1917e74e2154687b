/**
 * Killed at any moment, `fix --apply` leaves every file wholly old or wholly new, and running it again
 * completes the job. The real program (bin/macfleet, built) applies a plan over a few hundred files and
 * is SIGKILLed at random moments drawn from a printed seed (MACFLEET_KILL_SEED=<n> replays a run).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixPlanSchema } from '../src/fix/plan-schema.js';
import { randomInt, seededRandom } from '../src/random.js';
import { BIN, runCli } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'macfleet-kill-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const hex = (n: number) => n.toString(16).padStart(2, '0');

/** 300 files: 100 MACs each configured three times (two of each three change). */
function makeTree(root: string): void {
  for (let i = 0; i < 300; i++) {
    const host = join(root, `host${i % 5}`);
    mkdirSync(host, { recursive: true });
    const mac = `00:50:56:20:${hex((i % 100) >> 8)}:${hex(i % 100)}`;
    const kind = i % 3;
    if (kind === 0)
      writeFileSync(
        join(host, `vm${i}.vmx`),
        `displayName = "vm${i}"\r\nethernet0.present = "TRUE"\r\nethernet0.networkName = "net"\r\nethernet0.addressType = "static"\r\nethernet0.address = "${mac}"\r\n`,
      );
    else if (kind === 1)
      writeFileSync(
        join(host, `vm${i}.xml`),
        `<domain type='kvm'>\n  <name>vm${i}</name>\n  <devices>\n    <interface type='bridge'>\n      <mac address='${mac}'/>\n      <source bridge='net'/>\n    </interface>\n  </devices>\n</domain>\n`,
      );
    else
      writeFileSync(
        join(host, `${100 + i}.conf`),
        `name: vm${i}\nnet0: virtio=${mac.toUpperCase()},bridge=net\n\n[snap]\nnet0: virtio=${mac.toUpperCase()},bridge=net\n`,
      );
  }
}

function runKilled(args: string[], delayMs: number): Promise<{ killed: boolean; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, args, { cwd: dir, stdio: 'ignore', env: { ...process.env, HOME: dir } });
    const timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ killed: signal === 'SIGKILL', code });
    });
  });
}

describe('SIGKILL during fix --apply', () => {
  it(
    'every file is wholly old or wholly new, and the same apply completes it',
    { timeout: 240_000 },
    async () => {
      expect(existsSync(join(BIN, '..', '..', 'dist', 'cli', 'main.js')), 'run npm run build first').toBe(
        true,
      );
      const seed = Number(process.env['MACFLEET_KILL_SEED'] ?? Date.now() % 2 ** 31);
      console.log(`fix kill test seed: MACFLEET_KILL_SEED=${seed}`);
      const random = seededRandom(seed);
      const root = join(dir, 'tree');
      makeTree(root);
      makeTree(join(dir, 'timing'));
      const db = join(dir, 'kill.db');
      const cli = (args: string[]) => runCli(args, { env: { HOME: dir }, cwd: dir });
      expect((await cli(['init', '--db', db, '--prefix', '00:50:56:3e:00:00/32'])).code).toBe(0);
      expect((await cli(['fix', 'tree', '--db', db, '--out', 'plan.json'])).code).toBe(1);
      // How long a whole apply takes here (start-up included), on a twin tree: kills fall inside that time.
      expect((await cli(['fix', 'timing', '--db', db, '--out', 'timing.json'])).code).toBe(1);
      const t0 = Date.now();
      expect(await runKilled(['fix', '--apply', 'timing.json', '--db', db, '--quiet'], 120_000)).toEqual({
        killed: false,
        code: 0,
      });
      const whole = Date.now() - t0;
      const plan = fixPlanSchema.parse(JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8')));
      expect(plan.files).toHaveLength(200);
      const state = () =>
        plan.files.map((f) => {
          const h = sha(readFileSync(f.file));
          expect([f.before, f.after], `${f.file} is neither old nor new`).toContain(h);
          return h === f.after;
        });
      let kills = 0;
      const progress: number[] = [];
      for (let round = 0; round < 12; round++) {
        const r = await runKilled(
          ['fix', '--apply', 'plan.json', '--db', db, '--quiet'],
          randomInt(random, whole),
        );
        if (r.killed) kills++;
        progress.push(state().filter(Boolean).length);
        if (!r.killed) break;
      }
      console.log(
        `a whole apply took ${whole} ms; killed ${kills} time(s); files new after each run: ${progress.join(', ')}`,
      );
      const last = await runKilled(['fix', '--apply', 'plan.json', '--db', db, '--quiet'], 120_000);
      expect(last).toEqual({ killed: false, code: 0 });
      expect(state().every(Boolean)).toBe(true);
      for (const f of plan.files) expect(sha(readFileSync(`${f.file}.macfleet-bak`))).toBe(f.before);
      // Nothing half-written is left beside the files.
      const leftovers = readdirSync(root, { recursive: true })
        .map(String)
        .filter((n) => n.endsWith('.macfleet.tmp'));
      expect(leftovers).toEqual([]);
    },
  );
});
