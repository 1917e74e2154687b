/** Test helpers: run the CLI in-process with captured output, or as the real `./bin/macfleet` process. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { run, type CliIo } from '../../src/cli/main.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = fileURLToPath(new URL('../../bin/macfleet', import.meta.url));

/**
 * Run `macfleet <args>` in this process (fast; no build needed). The environment is exactly `env`
 * (default empty), so a developer's own MACFLEET_DB or HOME never leaks into a test.
 */
export async function runCli(
  args: readonly string[],
  options: { env?: Record<string, string | undefined>; cwd?: string } = {},
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (t) => {
      stdout += typeof t === 'string' ? t : Buffer.from(t).toString('utf8');
    },
    stderr: (t) => {
      stderr += t;
    },
    stderrIsTTY: false,
    env: { ...options.env },
    cwd: options.cwd ?? REPO_ROOT,
  };
  const code = await run(args, io);
  return { code, stdout, stderr };
}

/** Run the built `./bin/macfleet` as a child process (what users and checks run). */
export function runBin(
  args: readonly string[],
  options: { env?: Record<string, string | undefined>; cwd?: string; input?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, [...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}
