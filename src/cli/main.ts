/**
 * The CLI: one commander program, one module per command (src/cli/commands), and the single top-level
 * catch that turns a MacfleetError into a message and an exit status.
 */
import { Command, CommanderError } from 'commander';
import { escapeTerminal } from '../escape.js';
import { MacfleetError } from '../errors.js';
import { makeContext, processIo, type CliContext, type CliIo } from './context.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import { commandsFor } from './commands/index.js';

export type { CliIo } from './context.js';

/** A command module: adds its subcommand(s) to the program. */
export type RegisterCommand = (program: Command, ctx: CliContext) => void;

/** The program with the given commands (see `commandsFor`: a run loads only the command it names). */
export function buildProgram(
  ctx: CliContext,
  commands: readonly RegisterCommand[],
  options: { json?: boolean } = {},
): Command {
  const program = new Command('macfleet')
    .description('MAC address control for virtual machine fleets')
    .version('0.1.0')
    // Program options only before the command: `host add --version <v>` is the hypervisor's version.
    .enablePositionalOptions()
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.io.stdout(s),
      // Under --json, stderr carries the one JSON error the top-level catch prints, nothing else.
      writeErr: (s) => {
        if (options.json !== true) ctx.io.stderr(escapeTerminal(s, { keepLineBreaks: true }));
      },
    });
  for (const register of commands) register(program, ctx);
  for (const sub of program.commands) inheritSettings(sub);
  return program;
}

function inheritSettings(cmd: Command): void {
  for (const sub of cmd.commands) {
    sub.exitOverride();
    inheritSettings(sub);
  }
}

/** Run the CLI with the given arguments (without `node` and the script); resolves to the exit status. */
export async function run(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const ctx = makeContext(io);
  const wantsJson = argv.includes('--json');
  let status: number;
  try {
    await buildProgram(ctx, await commandsFor(argv), { json: wantsJson }).parseAsync([...argv], {
      from: 'user',
    });
    status = ctx.exitCode;
  } catch (e) {
    status = reportError(e, io, wantsJson);
  }
  const lost = await io.flush?.();
  if (lost === undefined) return status;
  // The result never reached the user: that is a failure whatever the command did, and what it had
  // already committed (MACs allocated, ...) is said on stderr, which may still work.
  const error = new MacfleetError(
    'IO_FAILED',
    `could not write the output: ${(lost as NodeJS.ErrnoException).code ?? lost.message}`,
    { cause: lost },
  );
  reportError(error, io, wantsJson);
  for (const note of ctx.committedNotes) io.stderr(`macfleet: ${escapeTerminal(note)}\n`);
  return exitCodeFor(error.code);
}

/** The one top-level catch: an error becomes a message on stderr (JSON under --json) and an exit status. */
function reportError(e: unknown, io: CliIo, wantsJson: boolean): number {
  if (e instanceof CommanderError) {
    // Help and version end with code 0 through this path; usage errors were already printed.
    if (e.exitCode === 0) return EXIT.ok;
    if (wantsJson) io.stderr(`${JSON.stringify({ error: { code: 'USAGE', message: e.message } })}\n`);
    return EXIT.badInput;
  }
  if (e instanceof MacfleetError) {
    if (wantsJson) io.stderr(`${JSON.stringify({ error: e.toJSON() })}\n`);
    else io.stderr(`macfleet: ${escapeTerminal(e.message)} [${e.code}]\n`);
    return exitCodeFor(e.code);
  }
  const err = e instanceof Error ? e : new Error(String(e));
  if (wantsJson) io.stderr(`${JSON.stringify({ error: { code: 'INTERNAL', message: err.message } })}\n`);
  else
    io.stderr(
      `macfleet: internal error: ${escapeTerminal(err.stack ?? err.message, { keepLineBreaks: true })}\n`,
    );
  return EXIT.internal;
}
