/** `macfleet lab run <scenario.yaml> [--trace] [--json]`: replay a virtual switch / NLB scenario. */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { MacfleetError } from '../../errors.js';
import { formatRun, readScenario, runJson, runScenario, type Scenario } from '../../lab/index.js';
import type { CliContext } from '../context.js';

/** Read and validate a scenario file (shared with `doctor spoofing`). */
export async function loadScenario(ctx: CliContext, file: string): Promise<Scenario> {
  let text: string;
  try {
    text = await readFile(resolve(ctx.io.cwd, file), 'utf8');
  } catch (e) {
    throw new MacfleetError('IO_ERROR', `cannot read scenario ${file}: ${(e as Error).message}`, {
      location: { file },
      cause: e,
    });
  }
  return readScenario(text, file);
}

export function registerLab(program: Command, ctx: CliContext): void {
  const lab = program.command('lab').description('virtual switch and NLB lab');
  lab
    .command('run')
    .description(
      'replay a scenario file: where every frame went or why it was dropped, and the symptoms seen',
    )
    .argument('<scenario>', 'scenario YAML file (see examples/lab/)')
    .option('--trace', 'every hop, every port a flood skipped, and the forwarding tables after each step')
    .option('--json', 'machine-readable output')
    .action(async (file: string, opts: { trace?: boolean; json?: boolean }) => {
      const run = runScenario(await loadScenario(ctx, file));
      if (opts.json) ctx.json(runJson(run));
      else ctx.out(formatRun(run, opts.trace === true));
    });
}
