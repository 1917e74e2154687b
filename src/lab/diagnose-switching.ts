/**
 * What a replayed scenario shows about the switches themselves, NLB aside: traffic delivered to the wrong
 * VM (an impersonated MAC), failed exchanges, MAC flaps, moves refused because a MAC is pinned, and frames
 * the guards dropped (spoofed sources, rogue DHCP servers, rogue routers).
 */
import { formatMac, type Mac } from '../mac/index.js';
import { describeObservation, droppingHop, frameEvidence } from './lab-report.js';
import type { LabWorld } from './lab-world.js';
import type { Finding } from './diagnose.js';
import type { Observation } from './station.js';

const MAX_EVIDENCE = 4;
const hy = (m: Mac): string => formatMac(m, 'hyphen');

export interface SwitchingDiagnosis {
  readonly works: boolean;
  readonly symptoms: readonly Finding[];
  readonly warnings: readonly Finding[];
}

export function diagnoseSwitching(world: LabWorld): SwitchingDiagnosis {
  const frames = world.steps.flatMap((s) => s.frames);
  const stations = [...world.stations.values()];
  const owner = new Map<Mac, string>();
  for (const st of stations) owner.set(st.initialMac, st.name);
  const symptoms: Finding[] = [];
  const warnings: Finding[] = [];
  const stepOf = (o: Observation) => world.steps.find((s) => s.observations.includes(o))!.index + 1;

  // A unicast frame for a station's own MAC delivered to another VM's port and never to the owner's.
  const hijacked = frames.filter((r) => {
    const target = owner.get(r.frame.dst);
    if (target === undefined) return false;
    const delivered = r.hops.flatMap((h) => h.delivered);
    return (
      !delivered.includes(target) &&
      delivered.some((p) => world.stations.get(p)?.kind === 'vm' && p !== target)
    );
  });
  if (hijacked.length > 0) {
    const victims = [...new Set(hijacked.map((r) => owner.get(r.frame.dst)!))];
    const takers = [
      ...new Set(
        hijacked
          .flatMap((r) => r.hops.flatMap((h) => h.delivered))
          .filter((p) => world.stations.get(p)?.kind === 'vm' && !victims.includes(p)),
      ),
    ];
    symptoms.push({
      code: 'traffic-hijacked',
      message: `Frames for ${victims.join(', ')} are delivered to ${takers.join(', ')} instead: the switch learned the victim's MAC on the other port (disclosure), and the victim does not get its traffic (denial of service).`,
      evidence: hijacked.slice(0, MAX_EVIDENCE).map(frameEvidence),
    });
  }
  const exchanges = world.steps
    .flatMap((s) => s.observations)
    .filter((o): o is Extract<Observation, { kind: 'exchange' }> => o.kind === 'exchange');
  const failed = exchanges.filter((o) => o.answeredBy.length === 0);
  if (failed.length > 0) {
    symptoms.push({
      code: 'exchange-failed',
      message: `${failed.length} of ${exchanges.length} ping/connect exchange(s) got no answer.`,
      evidence: failed.slice(0, MAX_EVIDENCE).map((o) => `step ${stepOf(o)}: ${describeObservation(o)}`),
    });
  }
  const blocked = frames.filter((r) =>
    r.hops.some((h) => h.portDrops.some((d) => d.reason === 'mac-changes')),
  );
  if (blocked.length > 0) {
    const ports = [
      ...new Set(
        blocked.flatMap((r) =>
          r.hops.flatMap((h) => h.portDrops.filter((d) => d.reason === 'mac-changes').map((d) => d.port)),
        ),
      ),
    ];
    symptoms.push({
      code: 'inbound-blocked',
      message: `${ports.join(', ')} receive(s) nothing: the guest changed its MAC and the port's MAC address changes policy is Reject, so the switch drops every inbound frame until the MAC is changed back.`,
      evidence: blocked.slice(0, MAX_EVIDENCE).map(frameEvidence),
    });
  }
  const dup = exchanges.filter((o) => o.answeredBy.length > 1);
  if (dup.length > 0) {
    symptoms.push({
      code: 'duplicate-replies',
      message: `${dup.length} exchange(s) were answered more than once.`,
      evidence: dup.slice(0, MAX_EVIDENCE).map((o) => `step ${stepOf(o)}: ${describeObservation(o)}`),
    });
  }

  const flaps = world.steps.flatMap((s) => s.flaps);
  const moved = flaps.filter((f) => !f.refused);
  if (moved.length > 0) {
    warnings.push({
      code: 'mac-flapping',
      message: `MAC addresses moved between ports: ${[...new Set(moved.map((f) => `${hy(f.mac)} (${owner.get(f.mac) ?? 'unknown'}) on ${f.switch}`))].join(', ')}.`,
      evidence: moved
        .slice(0, MAX_EVIDENCE)
        .map(
          (f) =>
            `${f.switch}: host ${hy(f.mac)} is flapping between port ${f.from} and port ${f.to} (at ${f.at / 1000}s)`,
        ),
    });
  }
  const refused = flaps.filter((f) => f.refused);
  if (refused.length > 0) {
    warnings.push({
      code: 'move-refused',
      message: `The switch refused to move MACs pinned to their adapter's port (Hyper-V, MAC address spoofing off on the owner): ${[...new Set(refused.map((f) => `${hy(f.mac)} (${owner.get(f.mac) ?? 'unknown'})`))].join(', ')}.`,
      evidence: refused
        .slice(0, MAX_EVIDENCE)
        .map(
          (f) =>
            `${f.switch}: ${hy(f.mac)} seen on port ${f.to}, stays on port ${f.from} (at ${f.at / 1000}s)`,
        ),
    });
  }
  const guarded = (reasons: readonly string[], spoofedOnly: boolean) =>
    frames.filter((r) => {
      const hop = droppingHop(r);
      if (!hop?.dropped || !reasons.includes(hop.dropped)) return false;
      return !spoofedOnly || (owner.get(r.frame.src) !== undefined && owner.get(r.frame.src) !== r.origin);
    });
  const spoofed = guarded(['mac-spoofing', 'forged-transmits', 'port-security', 'no-mac-spoofing'], true);
  if (spoofed.length > 0) {
    warnings.push({
      code: 'spoofed-frames-dropped',
      message: `The guard dropped ${spoofed.length} frame(s) sent with another station's MAC (${[...new Set(spoofed.map((r) => `${r.origin} as ${owner.get(r.frame.src)!}`))].join(', ')}).`,
      evidence: spoofed.slice(0, MAX_EVIDENCE).map(frameEvidence),
    });
  }
  for (const [code, reason, what] of [
    ['rogue-dhcp-blocked', 'dhcp-guard', 'DHCP server messages'],
    ['rogue-router-blocked', 'router-guard', 'router advertisements/redirects'],
  ] as const) {
    const dropped = guarded([reason], false);
    if (dropped.length > 0) {
      warnings.push({
        code,
        message: `${reason} dropped ${dropped.length} ${what} from ${[...new Set(dropped.map((r) => r.origin))].join(', ')}.`,
        evidence: dropped.slice(0, MAX_EVIDENCE).map(frameEvidence),
      });
    }
  }
  return { works: symptoms.length === 0, symptoms, warnings };
}
