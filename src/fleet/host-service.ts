/** Hosts and virtual networks: add, change the allocation source or range, each change logged. */
import { MacfleetError } from '../errors.js';
import { formatMac, type Ipv4, type Mac } from '../mac/index.js';
import { versionParts } from '../schemes/index.js';
import { hasSchemeSetting, hyperVRange, initialSchemeState } from './hypervisor-source.js';
import {
  checkName,
  type AllocationSource,
  type Host,
  type HostNic,
  type HypervisorKind,
  type VirtualNetwork,
} from './model.js';
import { inSession, type FleetDeps } from './session.js';
import { hostJson, networkJson } from './views.js';

export interface HostInput {
  readonly name: string;
  readonly hypervisor: HypervisorKind;
  readonly nics?: readonly HostNic[];
  readonly ip?: Ipv4 | null;
  readonly allocation?: AllocationSource;
  /** Hyper-V only: an explicit dynamic range, as Set-VMHost -MacAddressMinimum/-Maximum. */
  readonly min?: Mac;
  readonly max?: Mac;
  /** The hypervisor's version (`6.7`, `8.0 U3`, `8.1`), where a rule depends on it. */
  readonly version?: string | null;
  /** Proxmox VE: the datacenter.cfg `mac_prefix` of the host's cluster. */
  readonly macPrefix?: string;
}

/** A version is kept as given, but must start with a number: the rules compare its dotted numbers. */
function checkVersion(version: string | null | undefined): string | null {
  if (version === undefined || version === null) return null;
  const v = version.trim();
  if (versionParts(v).length === 0 || v.length > 64) {
    throw new MacfleetError(
      'INVALID_ARGUMENT',
      `invalid hypervisor version ${JSON.stringify(version)}: expected a dotted number such as 6.7 or 8.0 U3`,
      { location: { field: 'version' } },
    );
  }
  return v;
}

function buildHost(input: HostInput): Host {
  checkName(input.name, 'host name');
  const seen = new Set<Mac>();
  for (const nic of input.nics ?? []) {
    if (seen.has(nic.mac)) {
      throw new MacfleetError(
        'INVALID_ARGUMENT',
        `host ${input.name}: NIC ${formatMac(nic.mac)} is listed twice`,
        {
          location: { field: 'nic' },
        },
      );
    }
    seen.add(nic.mac);
  }
  if ((input.min === undefined) !== (input.max === undefined)) {
    throw new MacfleetError('INVALID_ARGUMENT', 'give both --min and --max, or neither', {
      location: { field: 'min' },
    });
  }
  if (input.min !== undefined && input.hypervisor !== 'hyper-v') {
    throw new MacfleetError('INVALID_ARGUMENT', '--min/--max apply to Hyper-V hosts only', {
      location: { field: 'min' },
    });
  }
  if (input.macPrefix !== undefined && !hasSchemeSetting(input.hypervisor, 'macPrefix')) {
    throw new MacfleetError('INVALID_ARGUMENT', '--mac-prefix applies to Proxmox VE hosts only', {
      location: { field: 'macPrefix' },
    });
  }
  if (input.min !== undefined && input.max !== undefined && input.min > input.max) {
    throw new MacfleetError(
      'INVALID_RANGE',
      `--min ${formatMac(input.min)} is above --max ${formatMac(input.max)}`,
    );
  }
  const base = {
    name: input.name,
    hypervisor: input.hypervisor,
    nics: [...(input.nics ?? [])],
    ip: input.ip ?? null,
    allocation: input.allocation ?? { kind: 'hypervisor' as const },
    version: checkVersion(input.version),
  };
  const range = input.min !== undefined && input.max !== undefined ? { min: input.min, max: input.max } : {};
  if (base.hypervisor === 'hyper-v' && base.ip === null && input.min === undefined) {
    throw new MacfleetError(
      'INVALID_ARGUMENT',
      `Hyper-V host ${input.name} needs --ip (its dynamic range comes from the address) or --min and --max`,
      { location: { field: 'ip' } },
    );
  }
  const prefix = input.macPrefix === undefined ? {} : { macPrefix: input.macPrefix };
  return { ...base, scheme: initialSchemeState(base, { ...range, ...prefix }) };
}

