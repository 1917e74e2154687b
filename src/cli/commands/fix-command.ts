/**
 * `macfleet fix`: plan the MAC changes that resolve the scan's duplicates and invalid MACs, and apply
 * them to the configuration files (or undo them). Thin: src/fix plans, src/apply reads and writes.
 */
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { writeFileAtomic } from '../../apply/atomic-file.js';
import { applyPlanFiles, realRoots, undoPlanFiles, type FileOutcome } from '../../apply/fix-files.js';
import { poolFixAllocator } from '../../apply/pool-allocator.js';
import { allocateNewMacs, finishFix, keepRule, prepareFix, type FixOptions } from '../../apply/plan-fix.js';
import { MacfleetError } from '../../errors.js';
import { readFixPlan, type FixPlan } from '../../fix/plan-schema.js';
import { powershellScript } from '../../fix/powershell.js';
import { planSummary, renderPlanText, terminalSafe } from '../../fix/render-plan.js';
import { FIX_SCOPES, type FixScope } from '../../fix/select-changes.js';
import { parseMac } from '../../mac/index.js';
import { hostMatcher } from '../../scan/host-from-path.js';
import { DEFAULT_MAX_FILE_SIZE } from '../../scan/scan.js';
import type { CliContext } from '../context.js';
import { EXIT, exitCodeFor } from '../exit-codes.js';
import { intOption } from '../options.js';
import { clockFrom, storeCommandOptions, withPools, type StoreOptions } from '../store-options.js';
import { readSegments } from './scan-command.js';

interface FixOpts extends StoreOptions {
  apply?: boolean | string;
  undo?: string;
  out?: string;
  ps1?: string;
  scope: string;
  keep: string;
  pool?: string;
  dynamic?: boolean;
  backupDir?: string;
  hostFromPath?: string;
  segments?: string;
  follow?: boolean;
  maxFileSize: number;
  quiet?: boolean;
}

