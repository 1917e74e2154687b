/** The script's raw frames and the one-line text of each step. */
import { formatIpv4, formatMac, type Mac } from '../mac/index.js';
import { ICMP, type Frame } from './frame.js';
import { isVmStep, type RawPayloadSpec, type StepSpec } from './scenario.js';
import type { Station } from './station.js';

export function rawPayload(p: RawPayloadSpec, st: Station): Frame['payload'] {
  const ip = st.dips[0] ?? 0;
  switch (p.kind) {
    case 'opaque':
      return { kind: 'opaque', label: p.label };
    case 'garp':
      return {
        kind: 'arp',
        op: 'request',
        senderMac: p.mac,
        senderIp: p.ip,
        targetMac: 0 as Mac,
        targetIp: p.ip,
      };
    case 'dhcp-offer':
      return {
        kind: 'ipv4',
        srcIp: ip,
        dstIp: 0xffffffff,
        l4: { kind: 'udp', srcPort: 67, dstPort: 68, dhcp: 'offer' },
      };
    case 'router-advertisement':
      return {
        kind: 'ipv4',
        srcIp: ip,
        dstIp: 0xe0000001,
        l4: { kind: 'icmp', type: ICMP.routerAdvertisement, id: 0 },
      };
    case 'icmpv6-router-advertisement':
      return { kind: 'ipv6', icmpv6Type: 134 };
  }
}

/** One line for a step, as `lab run` prints it. */
export function describeStep(s: StepSpec): string {
  if (isVmStep(s)) return `${s.action} ${s.vms.join(', ')}`;
  switch (s.action) {
    case 'arp':
      return `arp from ${s.from} for ${formatIpv4(s.target)}`;
    case 'ping':
      return `ping from ${s.from} to ${formatIpv4(s.to)}`;
    case 'connect':
      return `connect from ${s.from} to ${formatIpv4(s.to)}:${s.port}`;
    case 'dhcp':
      return `dhcp discover from ${s.from}`;
    case 'send':
      return `send ${s.count} x ${s.payload.kind} from ${s.from}${s.src !== undefined ? ` with source ${formatMac(s.src, 'hyphen')}` : ''} to ${formatMac(s.dst, 'hyphen')}`;
    case 'move':
      return `move ${s.vm} to ${s.to}`;
    case 'set-mac':
      return `${s.vm} sets its adapter MAC to ${formatMac(s.mac, 'hyphen')}`;
    case 'set-policy':
      return `set policy of ${s.vm}: ${Object.entries(s.policy)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(', ')}`;
    case 'wait':
      return `wait ${s.seconds} s`;
  }
}
