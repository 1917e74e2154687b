/**
 * Issue 16, the CLI output layer: a result that cannot be written is a failure (IO_FAILED, exit 4), and
 * what the command committed is said on stderr; under --json stderr holds only the JSON error.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, REPO_ROOT, runCli } from './helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'macfleet-output-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Run the built CLI with stdout on /dev/full (every write fails with ENOSPC). */
function toDevFull(args: string[], env: Record<string, string> = {}) {
  const full = openSync('/dev/full', 'w');
  try {
    const r = spawnSync(BIN, args, {
      cwd: REPO_ROOT,
      env: { PATH: process.env['PATH'], ...env },
      stdio: ['ignore', full, 'pipe'],
      encoding: 'utf8',
    });
    return { code: r.status, stderr: r.stderr };
  } finally {
    closeSync(full);
  }
}

describe.skipIf(!existsSync('/dev/full'))('output that never reached the user', () => {
  it('scan > /dev/full exits 4 with IO_FAILED', () => {
    const r = toDevFull(['scan', 'examples/fleet', '--fail-on', 'none']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('could not write the output: ENOSPC [IO_FAILED]');
    expect(r.stderr).not.toContain('    at ');
  });

  it('allocate --count 2 > /dev/full exits 4 and names the MACs, how to replay them and release them', async () => {
    const db = join(tmp, 'alloc.db');
    expect(
      (await runCli(['pool', 'create', 't', '--range', '0a:00:00:00:09:00-0a:00:00:00:09:ff', '--db', db]))
        .code,
    ).toBe(0);
    const r = toDevFull([
      'allocate',
      '--pool',
      't',
      '--count',
      '2',
      '--owner',
      'alice',
      '--key',
      'k 1',
      '--db',
      db,
    ]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('[IO_FAILED]');
    expect(r.stderr).toContain('2 MACs stay allocated: 0a:00:00:00:09:00 0a:00:00:00:09:01');
    expect(r.stderr).toContain("--key 'k 1'");
    expect(r.stderr).toContain('macfleet release 0a:00:00:00:09:00 0a:00:00:00:09:01');
    // The replay the note suggests gives the same MACs.
    const again = await runCli(['allocate', '--pool', 't', '--count', '2', '--key', 'k 1', '--db', db]);
    expect(again.stdout).toBe('0a:00:00:00:09:00\n0a:00:00:00:09:01\n');
  });
});

describe('usage errors under --json', () => {
  it('print only the JSON error on stderr', async () => {
    for (const args of [
      ['scan', '--json'],
      ['scan', '--json', '--no-such-option', 'x'],
      ['pool', 'create', '--json'],
      ['nosuchcommand', '--json'],
    ]) {
      const r = await runCli(args);
      expect(r.code).toBe(2);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0]!)).toMatchObject({ error: { code: 'USAGE' } });
    }
  });
});
