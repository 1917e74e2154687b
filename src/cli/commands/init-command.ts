/** `macfleet init`: the default pool, in a random locally administered block unless --prefix says where. */
import type { Command } from 'commander';
import { cryptoRandom } from '../crypto-random.js';
import { formatMacRange, parseMacRange, type MacRange } from '../../mac/index.js';
import { randomLocalPrefix } from '../../pool/pool-spec.js';
import type { CliContext } from '../context.js';
import {
  formatDuration,
  parseDuration,
  storeCommandOptions,
  withPools,
  type StoreOptions,
} from '../store-options.js';
import { describePool, poolJson } from './pool-command.js';

interface InitOptions extends StoreOptions {
  readonly prefix?: string;
  readonly name: string;
  readonly quarantine?: string;
}

export function registerInit(program: Command, ctx: CliContext): void {
  storeCommandOptions(
    program
      .command('init')
      .description(
        "create the database and a default pool in a random locally administered /24 block (like vCenter's instance id)",
      )
      .option('--prefix <mac/len>', 'use this block instead of a random one, e.g. 0a:1b:2c:00:00:00/24')
      .option('--name <name>', 'name of the default pool', 'default')
      .option(
        '--quarantine <duration>',
        'how long a released MAC waits before re-use (e.g. 24h, 30m, 0)',
        '24h',
      ),
  ).action(async (opts: InitOptions) => {
    const range: MacRange =
      opts.prefix === undefined ? randomLocalPrefix(cryptoRandom()) : parseMacRange(opts.prefix);
    const quarantineMs = parseDuration(opts.quarantine ?? '24h', '--quarantine');
    const info = await withPools(ctx, opts, (pools) =>
      pools.createPool({ name: opts.name, ranges: [range], quarantineMs, isDefault: true }),
    );
    if (opts.json) ctx.json(poolJson(info));
    else {
      ctx.out(
        `created the default pool ${info.name}: ${formatMacRange(range)} (${info.size} addresses, quarantine ${formatDuration(quarantineMs)})`,
      );
      ctx.out(describePool(info));
    }
  });
}
