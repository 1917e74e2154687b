/** `macfleet allocate`: hand out MACs from a pool, all or nothing, idempotent with --key. */
import type { Command } from 'commander';
import { shellQuote } from '../../escape.js';
import { formatMac, type Mac } from '../../mac/index.js';
import { MAX_ALLOCATION } from '../../pool/planner.js';
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
      .option(
        '--count <n>',
        `how many MACs, all or nothing (at most ${MAX_ALLOCATION.toLocaleString('en-US')} a request)`,
        intOption('--count', 1),
        1,
      )
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
    // Written a piece at a time: a million MACs never become one string of 18 MB (plus its copies).
    const PIECE = 10_000;
    const { macs } = result;
    if (macs.length > 0) ctx.committed(allocatedNote(macs, opts));
    if (opts.json && macs.length === 0) ctx.io.stdout('[]\n');
    for (let i = 0; i < macs.length; i += PIECE) {
      const lines = macs.slice(i, i + PIECE).map((m) => (opts.json ? `  "${formatMac(m)}"` : formatMac(m)));
      const last = i + PIECE >= macs.length;
      if (opts.json) ctx.io.stdout(`${i === 0 ? '[\n' : ''}${lines.join(',\n')}${last ? '\n]\n' : ',\n'}`);
      else ctx.io.stdout(`${lines.join('\n')}\n`);
    }
  });
}

/** What stays allocated when the list of MACs could not be written, and how to get it back or undo it. */
function allocatedNote(macs: readonly Mac[], opts: AllocateOptions): string {
  const shown = macs
    .slice(0, 20)
    .map((m) => formatMac(m))
    .join(' ');
  const more = macs.length > 20 ? ` (and ${macs.length - 20} more)` : '';
  const replay = `macfleet allocate${opts.pool === undefined ? '' : ` --pool ${shellQuote(opts.pool)}`} --count ${opts.count} --key ${shellQuote(opts.key ?? '')}`;
  return (
    `${macs.length} MAC${macs.length === 1 ? ' stays' : 's stay'} allocated: ${shown}${more}; ` +
    (opts.key === undefined
      ? `release them with: macfleet release ${shown}${more === '' ? '' : ' ...'}`
      : `print them again with: ${replay}, or release them with: macfleet release ${shown}${more === '' ? '' : ' ...'}`)
  );
}
