/** `macfleet nlb <vip>`: the cluster and masked-source MACs Microsoft NLB derives from a VIP (`nlb ip2mac` and more). */
import type { Command } from 'commander';
import {
  formatIpv4,
  formatMac,
  NLB_MAX_PRIORITY,
  nlbAddresses,
  nlbJson,
  nlbMaskedSourceMac,
  parseVip,
} from '../../mac/index.js';
import type { CliContext } from '../context.js';

export function registerNlb(program: Command, ctx: CliContext): void {
  program
    .command('nlb')
    .description(
      'the MAC addresses Network Load Balancing uses for a cluster VIP (like `nlb ip2mac`, plus masked source MACs)',
    )
    .argument('<vip>', 'cluster IPv4 address, e.g. 192.168.0.10')
    .option('--json', '{"vip","unicast","multicast","igmp","igmpGroup","maskedSource":{"1":...,"32":...}}')
    .action((vipText: string, opts: { json?: boolean }) => {
      const vip = parseVip(vipText);
      const a = nlbAddresses(vip);
      if (opts.json) return ctx.json(nlbJson(vip));
      const h = (m: typeof a.unicast): string => formatMac(m, 'hyphen').toLowerCase();
      ctx.out(`Cluster IP address: ${formatIpv4(vip)}`);
      ctx.out(`  unicast MAC address:          ${h(a.unicast)}`);
      ctx.out(`  multicast MAC address:        ${h(a.multicast)}`);
      ctx.out(`  IGMP multicast MAC address:   ${h(a.igmp)}   (group ${formatIpv4(a.igmpGroup)})`);
      ctx.out('');
      ctx.out('Masked source MACs (unicast mode, MaskSourceMAC on: each host sends as 02-<priority>-VIP):');
      for (let p = 1; p <= NLB_MAX_PRIORITY; p += 4) {
        const cols = [p, p + 1, p + 2, p + 3].map(
          (q) => `${String(q).padStart(2)}: ${h(nlbMaskedSourceMac(vip, q))}`,
        );
        ctx.out(`  ${cols.join('   ')}`);
      }
    });
}
