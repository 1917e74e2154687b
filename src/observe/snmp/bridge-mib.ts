/**
 * A switch's forwarding table from an SNMP walk, decoded (the walk itself is an adapter, outside the
 * pure core). Tables read, by OID:
 * - BRIDGE-MIB (RFC 4188) dot1dTpFdbTable 1.3.6.1.2.1.17.4.3.1: `.2.<mac as 6 sub-ids>` = bridge port,
 *   `.3.<mac>` = status (1 other, 2 invalid, 3 learned, 4 self, 5 mgmt);
 * - Q-BRIDGE-MIB (RFC 4363) dot1qTpFdbTable 1.3.6.1.2.1.17.7.1.2.2.1: `.2.<fdbId>.<mac>` = port,
 *   `.3.<fdbId>.<mac>` = status (same values); the filtering database id is reported as the VLAN
 *   (equal on switches with one FDB per VLAN, the common independent-learning case);
 * - dot1dBasePortIfIndex 1.3.6.1.2.1.17.1.4.1.2.<port> = ifIndex; IF-MIB ifName
 *   1.3.6.1.2.1.31.1.1.1.1.<ifIndex> (RFC 2863), else ifDescr 1.3.6.1.2.1.2.2.1.2.<ifIndex>, name the port.
 * `self` and `invalid` entries are not stations.
 */
import { macFromOctets, isMulticast } from '../../mac/index.js';
import type { SourceContext } from '../model.js';
import { ObservationTable } from '../observation-table.js';
import type { SourceResult } from '../text-source.js';

export const OID = {
  dot1dTpFdbEntry: '1.3.6.1.2.1.17.4.3.1',
  dot1qTpFdbEntry: '1.3.6.1.2.1.17.7.1.2.2.1',
  dot1dBasePortIfIndex: '1.3.6.1.2.1.17.1.4.1.2',
  ifName: '1.3.6.1.2.1.31.1.1.1.1',
  ifDescr: '1.3.6.1.2.1.2.2.1.2',
} as const;

/** The subtrees a walk needs, in the order they are best walked. */
export const WALKED_OIDS = [
  OID.dot1qTpFdbEntry,
  OID.dot1dTpFdbEntry,
  OID.dot1dBasePortIfIndex,
  OID.ifName,
  OID.ifDescr,
] as const;

export interface Varbind {
  readonly oid: string;
  /** Integers as numbers; OCTET STRINGs as text (ifName) or bytes. */
  readonly value: number | string | Uint8Array;
}

const STATUS_NOT_STATION = new Set([2, 4]);

interface Entry {
  port?: number;
  status?: number;
}

export function decodeBridgeMib(varbinds: readonly Varbind[], ctx: SourceContext): SourceResult {
  const issues: SourceResult['issues'] = [];
  const ifIndexOf = new Map<number, number>();
  const names = new Map<number, string>();
  const descrs = new Map<number, string>();
  const q = new Map<string, Entry & { fdb: number; mac: number[] }>();
  const d = new Map<string, Entry & { mac: number[] }>();
  for (const vb of varbinds) {
    const under = (base: string): number[] | null =>
      vb.oid.startsWith(`${base}.`)
        ? vb.oid
            .slice(base.length + 1)
            .split('.')
            .map(Number)
        : null;
    let idx: number[] | null;
    if ((idx = under(OID.dot1qTpFdbEntry)) !== null && idx.length === 8 && typeof vb.value === 'number') {
      const [col, fdb, ...mac] = idx as [number, number, ...number[]];
      const key = idx.slice(1).join('.');
      const e = q.get(key) ?? { fdb, mac };
      if (col === 2) e.port = vb.value;
      else if (col === 3) e.status = vb.value;
      q.set(key, e);
    } else if (
      (idx = under(OID.dot1dTpFdbEntry)) !== null &&
      idx.length === 7 &&
      typeof vb.value === 'number'
    ) {
      const [col, ...mac] = idx as [number, ...number[]];
      const key = mac.join('.');
      const e = d.get(key) ?? { mac };
      if (col === 2) e.port = vb.value;
      else if (col === 3) e.status = vb.value;
      d.set(key, e);
    } else if (
      (idx = under(OID.dot1dBasePortIfIndex)) !== null &&
      idx.length === 1 &&
      typeof vb.value === 'number'
    ) {
      ifIndexOf.set(idx[0]!, vb.value);
    } else if ((idx = under(OID.ifName)) !== null && idx.length === 1) {
      names.set(idx[0]!, text(vb.value));
    } else if ((idx = under(OID.ifDescr)) !== null && idx.length === 1) {
      descrs.set(idx[0]!, text(vb.value));
    }
  }
  const portName = (port: number): string => {
    const ifIndex = ifIndexOf.get(port);
    if (ifIndex === undefined) return `port ${port}`;
    return names.get(ifIndex) || descrs.get(ifIndex) || `ifIndex ${ifIndex}`;
  };
  const table = new ObservationTable();
  const add = (
    mac: number[],
    port: number | undefined,
    status: number | undefined,
    vlan: number | null,
  ): void => {
    if (mac.length !== 6 || mac.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) {
      issues.push({
        file: ctx.name,
        code: 'PARSE_ERROR',
        message: `forwarding entry index ${mac.join('.')} is not a MAC`,
      });
      return;
    }
    if (port === undefined || port === 0 || (status !== undefined && STATUS_NOT_STATION.has(status))) return;
    const m = macFromOctets(mac);
    if (m === 0 || isMulticast(m)) return;
    const name = portName(port);
    table.add({
      mac: m,
      segment: ctx.segment,
      host: ctx.host,
      port: name,
      vlan,
      portKind: ctx.uplinks.includes(name) ? 'uplink' : 'unknown',
      at: ctx.takenAt,
      seenAs: 'snmp',
    });
  };
  // Q-BRIDGE-MIB carries the VLAN; the plain BRIDGE-MIB table is used only when the switch has no Q table.
  if (q.size > 0)
    for (const e of q.values()) add(e.mac, e.port, e.status, e.fdb >= 1 && e.fdb <= 4094 ? e.fdb : null);
  else for (const e of d.values()) add(e.mac, e.port, e.status, null);
  return { observations: table.observations(), issues, first: ctx.takenAt, last: ctx.takenAt };
}

const latin1 = new TextDecoder('latin1');
const text = (v: number | string | Uint8Array): string =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : latin1.decode(v);
