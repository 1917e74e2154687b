/** What a CLI command may touch: its output streams, environment and working directory (injectable in tests). */
export interface CliIo {
  /** Text, or bytes already encoded as UTF-8 (large reports are written as encoded pieces). */
  readonly stdout: (text: string | Uint8Array) => void;
  readonly stderr: (text: string) => void;
  /** Whether stderr is a terminal (progress bars only then). */
  readonly stderrIsTTY: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

export function processIo(): CliIo {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    stderrIsTTY: process.stderr.isTTY === true,
    env: process.env,
    cwd: process.cwd(),
  };
}

export interface CliContext {
  readonly io: CliIo;
  /** Print a line (a newline is added) on stdout. */
  out(text: string): void;
  /** Print a value as JSON on stdout. */
  json(value: unknown): void;
  /** Set the exit code the command ends with (default 0). */
  setExitCode(code: number): void;
}

export function makeContext(io: CliIo): CliContext & { readonly exitCode: number } {
  let exitCode = 0;
  return {
    io,
    out: (text) => io.stdout(text.endsWith('\n') ? text : `${text}\n`),
    json: (value) => io.stdout(`${JSON.stringify(value, null, 2)}\n`),
    setExitCode: (code) => {
      exitCode = code;
    },
    get exitCode() {
      return exitCode;
    },
  };
}
