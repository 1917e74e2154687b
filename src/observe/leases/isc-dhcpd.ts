/**
 * ISC dhcpd's `dhcpd.leases`: `lease <ip> { ... }` blocks, statements ending in `;`: `starts|ends|cltt
 * <weekday> YYYY/MM/DD HH:MM:SS;` (UTC) or `... epoch <seconds>;`, `hardware ethernet <mac>;`,
 * `uid "<string with octal escapes>";` or `uid 01:52:...;`, `client-hostname "<name>";`, `binding state
 * <state>;`. The file is a log: a lease appears again each time it changes. Source: dhcpd.leases(5)
 * (https://kb.isc.org/docs/isc-dhcp-44-manual-pages-dhcpdleases). The time is `cltt` (client last
 * transaction time), else `starts`.
 */
import type { SourceContext } from '../model.js';
import { ObservationTable } from '../observation-table.js';
import { lineAt, span, stationMac, type SourceResult } from '../text-source.js';

const LEASE = /lease\s+([0-9.]+)\s*\{([^}]*)\}?/g;

export function parseDhcpdLeases(text: string, ctx: SourceContext): SourceResult {
  const table = new ObservationTable();
  const issues: SourceResult['issues'] = [];
  const times: number[] = [];
  for (const m of text.matchAll(LEASE)) {
    const body = m[2]!;
    const offset = m.index;
    if (!m[0].endsWith('}')) {
      issues.push({
        file: ctx.name,
        offset,
        line: lineAt(text, offset),
        code: 'TRUNCATED',
        message: `lease ${m[1]}: block not closed with "}"`,
      });
    }
    const hw = /hardware\s+ethernet\s+([0-9a-fA-F:]+)\s*;/.exec(body);
    if (hw === null) continue; // a lease never given out (free, no client)
    const mac = stationMac(hw[1]!);
    if (mac === null) {
      issues.push({
        file: ctx.name,
        offset,
        line: lineAt(text, offset),
        code: 'INVALID_MAC',
        message: `lease ${m[1]}: hardware ethernet ${hw[1]} is not a station MAC`,
      });
      continue;
    }
    const at = leaseTime(body, 'cltt') ?? leaseTime(body, 'starts');
    if (at !== null) times.push(at);
    const uid = /\buid\s+("(?:[^"\\]|\\.)*"|[0-9a-fA-F:]+)\s*;/.exec(body)?.[1];
    table.lease(ctx, mac, m[1] ?? null, at, {
      clientId: uid === undefined ? null : uidHex(uid),
      hostName: /client-hostname\s+"((?:[^"\\]|\\.)*)"\s*;/.exec(body)?.[1] ?? null,
      state: /binding\s+state\s+([a-z-]+)\s*;/.exec(body)?.[1] ?? null,
    });
  }
  return { observations: table.observations(), issues, ...span(times) };
}

function leaseTime(body: string, key: string): number | null {
  const m = new RegExp(
    `\\b${key}\\s+(?:\\d\\s+(\\d{4})/(\\d{2})/(\\d{2})\\s+(\\d{2}):(\\d{2}):(\\d{2})|epoch\\s+(\\d+))`,
  ).exec(body);
  if (m === null) return null;
  if (m[7] !== undefined) return Number(m[7]) * 1000;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

/** A uid as colon hex: quoted strings hold bytes as characters and `\NNN` octal escapes. */
function uidHex(uid: string): string {
  if (!uid.startsWith('"')) return uid.toLowerCase();
  const bytes: number[] = [];
  const s = uid.slice(1, -1);
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\' && /^[0-7]{3}$/.test(s.slice(i + 1, i + 4))) {
      bytes.push(parseInt(s.slice(i + 1, i + 4), 8));
      i += 3;
    } else if (s[i] === '\\' && i + 1 < s.length) {
      bytes.push(s.charCodeAt(++i) & 0xff);
    } else bytes.push(s.charCodeAt(i) & 0xff);
  }
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}
