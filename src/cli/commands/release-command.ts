/** `macfleet release <mac>...`: give MACs back; each waits in its pool's quarantine before re-use. */
import type { Command } from 'commander';
import { escapeTerminal } from '../../escape.js';
import { MacfleetError } from '../../errors.js';
import { formatMac, parseMac } from '../../mac/index.js';
import type { CliContext } from '../context.js';
import { exitCodeFor } from '../exit-codes.js';
import { storeCommandOptions, withPools, type StoreOptions } from '../store-options.js';
import { isoTime } from '../../time.js';

export function registerRelease(program: Command, ctx: CliContext): void {
  storeCommandOptions(
    program
      .command('release')
      .description('release MACs (each on its own; the others go on if one is refused)')
      .argument('<mac...>', 'MACs, any notation'),
  ).action(async (texts: string[], opts: StoreOptions) => {
    // Every MAC must parse before anything is released: a typo releases nothing.
    const macs = texts.map((t) => parseMac(t));
    const results = await withPools(ctx, opts, async (pools) => {
      const out: (
        | { mac: string; quarantineUntil: string | null; owner: string | null }
        | { mac: string; error: { code: string; message: string } }
      )[] = [];
      for (const mac of macs) {
        try {
          const h = await pools.release(mac);
          const until =
            h.quarantineUntil !== null && h.quarantineUntil > h.since ? isoTime(h.quarantineUntil) : null;
          out.push({ mac: formatMac(mac), quarantineUntil: until, owner: h.owner });
        } catch (e) {
          if (!(e instanceof MacfleetError)) throw e;
          out.push({ mac: formatMac(mac), error: { code: e.code, message: e.message } });
          ctx.setExitCode(Math.max(exitCodeFor(e.code), 0));
        }
      }
      return out;
    });
    if (opts.json) {
      ctx.json(results);
      return;
    }
    for (const r of results) {
      if ('error' in r) ctx.io.stderr(`macfleet: ${escapeTerminal(r.error.message)} [${r.error.code}]\n`);
      else
        ctx.out(
          `${r.mac} released${r.owner === null ? '' : ` from ${JSON.stringify(r.owner)}`}${r.quarantineUntil === null ? ', free again now' : `, quarantined until ${r.quarantineUntil}`}`,
        );
    }
  });
}