export function registerFix(program: Command, ctx: CliContext): void {
  storeCommandOptions(
    program
      .command('fix')
      .description(
        'plan MAC changes for duplicates and invalid MACs, and write them back into the VM configuration files',
      )
      .argument('[path...]', 'files or directories to scan (as for scan)')
      .option('--apply [plan.json]', 'apply the plan made now, or a plan saved with --out')
      .option('--undo <plan.json>', 'put back every file an applied plan changed, and release its MACs')
      .option('--out <plan.json>', 'save the plan (changes, file hashes, allocations)')
      .option('--ps1 <file>', 'write the PowerShell for Hyper-V hosts as a script')
      .option(
        '--scope <scope>',
        'duplicates to fix: default (blocking, conflicting) or latent (all)',
        'default',
      )
      .option(
        '--keep <rule>',
        'who keeps the MAC: oldest (file mtime), first (path order) or a glob',
        'oldest',
      )
      .option('--pool <name>', 'pool for new MACs (default: the default pool)')
      .option('--dynamic', "switch adapters to the format's dynamic MAC where it has one")
      .option(
        '--backup-dir <dir>',
        'keep backups under this directory (mirroring the tree), not beside the files',
      )
      .option('--host-from-path <pattern>', "host name from the path under each scan root, e.g. '{host}/**'")
      .option('--segments <file.yaml>', 'map (host, network) pairs to named L2 segments')
      .option('--follow', 'follow symbolic links')
      .option(
        '--max-file-size <bytes>',
        'skip files larger than this',
        intOption('--max-file-size', 1),
        DEFAULT_MAX_FILE_SIZE,
      )
      .option('--quiet', 'no progress output'),
  ).action(async (paths: string[], opts: FixOpts) => {
    if (opts.undo !== undefined) {
      if (paths.length > 0 || opts.apply !== undefined)
        throw new MacfleetError('USAGE', '--undo <plan.json> takes no paths and no --apply');
      return undo(ctx, opts, readPlanFile(ctx, opts.undo));
    }
    let planFile: string | undefined;
    if (typeof opts.apply === 'string') {
      // `fix --apply <dir>` is a scan path; `fix --apply <plan.json>` a saved plan.
      if (isDirectory(resolve(ctx.io.cwd, opts.apply))) paths.push(opts.apply);
      else planFile = opts.apply;
    }
    if (planFile !== undefined) {
      if (paths.length > 0)
        throw new MacfleetError('USAGE', '--apply <plan.json> takes no paths: the plan names its files');
      return applySaved(ctx, opts, readPlanFile(ctx, planFile));
    }
    if (paths.length === 0)
      throw new MacfleetError('USAGE', 'fix: name the paths to scan, or --apply/--undo a plan');
    await planAndMaybeApply(ctx, opts, paths);
  });
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function fixOptions(ctx: CliContext, opts: FixOpts): FixOptions {
  if (!(FIX_SCOPES as readonly string[]).includes(opts.scope))
    throw new MacfleetError(
      'INVALID_ARGUMENT',
      `--scope: expected default or latent, got ${JSON.stringify(opts.scope)}`,
      {
        location: { field: '--scope' },
      },
    );
  return {
    scope: opts.scope as FixScope,
    keep: keepRule(opts.keep, ctx.io.cwd),
    keepText: opts.keep,
    dynamic: opts.dynamic === true,
    pool: opts.pool ?? null,
    backupDir: opts.backupDir ?? null,
    cwd: ctx.io.cwd,
    now: clockFrom(opts.now).now(),
  };
}

async function planAndMaybeApply(ctx: CliContext, opts: FixOpts, paths: string[]): Promise<void> {
  const options = fixOptions(ctx, opts);
  const segments = opts.segments === undefined ? undefined : await readSegments(opts.segments);
  const hostFromPath = opts.hostFromPath === undefined ? undefined : hostMatcher(opts.hostFromPath);
  // The scan reads paths against the process's directory: relative paths stay as the user wrote them
  // (and are shown so) unless the command runs for another directory.
  const scanPaths = paths.map((p) =>
    isAbsolute(p) || ctx.io.cwd === process.cwd() ? p : resolve(ctx.io.cwd, p),
  );
  const prepared = await prepareFix(
    scanPaths,
    {
      follow: opts.follow ?? false,
      maxFileSize: opts.maxFileSize,
      ...(hostFromPath ? { hostFromPath } : {}),
      ...(segments ? { segments } : {}),
    },
    options,
  );
  const needStore = prepared.requests.some((r) => r !== undefined);
  const allocated = needStore
    ? await withPools(ctx, opts, (pools) => allocateNewMacs(prepared, poolFixAllocator(pools, options.pool)))
    : { macs: prepared.requests.map(() => undefined), allocations: [], warnings: [] };
  const { plan, texts } = finishFix(prepared, allocated, options);
  if (opts.out !== undefined) writeOutput(ctx, opts.out, `${JSON.stringify(plan, null, 2)}\n`);
  if (opts.ps1 !== undefined && plan.powershell.length > 0)
    writeOutput(
      ctx,
      opts.ps1,
      powershellScript(
        plan.powershell,
        `macfleet fix: ${plan.powershell.length} adapter(s), ${plan.createdAt}`,
      ),
    );
  const shown = (file: string) => relative(ctx.io.cwd, file) || file;
  if (opts.json) ctx.json(plan);
  else ctx.io.stdout(renderPlanText(plan, texts, shown));
  if (opts.apply === undefined) {
    if (plan.changes.length > 0) ctx.setExitCode(EXIT.findings);
    return;
  }
  report(ctx, opts, await applyPlanFiles(plan), 'applied', shown);
}

function readPlanFile(ctx: CliContext, file: string): FixPlan {
  let text: string;
  try {
    text = readFileSync(resolve(ctx.io.cwd, file), 'utf8');
  } catch (e) {
    throw new MacfleetError(
      'IO_ERROR',
      `cannot read the plan ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
      {
        location: { file },
        cause: e,
      },
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new MacfleetError(
      'PARSE_ERROR',
      `${file}: not JSON: ${e instanceof Error ? e.message : String(e)}`,
      {
        location: { file },
      },
    );
  }
  return placed(readFixPlan(value, file), ctx.io.cwd);
}

/**
 * A plan made by the API for an uploaded scan names its files as uploaded (relative): they are the
 * files under the directory the command runs in, and that directory is the plan's root.
 */
function placed(plan: FixPlan, cwd: string): FixPlan {
  if (plan.roots.every(isAbsolute) && plan.files.every((f) => isAbsolute(f.file))) return plan;
  const at = (p: string) => (isAbsolute(p) ? p : resolve(cwd, p));
  const owners = new Map(plan.changes.map((c) => [`${c.file} ${c.adapter}`, `${at(c.file)} ${c.adapter}`]));
  return {
    ...plan,
    roots: plan.roots.map((r) => (isAbsolute(r) ? r : realRoots([r], cwd)[0]!)),
    files: plan.files.map((f) => ({ ...f, file: at(f.file) })),
    changes: plan.changes.map((c) => ({ ...c, file: at(c.file) })),
    allocations: plan.allocations.map((a) => ({ ...a, owner: owners.get(a.owner) ?? a.owner })),
  };
}

function writeOutput(ctx: CliContext, file: string, text: string): void {
  try {
    writeFileAtomic(resolve(ctx.io.cwd, file), Buffer.from(text, 'utf8'), 0o644);
  } catch (e) {
    throw new MacfleetError(
      'IO_ERROR',
      `cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
      {
        location: { file },
        cause: e,
      },
    );
  }
}

async function applySaved(ctx: CliContext, opts: FixOpts, plan: FixPlan): Promise<void> {
  const shown = (file: string) => relative(ctx.io.cwd, file) || file;
  if (!opts.json) ctx.out(planSummary(plan));
  report(
    ctx,
    opts,
    await applyPlanFiles(
      plan,
      opts.backupDir === undefined ? {} : { backupDir: resolve(ctx.io.cwd, opts.backupDir) },
    ),
    'applied',
    shown,
  );
}

async function undo(ctx: CliContext, opts: FixOpts, plan: FixPlan): Promise<void> {
  const shown = (file: string) => relative(ctx.io.cwd, file) || file;
  const outcomes = await undoPlanFiles(
    plan,
    opts.backupDir === undefined ? {} : { backupDir: resolve(ctx.io.cwd, opts.backupDir) },
  );
  const restored = new Set(outcomes.filter((o) => o.status !== 'refused').map((o) => o.file));
  // A MAC goes back to its pool only when the file that used it is back as it was.
  const releasable = plan.allocations.filter((a) => {
    const change = plan.changes.find((c) => a.owner === `${c.file} ${c.adapter}`);
    return change !== undefined && change.via === 'file' && restored.has(change.file);
  });
  const released: string[] = [];
  if (releasable.length > 0) {
    await withPools(ctx, opts, async (pools) => {
      for (const a of releasable) {
        try {
          await pools.release(parseMac(a.mac));
          released.push(a.mac);
        } catch (e) {
          // Released already (an undo run twice): nothing left to do for it.
          if (!(e instanceof MacfleetError) || e.code !== 'NOT_FOUND') throw e;
        }
      }
    });
  }
  const kept = plan.allocations.length - releasable.length;
  const note = `${released.length} MAC(s) released${kept > 0 ? `; ${kept} kept (their files were not restored, or they were set by PowerShell or by hand)` : ''}`;
  report(ctx, opts, outcomes, 'restored', shown, note);
}

function report(
  ctx: CliContext,
  opts: FixOpts,
  outcomes: readonly FileOutcome[],
  verb: 'applied' | 'restored',
  shown: (file: string) => string,
  note?: string,
): void {
  const count = (s: FileOutcome['status']) => outcomes.filter((o) => o.status === s).length;
  const refused = outcomes.filter((o) => o.status === 'refused');
  if (opts.json && opts.apply !== undefined && verb === 'applied' && typeof opts.apply !== 'string') {
    // The plan was printed as JSON already; outcomes go to stderr as one JSON line.
    ctx.io.stderr(`${JSON.stringify({ [verb]: outcomes })}\n`);
  } else if (opts.json) ctx.json({ [verb]: outcomes, ...(note === undefined ? {} : { note }) });
  else {
    ctx.out(
      `${verb}: ${count('written')} file(s) written, ${count('unchanged')} already ${verb === 'applied' ? 'done' : 'as planned'}, ${refused.length} refused`,
    );
    for (const o of refused)
      ctx.out(
        `  refused ${terminalSafe(shown(o.file))}: ${terminalSafe(o.error!.message)} [${o.error!.code}]`,
      );
    if (note !== undefined) ctx.out(note);
  }
  const worst = refused.reduce((n, o) => Math.max(n, exitCodeFor(o.error!.code)), 0);
  ctx.setExitCode(worst);
}
