/** `macfleet reserve <mac> --owner <text>`: take one specific MAC out of circulation. */
import type { Command } from 'commander';
import { formatMac, parseMac } from '../../mac/index.js';
import { describeHolding } from '../../pool/pool-errors.js';
import type { CliContext } from '../context.js';
import { storeCommandOptions, withPools, type StoreOptions } from '../store-options.js';

interface ReserveOptions extends StoreOptions {
  readonly owner: string;
  readonly inUse?: boolean;
}

export function registerReserve(program: Command, ctx: CliContext): void {
  storeCommandOptions(
    program
      .command('reserve')
      .description('reserve a specific MAC (refused with its holder if anyone holds it)')
      .argument('<mac>', 'the MAC, any notation')
      .requiredOption('--owner <text>', 'who holds it: host, VM, adapter or a note')
      .option('--in-use', 'record it as in use by existing equipment rather than reserved'),
  ).action(async (text: string, opts: ReserveOptions) => {
    const mac = parseMac(text);
    const holding = await withPools(ctx, opts, (pools) =>
      pools.reserve(mac, opts.owner, opts.inUse === true ? 'in_use' : 'reserved'),
    );
    if (opts.json) ctx.json({ ...holding, mac: formatMac(holding.mac) });
    else ctx.out(`${formatMac(mac)} ${describeHolding(holding)}`);
  });
}
