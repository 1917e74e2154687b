/**
 * `ip -j neigh show` (iproute2): a JSON array of `{dst, dev, lladdr?, state: [..], used?, confirmed?,
 * updated?}` (times in seconds, with `-s`). An entry is a sighting when the kernel resolved it from the
 * wire: REACHABLE, STALE, DELAY, PROBE. PERMANENT (configured by hand), NOARP, FAILED, INCOMPLETE and
 * entries without `lladdr` say nothing about who is on the wire. Shape checked against iproute2 6.1
 * (ip/ipneigh.c, print_neigh) and its output on this machine.
 */
import type { SourceContext } from '../model.js';
import { ObservationTable } from '../observation-table.js';
import { portKind } from '../port-kind.js';
import { isObject, parseJsonArray, span, stationMac, type SourceResult } from '../text-source.js';

const LEARNED = new Set(['REACHABLE', 'STALE', 'DELAY', 'PROBE']);

export function parseNeigh(text: string, ctx: SourceContext): SourceResult {
  const parsed = parseJsonArray(
    text,
    ctx.name,
    'ip -j neigh show output (JSON)',
    'a JSON array of neighbour entries (ip -j neigh show)',
  );
  if ('failed' in parsed) return parsed.failed;
  const table = new ObservationTable();
  const issues: SourceResult['issues'] = [];
  const times: (number | null)[] = [];
  parsed.items.forEach((raw: unknown, i) => {
    if (!isObject(raw) || typeof raw['dst'] !== 'string' || typeof raw['dev'] !== 'string') {
      issues.push({
        file: ctx.name,
        code: 'PARSE_ERROR',
        message: `[${i}]: expected an object with "dst" and "dev" strings`,
      });
      return;
    }
    const states = Array.isArray(raw['state'])
      ? raw['state'].filter((s): s is string => typeof s === 'string')
      : [];
    if (typeof raw['lladdr'] !== 'string' || !states.some((s) => LEARNED.has(s))) return;
    const mac = stationMac(raw['lladdr']);
    if (mac === null) {
      issues.push({
        file: ctx.name,
        code: 'INVALID_MAC',
        message: `[${i}].lladdr: ${JSON.stringify(raw['lladdr'])} is not a station MAC`,
      });
      return;
    }
    const updated = typeof raw['updated'] === 'number' ? raw['updated'] : null;
    const at = ctx.takenAt === null ? null : ctx.takenAt - (updated ?? 0) * 1000;
    times.push(at);
    table.add({
      mac,
      segment: ctx.segment ?? raw['dev'],
      host: ctx.host,
      port: raw['dev'],
      vlan: null,
      portKind: portKind(raw['dev'], ctx.uplinks),
      at,
      seenAs: 'neigh',
      ip: raw['dst'],
    });
  });
  return { observations: table.observations(), issues, ...span(times) };
}
