/**
 * Issue 16, proof: random argv for every command (found by walking the commander program, so a new
 * command or option is fuzzed without touching this file) against a temporary SQLite database that
 * already holds a pool, a host, a network and a VM. Whatever the arguments: never a stack trace, never
 * exit 70 (internal), and the database still opens and passes `PRAGMA integrity_check` afterwards.
 * The run count is bounded (CI time); fast-check prints the seed and the shrunk argv of a failure, and
 * `MACFLEET_FUZZ_SEED` / `MACFLEET_FUZZ_RUNS` replay or widen a run; `MACFLEET_FUZZ_LOG=1` prints each
 * argv with its exit status (to see what the run reaches).
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Command } from 'commander';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandsFor } from '../../src/cli/commands/index.js';
import { makeContext } from '../../src/cli/context.js';
import { buildProgram } from '../../src/cli/main.js';
import { REPO_ROOT, runCli } from '../helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'macfleet-fuzz-'));
const db = join(tmp, 'fleet.db');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Leaf {
  readonly path: readonly string[];
  readonly args: readonly { variadic: boolean }[];
  readonly options: readonly { flag: string; takesValue: boolean; mandatory: boolean }[];
  readonly usesDb: boolean;
}

/** Every runnable command path of the program with its arguments and options. */
async function leaves(): Promise<Leaf[]> {
  const silent = { stdout: () => {}, stderr: () => {}, stderrIsTTY: false, env: {}, cwd: tmp };
  const program = buildProgram(makeContext(silent), await commandsFor([]));
  const out: Leaf[] = [];
  const walk = (cmd: Command, path: string[]) => {
    for (const sub of cmd.commands) {
      const p = [...path, sub.name()];
      if (sub.commands.length > 0) walk(sub, p);
      else
        out.push({
          path: p,
          args: sub.registeredArguments.map((a) => ({ variadic: a.variadic })),
          options: sub.options
            .filter((o) => o.long !== undefined && o.long !== '--db')
            .map((o) => ({ flag: o.long!, takesValue: o.required || o.optional, mandatory: o.mandatory })),
          usesDb: sub.options.some((o) => o.long === '--db'),
        });
    }
  };
  walk(program, []);
  return out;
}

// Values: hostile strings, numbers at and past the edges, and names and files that exist, so commands
// get past their first check. No absolute path or `..`: a scan stays inside the temporary directory.
const value = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '-1',
    '0',
    '1',
    '2',
    '3',
    '1e3',
    'NaN',
    '0x10',
    '4294967296',
    '99999999999999999999',
    '2026-11-29T00:00:00Z',
    '\u001b[2J\u0007',
    'a\r\nb',
    '=cmd|calc',
    'x'.repeat(300),
    '00:50:56:00:00:01',
    '0a:00:00:00:09:00',
    '0a:00:00:00:09:00-0a:00:00:00:09:ff',
    'ff:ff:ff:ff:ff:ff',
    '10.0.0.1',
    't',
    'esx1',
    'LAN',
    'web',
    'vmware',
    'hyper-v',
    'unicast',
    'multicast',
    'static',
    'dynamic',
    'LAN:static:00:50:56:00:00:09',
    'fleet',
    'fleet/a.vmx',
    'scan.json',
    'scenario.yaml',
    'hosts.yaml',
    'missing.json',
    'error',
    'none',
    '{host}/**',
    '**/**/{host}/**',
  ),
  fc.string({ maxLength: 12 }).filter((s) => !s.startsWith('/') && !s.includes('..')),
  fc.integer({ min: -5, max: 70_000 }).map(String),
);

// As many positional arguments as the command takes (up to two more for a variadic one), its mandatory
// options always, the others at random.
const argvFor = (leaf: Leaf) => {
  const extra = leaf.args.some((a) => a.variadic) ? 2 : 0;
  return fc
    .tuple(
      fc.array(value, { minLength: leaf.args.length, maxLength: leaf.args.length + extra }),
      fc.subarray(leaf.options.filter((o) => !o.mandatory)),
      fc.array(value, { minLength: leaf.options.length, maxLength: leaf.options.length }),
    )
    .map(([positional, optional, values]) => {
      const options = [...leaf.options.filter((o) => o.mandatory), ...optional];
      return [
        ...leaf.path,
        ...positional,
        ...options.flatMap((o, i) => (o.takesValue ? [o.flag, values[i]!] : [o.flag])),
        ...(leaf.usesDb ? ['--db', db] : []),
      ];
    });
};

// `serve` answers requests until SIGTERM by design: a valid argv never returns, so it is left to its own
// tests (test/api, src/api). Every other command must finish on any argv.
const RUNS_UNTIL_STOPPED: ReadonlySet<string> = new Set(['serve']);

describe('CLI fuzz: random argv for every command', () => {
  let all: Leaf[] = [];
  beforeAll(async () => {
    all = (await leaves()).filter((l) => !RUNS_UNTIL_STOPPED.has(l.path[0]!));
    cpSync(join(REPO_ROOT, 'examples', 'fleet', 'esx01'), join(tmp, 'fleet'), { recursive: true });
    writeFileSync(join(tmp, 'fleet', 'a.vmx'), 'ethernet0.address = "00:50:56:00:00:01"\n');
    cpSync(join(REPO_ROOT, 'examples', 'lab', 'dhcp-and-router-guard.yaml'), join(tmp, 'scenario.yaml'));
    cpSync(join(REPO_ROOT, 'examples', 'hosts.yaml'), join(tmp, 'hosts.yaml'));
    mkdirSync(join(tmp, 'empty'));
    const seed = async (...args: string[]) =>
      expect((await runCli([...args, '--db', db], { cwd: tmp })).code).toBe(0);
    await seed('pool', 'create', 't', '--range', '0a:00:00:00:09:00-0a:00:00:00:09:ff');
    await seed('host', 'add', 'esx1', '--hypervisor', 'vmware');
    await seed('network', 'add', 'LAN', '--host', 'esx1');
    await seed('vm', 'create', 'web', '--host', 'esx1', '--adapter', 'LAN');
    const scan = await runCli(['scan', '--json', '--fail-on', 'none', 'fleet'], { cwd: tmp });
    writeFileSync(join(tmp, 'scan.json'), scan.stdout);
  });

  it('covers every command', () => {
    const names = new Set(all.map((l) => l.path[0]));
    for (const n of ['scan', 'allocate', 'pool', 'vm', 'import', 'lab', 'doctor', 'events', 'mac'])
      expect(names.has(n)).toBe(true);
  });

  it('never a stack trace, never exit 70, and the database stays sound', async () => {
    const seed = process.env['MACFLEET_FUZZ_SEED'];
    await fc.assert(
      fc.asyncProperty(
        fc
          .constant(null)
          .chain(() => fc.constantFrom(...all))
          .chain(argvFor),
        async (argv) => {
          const r = await runCli(argv, { cwd: tmp });
          if (process.env['MACFLEET_FUZZ_LOG'])
            console.log(
              'FUZZ',
              r.code,
              JSON.stringify(argv).slice(0, 150),
              r.stderr.slice(0, 150).replace(/\n/g, ' '),
            );
          const shown = JSON.stringify(argv);
          expect(r.code, `${shown}\n${r.stderr}`).not.toBe(70);
          expect(r.stderr, shown).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/);
        },
      ),
      {
        numRuns: Number(process.env['MACFLEET_FUZZ_RUNS'] ?? 300),
        ...(seed === undefined ? {} : { seed: Number(seed) }),
      },
    );
    const check = new Database(db, { readonly: true });
    try {
      expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      check.close();
    }
  }, 120_000);
});
