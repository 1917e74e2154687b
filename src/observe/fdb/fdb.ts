/**
 * `bridge -j fdb show` (iproute2): a JSON array of forwarding entries `{mac, ifname, flags, master,
 * state, vlan?, used?, updated?}` (`used`/`updated` in seconds, with `-s`). Not VM observations, left
 * out: entries flagged `self` (the device's own table: its multicast and local addresses), `permanent`
 * (the port's own MAC), multicast MACs. The segment is the bridge (`master`) unless the run names one;
 * a port is VM-facing by its name (port-kind.ts), every other bridge port leads to the network.
 * Shape checked against iproute2 6.1 (bridge/fdb.c, print_fdb) and its output on this machine (see
 * test fixtures).
 */

import type { SourceContext } from '../model.js';
import { ObservationTable } from '../observation-table.js';
import { portKind } from '../port-kind.js';
import { isObject, parseJsonArray, span, stationMac, type SourceResult } from '../text-source.js';

export function parseFdb(text: string, ctx: SourceContext): SourceResult {
  const parsed = parseJsonArray(
    text,
    ctx.name,
    'bridge -j fdb show output (JSON)',
    'a JSON array of fdb entries (bridge -j fdb show)',
  );
  if ('failed' in parsed) return parsed.failed;
  const table = new ObservationTable();
  const issues: SourceResult['issues'] = [];
  const times: (number | null)[] = [];
  parsed.items.forEach((raw: unknown, i) => {
    if (!isObject(raw) || typeof raw['mac'] !== 'string' || typeof raw['ifname'] !== 'string') {
      issues.push({
        file: ctx.name,
        code: 'PARSE_ERROR',
        message: `[${i}]: expected an object with "mac" and "ifname" strings`,
      });
      return;
    }
    const flags = Array.isArray(raw['flags']) ? raw['flags'] : [];
    const state = typeof raw['state'] === 'string' ? raw['state'] : '';
    if (flags.includes('self') || state === 'permanent') return;
    const mac = stationMac(raw['mac']);
    if (mac === null) {
      if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(raw['mac']))
        issues.push({
          file: ctx.name,
          code: 'INVALID_MAC',
          message: `[${i}].mac: ${JSON.stringify(raw['mac'])} is not a MAC`,
        });
      return;
    }
    const port = raw['ifname'];
    const master = typeof raw['master'] === 'string' ? raw['master'] : null;
    const vlan =
      typeof raw['vlan'] === 'number' && raw['vlan'] >= 0 && raw['vlan'] <= 4095 ? raw['vlan'] : null;
    const used = typeof raw['used'] === 'number' ? raw['used'] : null;
    const at = ctx.takenAt === null ? null : used === null ? ctx.takenAt : ctx.takenAt - used * 1000;
    times.push(at);
    table.add({
      mac,
      segment: ctx.segment ?? master,
      host: ctx.host,
      port,
      vlan,
      portKind: portKind(port, ctx.uplinks, 'uplink'),
      at,
      seenAs: 'fdb',
    });
  });
  return { observations: table.observations(), issues, ...span(times) };
}
