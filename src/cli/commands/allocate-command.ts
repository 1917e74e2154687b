/** `macfleet allocate`: hand out MACs from a pool, all or nothing, idempotent with --key. */
import type { Command } from 'commander';
import { shellQuote } from '../../escape.js';
import { formatMac } from '../../mac/index.js';
import type { CliContext } from '../context.js';
import { intOption } from '../options.js';
import { storeCommandOptions, withPools, type StoreOptions } from '../store-options.js';

interface AllocateOptions extends StoreOptions {
  readonly pool?: string;
  readonly count: number;
  readonly owner?: string;
  readonly key?: string;
}

export function registerAllocate(program: Command, ctx: CliContext): void {
  storeCommandOptions(
    program
      .command('allocate')
      .description('hand out MACs no one else holds, from a pool (one per line; --json: an array)')
      .option('--pool <name>', 'pool to allocate from (default: the default pool)')
      .option('--count <n>', 'how many MACs, all or nothing', intOption('--count', 1, 10_000_000), 1)
      .option('--owner <text>', 'who gets them: host, VM, adapter or a note')
      .option('--key <idempotency-key>', 'the same key returns the same MACs, never new ones'),
  ).action(async (opts: AllocateOptions) => {
    const result = await withPools(ctx, opts, (pools) =>
      pools.allocate({
        pool: opts.pool,
        count: opts.count,
        owner: opts.owner ?? null,
        key: opts.key ?? null,
      }),
    );
    const macs = result.macs.map((m) => formatMac(m));
    if (macs.length > 0) ctx.committed(allocatedNote(macs, opts));
    if (opts.json) ctx.json(macs);
    else ctx.io.stdout(macs.length === 0 ? '' : `${macs.join('\n')}\n`);
  });
}

/** What stays allocated when the list of MACs could not be written, and how to get it back or undo it. */
function allocatedNote(macs: readonly string[], opts: AllocateOptions): string {
  const shown = macs.slice(0, 20).join(' ');
  const more = macs.length > 20 ? ` (and ${macs.length - 20} more)` : '';
  const replay = `macfleet allocate${opts.pool === undefined ? '' : ` --pool ${shellQuote(opts.pool)}`} --count ${opts.count} --key ${shellQuote(opts.key ?? '')}`;
  return (
    `${macs.length} MAC${macs.length === 1 ? ' stays' : 's stay'} allocated: ${shown}${more}; ` +
    (opts.key === undefined
      ? `release them with: macfleet release ${shown}${more === '' ? '' : ' ...'}`
      : `print them again with: ${replay}, or release them with: macfleet release ${shown}${more === '' ? '' : ' ...'}`)
  );
}
