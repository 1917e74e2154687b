/** `macfleet pool create|list|show`: pools of MAC ranges and how full they are. */
import type { Command } from 'commander';
import { formatMac, formatMacRange, type MacRange } from '../../mac/index.js';
import { DEFAULT_EXCLUSIONS } from '../../pool/pool-spec.js';
import { poolJson } from '../../store/pool-json.js';
import type { PoolInfo } from '../../store/pool-store.js';
import type { CliContext } from '../context.js';
import { collect } from '../options.js';
import {
  formatDuration,
  parseDuration,
  storeCommandOptions,
  withPools,
  type StoreOptions,
} from '../store-options.js';

const percent = (used: number, size: number): string =>
  `${size === 0 ? '0.00' : ((100 * used) / size).toFixed(2)}%`;

function exclusionNote(r: MacRange): string {
  const known = DEFAULT_EXCLUSIONS.find((d) => d.range.start <= r.start && r.end <= d.range.end);
  return known === undefined ? '' : `  (${known.reason})`;
}

export { poolJson };

/** The text form of `pool show`. */
export function describePool(p: PoolInfo): string {
  return [
    `pool ${p.name}${p.isDefault ? ' (default)' : ''}`,
    ...p.ranges.map((r, i) => `  ${i === 0 ? 'ranges     ' : '           '}  ${formatMacRange(r)}`),
    ...p.exclusions.map(
      (r, i) => `  ${i === 0 ? 'exclusions ' : '           '}  ${formatMacRange(r)}${exclusionNote(r)}`,
    ),
    `  quarantine   ${formatDuration(p.quarantineMs)}`,
    `  size         ${p.size}`,
    `  used         ${p.used} (${percent(p.used, p.size)})`,
    `  free         ${p.free}`,
    `  quarantined  ${p.quarantined}`,
    `  next from    ${formatMac(p.cursor)}`,
  ].join('\n');
}

interface CreateOptions extends StoreOptions {
  readonly range?: string[];
  readonly exclude?: string[];
  readonly default?: boolean;
  readonly defaultExclusions: boolean;
  readonly quarantine: string;
  readonly force?: boolean;
}

export function registerPool(program: Command, ctx: CliContext): void {
  const pool = program
    .command('pool')
    .description('pools of MAC ranges that macfleet hands addresses out of');

  storeCommandOptions(
    pool
      .command('create')
      .description(
        'create a pool (NLB ranges 02-BF-* and 02-01..02-20-* and MACs already in use are left out)',
      )
      .argument('<name>', 'pool name')
      .option('--range <start-end|prefix/len>', 'an inclusive range, repeatable', collect)
      .option('--exclude <start-end|prefix/len>', 'a range never to hand out, repeatable', collect)
      .option('--default', 'make it the default pool (for allocate without --pool)')
      .option('--no-default-exclusions', 'do not leave out the NLB ranges')
      .option('--quarantine <duration>', 'how long a released MAC waits before re-use (24h, 30m, 0)', '24h')
      .option('--force', 'create it even if its ranges overlap another pool'),
  ).action(async (name: string, opts: CreateOptions) => {
    const quarantineMs = parseDuration(opts.quarantine, '--quarantine');
    const info = await withPools(ctx, opts, (pools) =>
      pools.createPool(
        {
          name,
          ranges: opts.range ?? [],
          exclusions: opts.exclude ?? [],
          defaultExclusions: opts.defaultExclusions,
          quarantineMs,
          isDefault: opts.default === true,
        },
        { force: opts.force === true },
      ),
    );
    if (opts.json) ctx.json(poolJson(info));
    else ctx.out(describePool(info));
  });

  storeCommandOptions(pool.command('list').description('every pool with its utilisation')).action(
    async (opts: StoreOptions) => {
      const list = await withPools(ctx, opts, (pools) => pools.listPools(), 'read');
      if (opts.json) {
        ctx.json(list.map(poolJson));
        return;
      }
      if (list.length === 0) {
        ctx.out('no pools yet: run macfleet init, or macfleet pool create <name> --range <start>-<end>');
        return;
      }
      const rows = list.map((p) => [
        `${p.name}${p.isDefault ? '*' : ''}`,
        String(p.size),
        String(p.used),
        String(p.free),
        String(p.quarantined),
        percent(p.used, p.size),
        p.ranges.map((r) => formatMacRange(r)).join(', '),
      ]);
      const header = ['POOL', 'SIZE', 'USED', 'FREE', 'QUARANTINED', 'USED%', 'RANGES'];
      const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
      for (const r of [header, ...rows])
        ctx.out(r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  '));
    },
  );

  storeCommandOptions(
    pool
      .command('show')
      .description('a pool: ranges, exclusions, size, used, free, quarantined')
      .argument('[name]', 'pool name (default: the default pool)'),
  ).action(async (name: string | undefined, opts: StoreOptions) => {
    const info = await withPools(ctx, opts, (pools) => pools.showPool(name), 'read');
    if (opts.json) ctx.json(poolJson(info));
    else ctx.out(describePool(info));
  });
}
