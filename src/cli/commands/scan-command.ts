/** `macfleet scan <path>...`: audit VM configuration files for MAC problems. */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  segmentRulesFrom,
  severityRank,
  SEVERITIES,
  type SegmentRule,
  type Severity,
} from '../../audit/index.js';
import { MacfleetError } from '../../errors.js';
import { hostMatcher } from '../../scan/host-from-path.js';
import { renderAdapters, scanCsv, scanJsonPieces, scanText } from '../../scan/report.js';
import { scanSarif } from '../../scan/sarif.js';
import { DEFAULT_MAX_FILE_SIZE, scan } from '../../scan/scan.js';
import { READ_ISSUE_CODES, ROOT_UNREADABLE } from '../../scan/walk.js';
import type { CliContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { intOption } from '../options.js';

interface ScanOpts {
  json?: boolean;
  csv?: boolean;
  sarif?: boolean;
  follow?: boolean;
  maxFileSize: number;
  hostFromPath?: string;
  segments?: string;
  failOn: string;
  quiet?: boolean;
}

export function registerScan(program: Command, ctx: CliContext): void {
  program
    .command('scan')
    .description(
      'read VM configuration files (vmx, libvirt XML, Proxmox, vmc, vbox, OVF, Hyper-V JSON/CSV, inventory CSV) and report MAC problems',
    )
    .argument('<path...>', 'files or directories (searched recursively)')
    .option('--json', 'JSON report: {files, adapters, findings, issues}')
    .option('--csv', 'CSV report: one row per finding member')
    .option('--sarif', 'SARIF 2.1.0 report (for code review)')
    .option(
      '--host-from-path <pattern>',
      "host name from the path under each scan root, e.g. '{host}/**' or '**/{host}/qemu-server/*.conf'",
    )
    .option(
      '--segments <file.yaml>',
      'map (host, network) pairs to named L2 segments (overrides the default rules)',
    )
    .option('--follow', 'follow symbolic links')
    .option(
      '--max-file-size <bytes>',
      'skip files larger than this (with a note)',
      intOption('--max-file-size', 1),
      DEFAULT_MAX_FILE_SIZE,
    )
    .option(
      '--fail-on <severity>',
      'exit 1 when a finding is at or above: error, warning, info or none',
      'error',
    )
    .option('--quiet', 'no progress bar')
    .action(async (paths: string[], opts: ScanOpts) => {
      const formatsAsked = [opts.json, opts.csv, opts.sarif].filter(Boolean).length;
      if (formatsAsked > 1) throw new MacfleetError('USAGE', 'choose one of --json, --csv and --sarif');
      const failOn = opts.failOn.toLowerCase();
      if (failOn !== 'none' && !(SEVERITIES as readonly string[]).includes(failOn)) {
        throw new MacfleetError(
          'INVALID_ARGUMENT',
          `--fail-on: expected error, warning, info or none, got ${JSON.stringify(opts.failOn)}`,
          {
            location: { field: '--fail-on' },
          },
        );
      }
      const segments = opts.segments === undefined ? undefined : await readSegments(opts.segments);
      const hostFromPath = opts.hostFromPath === undefined ? undefined : hostMatcher(opts.hostFromPath);
      const progress = ctx.io.stderrIsTTY && !opts.quiet ? await progressBar() : undefined;
      // With --json the adapters are rendered while the scan runs, batch by batch, and kept as UTF-8 bytes:
      // encoded a chunk at a time (encoding one 26 MB string at the end took ~0.2 s) and outside the JS heap.
      const adapterChunks: Uint8Array[] = [];
      let result;
      try {
        result = await scan(paths, {
          follow: opts.follow ?? false,
          maxFileSize: opts.maxFileSize,
          ...(hostFromPath ? { hostFromPath } : {}),
          ...(segments ? { segments } : {}),
          ...(progress ? { onProgress: progress.update } : {}),
          ...(opts.json
            ? {
                onAdapters: (batch) =>
                  adapterChunks.push(Buffer.from(renderAdapters(batch, segments), 'utf8')),
              }
            : {}),
        });
      } finally {
        progress?.stop();
      }
      if (opts.json) for (const piece of scanJsonPieces(result, adapterChunks)) ctx.io.stdout(piece);
      else if (opts.csv) ctx.io.stdout(scanCsv(result));
      else if (opts.sarif) ctx.json(scanSarif(result, '0.1.0'));
      else ctx.io.stdout(scanText(result));
      if (failOn !== 'none') {
        const threshold = severityRank(failOn as Severity);
        const readProblem = (i: { code: string; severity: Severity }) =>
          READ_ISSUE_CODES.has(i.code) && severityRank(i.severity) >= threshold;
        if (
          result.findings.some((f) => severityRank(f.severity) >= threshold) ||
          result.issues.some(readProblem)
        )
          ctx.setExitCode(EXIT.findings);
      }
      // A root that could not be read at all is bad input, whatever else was found.
      if (result.issues.some((i) => i.code === ROOT_UNREADABLE)) ctx.setExitCode(EXIT.badInput);
    });
}

export async function readSegments(file: string): Promise<SegmentRule[]> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new MacfleetError(
      'IO_ERROR',
      `--segments: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
      {
        location: { file },
        cause: e,
      },
    );
  }
  // Loaded only when --segments is given: most scans never need a YAML parser.
  const { parse: parseYaml } = await import('yaml');
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    const pos = (e as { linePos?: { line: number; col: number }[] }).linePos?.[0];
    throw new MacfleetError(
      'PARSE_ERROR',
      `--segments: ${file}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`,
      {
        location: { file, ...(pos ? { line: pos.line, column: pos.col } : {}) },
      },
    );
  }
  return segmentRulesFrom(doc, file);
}

async function progressBar(): Promise<{ update: (done: number, total: number) => void; stop: () => void }> {
  const { SingleBar, Presets } = await import('cli-progress');
  const bar = new SingleBar(
    { stream: process.stderr, format: 'scanning [{bar}] {value}/{total} files', clearOnComplete: true },
    Presets.shades_classic,
  );
  let started = false;
  return {
    update: (done, total) => {
      if (!started) {
        bar.start(total, done);
        started = true;
      } else bar.update(done);
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}