/** Add a host; its scheme state starts fresh (Virtual Server counter 0, Hyper-V pointer at the range start). */
export function addHost(deps: FleetDeps, input: HostInput): Promise<Host> {
  const host = buildHost(input);
  return inSession(deps, async (s) => {
    if ((await s.repo.getHost(host.name)) !== undefined) {
      throw new MacfleetError('ALREADY_EXISTS', `host ${host.name} already exists`);
    }
    await s.repo.putHost(host);
    s.emit(
      'host.added',
      { host: host.name },
      null,
      hostJson(host),
      host.nics.map((n) => n.mac),
    );
    return host;
  });
}

export interface HostChange {
  readonly allocation?: AllocationSource;
  readonly ip?: Ipv4;
  readonly min?: Mac;
  readonly max?: Mac;
  readonly version?: string;
  readonly macPrefix?: string;
}

/**
 * Change a host's allocation source, IPv4 address or Hyper-V range. Dynamic MACs already handed out
 * stay; Hyper-V replaces those outside its new range at their VM's next start (rule 5).
 */
export function updateHost(deps: FleetDeps, name: string, change: HostChange): Promise<Host> {
  return inSession(deps, async (s) => {
    const before = await s.host(name);
    let after: Host = {
      ...before,
      allocation: change.allocation ?? before.allocation,
      ip: change.ip ?? before.ip,
      version: change.version === undefined ? before.version : checkVersion(change.version),
    };
    if (change.macPrefix !== undefined) {
      const rebuilt = buildHost({ ...after, macPrefix: change.macPrefix });
      after = { ...after, scheme: { ...before.scheme, ...rebuilt.scheme } };
    }
    if (change.ip !== undefined || change.min !== undefined || change.max !== undefined) {
      const rebuilt = buildHost({
        ...after,
        ...(change.min !== undefined ? { min: change.min } : {}),
        ...(change.max !== undefined ? { max: change.max } : {}),
      });
      // A new range restarts the pointer; a counter (Virtual Server) carries on.
      after = { ...after, scheme: before.hypervisor === 'hyper-v' ? rebuilt.scheme : before.scheme };
      if (before.hypervisor === 'hyper-v') hyperVRange(after);
    }
    await s.savedHost(after);
    s.emit('host.updated', { host: name }, hostJson(before), hostJson(after), []);
    return after;
  });
}

export interface NetworkInput {
  readonly host: string;
  readonly name: string;
  /** The physical adapter the network is bound to; omitted for an internal network. */
  readonly nic?: Mac;
  /** Defaults to the network's own name: one name across hosts is one L2 segment. */
  readonly segment?: string;
}

export function addNetwork(deps: FleetDeps, input: NetworkInput): Promise<VirtualNetwork> {
  checkName(input.name, 'network name');
  if (input.segment !== undefined) checkName(input.segment, 'segment');
  return inSession(deps, async (s) => {
    const host = await s.host(input.host);
    if ((await s.repo.getNetwork(host.name, input.name)) !== undefined) {
      throw new MacfleetError(
        'ALREADY_EXISTS',
        `host ${host.name} already has a virtual network ${JSON.stringify(input.name)}`,
      );
    }
    if (input.nic !== undefined && !host.nics.some((n) => n.mac === input.nic)) {
      throw new MacfleetError(
        'NOT_FOUND',
        `host ${host.name} has no physical adapter ${formatMac(input.nic)} (it has ${host.nics.map((n) => formatMac(n.mac)).join(', ') || 'none'})`,
      );
    }
    const network: VirtualNetwork = {
      host: host.name,
      name: input.name,
      nic: input.nic ?? null,
      segment: input.segment ?? input.name,
    };
    await s.repo.putNetwork(network);
    s.emit(
      'network.added',
      { host: host.name },
      null,
      networkJson(network),
      input.nic === undefined ? [] : [input.nic],
    );
    return network;
  });
}
