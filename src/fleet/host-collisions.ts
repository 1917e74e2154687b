/**
 * The hosts of the inventory as the collision predictor (`macfleet collide`) sees them: which hosts'
 * own hypervisor schemes will hand out the same MACs. Hosts that take their dynamic MACs from a macfleet
 * pool are left out (the pool guarantees uniqueness), and so is a host whose scheme is not known well
 * enough to model (a Hyper-V host with neither an IPv4 address nor a range), with the reason.
 */
import { isMacfleetError } from '../errors.js';
import { parseMac } from '../mac/index.js';
import type { Random } from '../random.js';
import {
  hostModel,
  predictCollisions,
  type CollisionFinding,
  type Hypervisor,
  type HostSpec,
} from '../schemes/index.js';
import type { Host, HypervisorKind } from './model.js';

const SCHEME_OF: Readonly<Record<HypervisorKind, Hypervisor>> = {
  'virtual-server': 'virtual-server',
  'hyper-v': 'hyper-v',
  vmware: 'vmware',
  kvm: 'libvirt',
  xen: 'xen',
  virtualbox: 'virtualbox',
  proxmox: 'proxmox',
};

/** The collision predictor's description of an inventory host's own dynamic scheme. */
export function hostSpecOf(host: Host, adapters?: number): HostSpec {
  const { min, max } = host.scheme;
  return {
    name: host.name,
    hypervisor: SCHEME_OF[host.hypervisor],
    ...(host.ip === null ? {} : { ip: host.ip }),
    ...(host.hypervisor === 'virtual-server' ? { nics: host.nics } : {}),
    ...(host.hypervisor === 'hyper-v' && typeof min === 'string' && typeof max === 'string'
      ? { min: parseMac(min), max: parseMac(max) }
      : {}),
    ...(adapters === undefined || adapters < 1 ? {} : { adapters }),
  };
}

export interface FleetCollisions {
  readonly findings: readonly CollisionFinding[];
  /** Hosts not predicted, and why (a pool host, a scheme that cannot be modelled). */
  readonly skipped: readonly { readonly host: string; readonly reason: string }[];
}

/** Which inventory hosts will hand out the same dynamic MACs (`adapters`: expected adapters per host). */
export function fleetCollisions(
  hosts: readonly Host[],
  random: Random,
  adapters: ReadonlyMap<string, number> = new Map(),
): FleetCollisions {
  const specs: HostSpec[] = [];
  const skipped: { host: string; reason: string }[] = [];
  for (const h of hosts) {
    if (h.allocation.kind === 'pool') {
      skipped.push({ host: h.name, reason: `takes its dynamic MACs from pool ${h.allocation.pool}` });
      continue;
    }
    const spec = hostSpecOf(h, adapters.get(h.name));
    try {
      hostModel(spec, random);
      specs.push(spec);
    } catch (e) {
      if (!isMacfleetError(e)) throw e;
      skipped.push({ host: h.name, reason: e.message });
    }
  }
  return { findings: predictCollisions(specs, random).findings, skipped };
}
