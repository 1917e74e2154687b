/**
 * Which parser reads a source: told from the first bytes (pcap/pcapng magic, JSON shape, lease
 * syntax) or named by the user as `<kind>:<path>`. Pure: the CLI reads the bytes.
 */
import { parseFdb } from './fdb/fdb.js';
import { parseArpwatch } from './leases/arpwatch.js';
import { parseDnsmasqLeases } from './leases/dnsmasq.js';
import { parseDhcpdLeases } from './leases/isc-dhcpd.js';
import { parseKeaLeases } from './leases/kea-csv.js';
import type { SourceContext, SourceKind } from './model.js';
import { parseNeigh } from './neigh/neigh.js';
import type { SourceResult } from './text-source.js';

export type TextSourceKind = Exclude<SourceKind, 'pcap' | 'pcapng' | 'snmp'>;

export const TEXT_PARSERS: Readonly<
  Record<TextSourceKind, (text: string, ctx: SourceContext) => SourceResult>
> = {
  fdb: parseFdb,
  neigh: parseNeigh,
  arpwatch: parseArpwatch,
  dnsmasq: parseDnsmasqLeases,
  dhcpd: parseDhcpdLeases,
  kea: parseKeaLeases,
};

/** The kind of a source from its first bytes, or null when nothing fits. */
export function sniffKind(head: Uint8Array): SourceKind | null {
  if (head.length >= 4) {
    const b = (i: number): number => head[i]!;
    const u32le = (b(0) | (b(1) << 8) | (b(2) << 16) | (b(3) << 24)) >>> 0;
    if (u32le === 0x0a0d0d0a) return 'pcapng';
    const magics = [0xa1b2c3d4, 0xa1b23c4d, 0xd4c3b2a1, 0x4d3cb2a1];
    if (magics.includes(u32le)) return 'pcap';
  }
  const text = new TextDecoder('utf-8', { fatal: false }).decode(head.subarray(0, 4096));
  const t = text.trimStart();
  if (t.startsWith('[')) {
    if (/"ifname"\s*:/.test(t) || /^\[\s*\]/.test(t)) return 'fdb';
    if (/"dst"\s*:/.test(t)) return 'neigh';
    return 'fdb';
  }
  if (/^address,hwaddr,/m.test(t)) return 'kea';
  if (/^\s*lease\s+[0-9.]+\s*\{/m.test(t) || /dhcpd\.leases|^server-duid/m.test(t)) return 'dhcpd';
  if (/^\d+\s+[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}\s+\S+\s+\S+/m.test(t) || /^duid /m.test(t)) return 'dnsmasq';
  if (/^[0-9a-fA-F]{1,2}(:[0-9a-fA-F]{1,2}){5}\s+[0-9.]+\s+\d+/m.test(t)) return 'arpwatch';
  return null;
}
