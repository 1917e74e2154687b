/**
 * dnsmasq's lease file (`dhcp-leasefile`, e.g. /var/lib/misc/dnsmasq.leases): one DHCPv4 lease per line,
 * space-separated: expiry time (epoch seconds, 0 = infinite), MAC, IP, host name or `*`, client-id or
 * `*`. A line starting `duid ` and the DHCPv6 lines after it have no MAC and are skipped. Source:
 * dnsmasq src/lease.c, lease_update_file() (https://thekelleys.org.uk/gitweb/?p=dnsmasq.git;a=blob;f=src/lease.c).
 * The file says when a lease ends, not when the client was last heard: observations carry no time.
 */
import type { SourceContext } from '../model.js';
import { ObservationTable } from '../observation-table.js';
import { stationMac, type SourceResult } from '../text-source.js';
import { textLines } from './lease-lines.js';

export function parseDnsmasqLeases(text: string, ctx: SourceContext): SourceResult {
  const table = new ObservationTable();
  const issues: SourceResult['issues'] = [];
  let v6 = false;
  for (const l of textLines(text)) {
    if (l.text.trim() === '') continue;
    if (l.text.startsWith('duid ')) {
      v6 = true;
      continue;
    }
    if (v6) continue;
    const f = l.text.trim().split(/\s+/);
    const mac = f.length >= 4 && /^\d+$/.test(f[0]!) ? stationMac(f[1]!) : null;
    if (mac === null) {
      issues.push({
        file: ctx.name,
        offset: l.offset,
        line: l.line,
        code: 'PARSE_ERROR',
        message: `line ${l.line}: expected "<expiry> <mac> <ip> <host|*> [<client-id|*>]", got ${JSON.stringify(l.text.slice(0, 80))}`,
      });
      continue;
    }
    table.lease(ctx, mac, f[2] ?? null, null, {
      clientId: f[4] === undefined || f[4] === '*' ? null : f[4].toLowerCase(),
      hostName: f[3] === undefined || f[3] === '*' ? null : f[3],
      state: null,
    });
  }
  return { observations: table.observations(), issues, first: null, last: null };
}
