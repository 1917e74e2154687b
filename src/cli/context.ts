import { escapeTerminal } from '../escape.js';
/** What a CLI command may touch: its output streams, environment and working directory (injectable in tests). */
export interface CliIo {
  /** Text, or bytes already encoded as UTF-8 (large reports are written as encoded pieces). */
  readonly stdout: (text: string | Uint8Array) => void;
  readonly stderr: (text: string) => void;
  /** Whether stderr is a terminal (progress bars only then). */
  readonly stderrIsTTY: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /**
   * Wait until everything written to stdout has reached it; resolves to the first write error (disk full,
   * closed pipe) or undefined. Absent: writes cannot fail (an in-memory capture).
   */
  readonly flush?: () => Promise<Error | undefined>;
}

export function processIo(): CliIo {
  let failure: Error | undefined;
  const record = (e: Error | null | undefined) => {
    if (e) failure ??= e;
  };
  // A failed write to a file is also emitted as an 'error' event: without a listener it would crash.
  process.stdout.on('error', record);
  return {
    stdout: (t) => {
      if (failure === undefined) process.stdout.write(t, record);
    },
    stderr: (t) => process.stderr.write(t),
    stderrIsTTY: process.stderr.isTTY === true,
    env: process.env,
    cwd: process.cwd(),
    flush: () =>
      new Promise((resolve) => {
        if (failure !== undefined || process.stdout.destroyed) resolve(failure);
        else
          process.stdout.write('', (e) => {
            record(e);
            resolve(failure);
          });
      }),
  };
}

export interface CliContext {
  readonly io: CliIo;
  /** Print a line (a newline is added) on stdout, control characters escaped for a terminal. */
  out(text: string): void;
  /** Print a value as JSON on stdout. */
  json(value: unknown): void;
  /** Set the exit code the command ends with (default 0). */
  setExitCode(code: number): void;
  /**
   * Say what the command has already committed (e.g. MACs allocated, and how to release or replay
   * them): printed on stderr when its output cannot be written, so nothing is done behind the user's back.
   */
  committed(note: string): void;
}

export function makeContext(
  io: CliIo,
): CliContext & { readonly exitCode: number; readonly committedNotes: readonly string[] } {
  let exitCode = 0;
  const committedNotes: string[] = [];
  return {
    io,
    out: (text) =>
      io.stdout(escapeTerminal(text.endsWith('\n') ? text : `${text}\n`, { keepLineBreaks: true })),
    json: (value) => io.stdout(`${JSON.stringify(value, null, 2)}\n`),
    setExitCode: (code) => {
      exitCode = code;
    },
    committed: (note) => {
      committedNotes.push(note);
    },
    get exitCode() {
      return exitCode;
    },
    committedNotes,
  };
}
