/**
 * Kea's memfile lease file for DHCPv4 (`kea-leases4.csv`): a CSV with a header row naming the columns,
 * among them `address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state`
 * (later versions append `user_context`, `pool_id`). `expire` is epoch seconds, the client's last
 * transaction is `expire - valid_lifetime`; `state` 0 is a default lease, 1 declined, 2 expired and
 * reclaimed. Commas inside values are written as `&#x2c`. Columns are found by their header name.
 * Source: Kea Administrator Reference Manual, "Memfile - Basic Storage for Leases"
 * (https://kea.readthedocs.io/en/latest/arm/dhcp4-srv.html#memfile-basic-storage-for-leases) and
 * src/lib/dhcpsrv/csv_lease_file4.cc.
 */
import type { SourceContext } from '../model.js';
import { ObservationTable } from '../observation-table.js';
import { span, stationMac, type SourceResult } from '../text-source.js';
import { textLines } from './lease-lines.js';

const STATES = ['default', 'declined', 'expired-reclaimed'] as const;

export function parseKeaLeases(text: string, ctx: SourceContext): SourceResult {
  const table = new ObservationTable();
  const issues: SourceResult['issues'] = [];
  const times: number[] = [];
  let columns: string[] | null = null;
  for (const l of textLines(text)) {
    if (l.text.trim() === '') continue;
    const f = l.text.split(',').map((v) => v.replace(/&#x2c/g, ','));
    if (columns === null) {
      columns = f.map((c) => c.trim());
      if (!columns.includes('address') || !columns.includes('hwaddr')) {
        issues.push({
          file: ctx.name,
          offset: l.offset,
          line: l.line,
          code: 'PARSE_ERROR',
          message: 'expected a Kea lease4 CSV header with "address" and "hwaddr" columns',
        });
        return { observations: [], issues, first: null, last: null };
      }
      continue;
    }
    const get = (name: string): string | undefined => {
      const i = columns!.indexOf(name);
      return i < 0 ? undefined : f[i];
    };
    const mac = stationMac(get('hwaddr') ?? '');
    if (mac === null) {
      issues.push({
        file: ctx.name,
        offset: l.offset,
        line: l.line,
        code: 'PARSE_ERROR',
        message: `line ${l.line}: hwaddr ${JSON.stringify(get('hwaddr') ?? '')} is not a station MAC`,
      });
      continue;
    }
    const expire = Number(get('expire'));
    const valid = Number(get('valid_lifetime'));
    const at =
      Number.isFinite(expire) && Number.isFinite(valid) && get('expire') !== ''
        ? (expire - valid) * 1000
        : null;
    if (at !== null) times.push(at);
    const clientId = get('client_id');
    const hostName = get('hostname');
    table.lease(ctx, mac, get('address') ?? null, at, {
      clientId: clientId ? clientId.toLowerCase() : null,
      hostName: hostName ? hostName : null,
      state: STATES[Number(get('state'))] ?? null,
    });
  }
  return { observations: table.observations(), issues, ...span(times) };
}
