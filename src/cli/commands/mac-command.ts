/** `macfleet mac <addr>...`: canonical form, flags, vendor and classification of each address. */
import type { Command } from 'commander';
import { escapeTerminal } from '../../escape.js';
import { MacfleetError } from '../../errors.js';
import { classifyMac, formatMac, macFlags, parseMac } from '../../mac/index.js';
import type { CliContext } from '../context.js';
import { EXIT } from '../exit-codes.js';

export function registerMac(program: Command, ctx: CliContext): void {
  program
    .command('mac')
    .description('show the canonical form, flags, vendor and origin of MAC addresses')
    .argument(
      '<addr...>',
      'MAC addresses in any notation (00-03-FF-12-34-56, 00:03:ff:12:34:56, 0003.ff12.3456, 0003FF123456)',
    )
    .option('--json', 'machine-readable output')
    .action(async (addrs: string[], opts: { json?: boolean }) => {
      const { vendorOf } = await import('../../mac/vendor.js');
      const results = addrs.map((input) => {
        try {
          const mac = parseMac(input);
          const flags = macFlags(mac);
          const { description, ...classification } = classifyMac(mac);
          return {
            input,
            mac: formatMac(mac),
            ...flags,
            vendor: vendorOf(mac) ?? null,
            classification: { ...classification, description },
          };
        } catch (e) {
          if (!(e instanceof MacfleetError)) throw e;
          return { input, error: { code: e.code, message: e.message } };
        }
      });
      if (opts.json) ctx.json(results);
      else {
        for (const r of results) {
          if ('error' in r) {
            ctx.io.stderr(`macfleet: ${escapeTerminal(r.error.message)} [${r.error.code}]\n`);
            continue;
          }
          const flags = [
            r.broadcast ? 'broadcast' : r.multicast ? 'multicast' : 'unicast',
            r.local ? 'locally administered' : 'universal',
            ...(r.zero ? ['all zeros'] : []),
          ];
          ctx.out(
            [
              `${r.mac}  (${formatMac(parseMac(r.mac), 'hyphen')})`,
              `  flags           ${flags.join(', ')}`,
              `  vendor          ${r.vendor ?? (r.local ? '- (locally administered)' : '- (not in the IEEE registry)')}`,
              `  kind            ${r.classification.kind}`,
              `  meaning         ${r.classification.description}`,
            ].join('\n'),
          );
        }
      }
      if (results.some((r) => 'error' in r)) ctx.setExitCode(EXIT.badInput);
    });
}
