/**
 * Which L2 segment an adapter is on. Default: the same network/bridge/switch name on different hosts is
 * one segment, except networks private to a host by nature (NAT, host-only, internal, libvirt `default`,
 * Hyper-V Default Switch), which are per host. A segment map (from `--segments <file.yaml>`) overrides it.
 * QEMU user-mode (SLIRP) adapters are on no shared segment at all, whatever the map says: each is a NAT
 * of its own inside its VM's QEMU process.
 */
import { MacfleetError } from '../errors.js';
import { isUserModeNetwork } from '../formats/libvirt-xml/user-network.js';

export interface SegmentRule {
  readonly segment: string;
  /** Host name, or `*` for any host. */
  readonly host: string;
  /** Network name, or `*` for any network of the host. */
  readonly network: string;
}

export interface SegmentInput {
  readonly host: string | null;
  readonly network: string | null;
  readonly hostPrivate: boolean;
}

/**
 * The segment key of an adapter; null when it shares a segment with nothing (not attached to any
 * network, or user-mode networking). First matching rule wins.
 */
export function segmentOf(a: SegmentInput, rules: readonly SegmentRule[] = []): string | null {
  if (a.network === null) return null;
  if (isUserModeNetwork(a.network)) return null;
  for (const r of rules) {
    if ((r.host === '*' || r.host === a.host) && (r.network === '*' || r.network === a.network))
      return r.segment;
  }
  return a.hostPrivate ? `${a.network} on ${a.host ?? 'an unknown host'}` : a.network;
}

/**
 * Validate a segments document (already parsed from YAML):
 * ```yaml
 * segments:
 *   prod-vlan10:
 *     - { host: hv01, network: External }
 *     - { host: "*", network: "VM Network" }
 * ```
 * Throws INVALID_ARGUMENT naming the field that is wrong.
 */
export function segmentRulesFrom(doc: unknown, source = 'segments file'): SegmentRule[] {
  const fail = (field: string, what: string): never => {
    throw new MacfleetError('INVALID_ARGUMENT', `${source}: ${field}: ${what}`, {
      location: { file: source, field },
    });
  };
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc))
    fail('(root)', 'expected a mapping with a "segments" key');
  const segments = (doc as Record<string, unknown>)['segments'];
  if (segments === null || typeof segments !== 'object' || Array.isArray(segments)) {
    fail('segments', 'expected a mapping of segment name to a list of {host, network}');
  }
  const rules: SegmentRule[] = [];
  for (const [name, list] of Object.entries(segments as Record<string, unknown>)) {
    if (!Array.isArray(list)) fail(`segments.${name}`, 'expected a list of {host, network}');
    (list as unknown[]).forEach((entry, i) => {
      const field = `segments.${name}[${i}]`;
      if (entry === null || typeof entry !== 'object') fail(field, 'expected {host, network}');
      const e = entry as Record<string, unknown>;
      for (const k of ['host', 'network']) {
        if (typeof e[k] !== 'string' || e[k] === '')
          fail(`${field}.${k}`, 'expected a non-empty string ("*" matches any)');
      }
      rules.push({ segment: name, host: e['host'] as string, network: e['network'] as string });
    });
  }
  return rules;
}
