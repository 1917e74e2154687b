/** Words for what happened to frames and what stations saw: shared by `lab run`, the doctor and evidence. */
import { formatIpv4, formatMac, type Mac } from '../mac/index.js';
import type { FrameRecord, HopRecord, StepRecord } from './lab-world.js';
import type { Observation } from './station.js';
import { DROP_EXPLANATIONS } from './virtual-switch.js';

const hy = (m: Mac): string => formatMac(m, 'hyphen');

/** Names listed in one line of text; past this, the first ones and a count (a broadcast reaches them all). */
const LISTED_NAMES = 8;
const names = (list: readonly string[]): string =>
  list.length <= LISTED_NAMES
    ? list.join(', ')
    : `${list.slice(0, LISTED_NAMES).join(', ')} and ${list.length - LISTED_NAMES} more`;

/** Where one hop sent the frame, or where and why it was dropped. */
export function describeHop(h: HopRecord, withSkips = false): string {
  if (h.dropped)
    return `${h.switch}: dropped at port ${h.ingress} (${h.dropped}: ${DROP_EXPLANATIONS[h.dropped]})`;
  const blocked = h.portDrops.filter((d) => d.reason !== 'not-flooded' || withSkips);
  const parts = [`${h.switch}: ${h.delivered.length ? `to ${names(h.delivered)}` : 'to no port'}`];
  for (const d of blocked) parts.push(`not to ${d.port} (${d.reason}: ${DROP_EXPLANATIONS[d.reason]})`);
  return parts.join('; ');
}

/** The fate of a frame in one line: its hops, then who accepted it. */
export function describeFate(r: FrameRecord, withSkips = false): string {
  const hops = r.hops.map((h) => describeHop(h, withSkips)).join(' | ');
  return `${hops}${r.received.length ? ` => received by ${names(r.received)}` : ''}`;
}

/** Frame evidence: `#id origin: frame -> fate`. */
export const frameEvidence = (r: FrameRecord): string =>
  `#${r.id} from ${r.origin}: ${r.text} -> ${describeFate(r)}`;

/** The first hop that dropped the frame, if any. */
export const droppingHop = (r: FrameRecord): HopRecord | undefined =>
  r.hops.find((h) => h.dropped !== undefined);

export function describeObservation(o: Observation): string {
  switch (o.kind) {
    case 'event':
      return `${o.station}: event ${o.event.id} (${o.event.source}): ${o.event.message}`;
    case 'mac-change':
      return `${o.station}: guest asks the adapter to use MAC ${hy(o.requested)}: ${o.refused ? 'refused by the hypervisor' : 'accepted'}`;
    case 'arp-ignored':
      return `${o.station}: ignores ARP saying ${formatIpv4(o.ip)} is-at ${hy(o.mac)} (a multicast MAC; RFC 1812 3.3.2) [frame #${o.frameId}]`;
    case 'ip-conflict':
      return `${o.station}: IP address conflict: ${formatIpv4(o.ip)} is also claimed by ${hy(o.otherMac)} [frame #${o.frameId}]`;
    case 'resolve':
      return o.mac === undefined
        ? `${o.station}: ARP for ${formatIpv4(o.ip)} unresolved`
        : `${o.station}: ${formatIpv4(o.ip)} is-at ${hy(o.mac)}${o.viaStatic ? ' (static ARP entry)' : ''}`;
    case 'exchange': {
      const what =
        o.what === 'connect'
          ? `TCP connect to ${formatIpv4(o.to)}:${o.port ?? 0}`
          : `ping ${formatIpv4(o.to)}`;
      if (o.answeredBy.length === 0) return `${o.station}: ${what} FAILED: ${o.reason ?? 'no reply'}`;
      if (o.answeredBy.length > 1)
        return `${o.station}: ${what} answered ${o.answeredBy.length} times (by ${o.answeredBy.join(', ')})`;
      return `${o.station}: ${what} ok (answered by ${o.answeredBy[0]})`;
    }
    case 'ipconfig':
      return `${o.station}: ipconfig /all: adapter '${o.adapter}' Physical Address ${hy(o.mac)}, IPv4 ${o.ips.map(formatIpv4).join(', ') || 'none'}${o.nlb ? `, NLB ${o.nlb}` : ''}`;
    case 'dhcp':
      return `${o.station}: DHCP offers from ${o.offersFrom.length ? o.offersFrom.join(', ') : 'nobody'}`;
    case 'converged':
      return `${o.station}: NLB converged with host priorities ${o.view.join(', ')}`;
  }
}

/** JSON form of an observation: MACs and IPs as text. */
export function observationJson(o: Observation): Record<string, unknown> {
  const out: Record<string, unknown> = { ...o, text: describeObservation(o) };
  for (const k of ['requested', 'mac', 'otherMac'] as const) {
    const v = (o as Record<string, unknown>)[k];
    if (typeof v === 'number') out[k] = hy(v as Mac);
  }
  for (const k of ['ip', 'to'] as const) {
    const v = (o as Record<string, unknown>)[k];
    if (typeof v === 'number') out[k] = formatIpv4(v);
  }
  if (o.kind === 'ipconfig') out.ips = o.ips.map(formatIpv4);
  return out;
}

export function stepJson(s: StepRecord): Record<string, unknown> {
  return {
    index: s.index + 1,
    at: s.at,
    action: s.text,
    ...(s.line !== undefined ? { line: s.line } : {}),
    frames: s.frames.map((r) => ({
      id: r.id,
      origin: r.origin,
      frame: r.text,
      hops: r.hops,
      receivedBy: r.received,
    })),
    observations: s.observations.map(observationJson),
    flaps: s.flaps.map((f) => ({ ...f, mac: hy(f.mac) })),
  };
}
