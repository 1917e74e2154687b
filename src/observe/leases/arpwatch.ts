/**
 * arpwatch `arp.dat`: one pairing per line, tab-separated: ethernet address, IPv4 address, time (seconds
 * since the epoch), optional short host name. Addresses may be written without leading zeros
 * (`0:8:e1:1:2:d6`, the `-C` compact form). Source: arpwatch(8), "arp.dat contains three or four
 * fields..." (https://www.gsp.com/cgi-bin/man.cgi?section=8&topic=arpwatch). The time is when the pair
 * was last seen.
 */
import type { SourceContext } from '../model.js';
import { ObservationTable } from '../observation-table.js';
import { span, stationMac, type SourceResult } from '../text-source.js';
import { looseMacText, textLines } from './lease-lines.js';

export function parseArpwatch(text: string, ctx: SourceContext): SourceResult {
  const table = new ObservationTable();
  const issues: SourceResult['issues'] = [];
  const times: number[] = [];
  for (const l of textLines(text)) {
    if (l.text.trim() === '' || l.text.startsWith('#')) continue;
    const f = l.text.split(/\t| +/);
    const macText = looseMacText(f[0] ?? '');
    const mac = macText === null ? null : stationMac(macText);
    if (mac === null || f.length < 3 || !/^\d+$/.test(f[2] ?? '')) {
      issues.push({
        file: ctx.name,
        offset: l.offset,
        line: l.line,
        code: 'PARSE_ERROR',
        message: `line ${l.line}: expected "<mac>\\t<ipv4>\\t<epoch seconds>[\\t<host>]", got ${JSON.stringify(l.text.slice(0, 80))}`,
      });
      continue;
    }
    const at = Number(f[2]) * 1000;
    times.push(at);
    table.add({
      mac,
      segment: ctx.segment,
      host: ctx.host,
      port: null,
      vlan: null,
      portKind: 'unknown',
      at,
      seenAs: 'arp',
      ip: f[1] ?? null,
    });
  }
  return { observations: table.observations(), issues, ...span(times) };
}
