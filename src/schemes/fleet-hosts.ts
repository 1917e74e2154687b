/**
 * A host as the collision predictor sees it: which hypervisor scheme it runs and the parameters that fix
 * its addresses (IPv4, NICs, explicit pool, vCenter instance id or prefix, Proxmox mac_prefix), turned
 * into a Scheme and the labelled address sets it draws from.
 */
import { MacfleetError } from '../errors.js';
import { formatIpv4, formatMac, macRange, nicOf, type Ipv4, type Mac } from '../mac/index.js';
import type { Random } from '../random.js';
import { formatRangeCompact, setBounds, type AddressSet } from './address-set.js';
import { hyperVPool, hyperVPoolFromIpv4, hyperVScheme } from './hyper-v-scheme.js';
import { PROXMOX_DEFAULT_PREFIX, proxmoxScheme } from './proxmox-scheme.js';
import { libvirtScheme, qemuScheme } from './qemu-scheme.js';
import type { Scheme } from './scheme.js';
import { virtualBoxScheme } from './virtualbox-scheme.js';
import { eligibleNics, virtualServerScheme, type VsNic } from './virtual-server-scheme.js';
import {
  vcenterOuiScheme,
  vcenterPrefixRange,
  vcenterRangesScheme,
  vmwareGeneratedScheme,
} from './vmware-scheme.js';
import { xapiScheme, xenScheme } from './xen-scheme.js';

export const HYPERVISORS = [
  'virtual-server',
  'hyper-v',
  'vmware',
  'vcenter',
  'qemu',
  'libvirt',
  'xen',
  'xcp-ng',
  'virtualbox',
  'proxmox',
] as const;
export type Hypervisor = (typeof HYPERVISORS)[number];

/** Adapters per host assumed for odds when a host does not say (`adapters` in the hosts file). */
export const DEFAULT_ADAPTERS = 100;

export interface HostSpec {
  readonly name: string;
  readonly hypervisor: Hypervisor;
  /** Hyper-V: the IPv4 address the host had when Hyper-V was installed (min/max, when given, win). */
  readonly ip?: Ipv4;
  /** Virtual Server: the host's adapters in host order. */
  readonly nics?: readonly VsNic[];
  /** Hyper-V MacAddressMinimum/Maximum, or one vCenter range-based range. */
  readonly min?: Mac;
  readonly max?: Mac;
  /** vCenter VMware-OUI allocation: the instance id 0..63. */
  readonly instanceId?: number;
  /** vCenter prefix-based prefix (hex, e.g. 005026) or Proxmox mac_prefix (e.g. BC:24:11). */
  readonly prefix?: string;
  /** vCenter prefix-based prefixLength in bits. */
  readonly prefixLength?: number;
  /** Expected VM network adapters on this host, for collision odds. */
  readonly adapters?: number;
}

/** One address set of a host, with where it comes from in words (`NIC 00-16-31-53-32-68`, `10.1.5.20`). */
export interface HostPart {
  readonly set: AddressSet;
  readonly origin: string;
}

export interface HostModel {
  readonly spec: HostSpec;
  readonly scheme: Scheme;
  readonly parts: readonly HostPart[];
  readonly adapters: number;
}

const missing = (spec: HostSpec, what: string): MacfleetError =>
  new MacfleetError(
    'INVALID_ARGUMENT',
    `host ${JSON.stringify(spec.name)} (${spec.hypervisor}) needs ${what}`,
    {
      location: { field: spec.name },
    },
  );

function hyperVModel(spec: HostSpec): { scheme: Scheme; origin: string } {
  if (spec.min !== undefined || spec.max !== undefined) {
    if (spec.min === undefined || spec.max === undefined) throw missing(spec, 'both min and max');
    const pool = hyperVPool(spec.min, spec.max);
    return { scheme: hyperVScheme(pool), origin: `pool ${formatRangeCompact(pool)}` };
  }
  if (spec.ip === undefined) throw missing(spec, 'ip (the IPv4 address at install time) or min and max');
  return { scheme: hyperVScheme(hyperVPoolFromIpv4(spec.ip)), origin: formatIpv4(spec.ip) };
}

function vcenterModel(spec: HostSpec): { scheme: Scheme; origin: string } {
  const given = [spec.instanceId !== undefined, spec.prefix !== undefined, spec.min !== undefined].filter(
    Boolean,
  );
  if (given.length > 1) {
    throw new MacfleetError(
      'INVALID_ARGUMENT',
      `host ${JSON.stringify(spec.name)} (vcenter) mixes allocation schemes: give one of instanceId, prefix with prefixLength, or min and max`,
      { location: { field: spec.name } },
    );
  }
  if (spec.instanceId !== undefined)
    return { scheme: vcenterOuiScheme(spec.instanceId), origin: `instance id ${spec.instanceId}` };
  if (spec.prefix !== undefined) {
    if (spec.prefixLength === undefined) throw missing(spec, 'prefixLength with prefix');
    const r = vcenterPrefixRange(spec.prefix, spec.prefixLength);
    return {
      scheme: vcenterRangesScheme([r], 'prefix'),
      origin: `prefix ${spec.prefix}/${spec.prefixLength}`,
    };
  }
  if (spec.min !== undefined && spec.max !== undefined) {
    return {
      scheme: vcenterRangesScheme([macRange(spec.min, spec.max)], 'range'),
      origin: `range ${formatRangeCompact(macRange(spec.min, spec.max))}`,
    };
  }
  throw missing(spec, 'instanceId, prefix and prefixLength, or min and max');
}

/** Build the scheme and labelled address sets of a host. */
export function hostModel(spec: HostSpec, random: Random): HostModel {
  const adapters = spec.adapters ?? DEFAULT_ADAPTERS;
  const one = (scheme: Scheme, origin: string): HostModel => ({
    spec,
    scheme,
    adapters,
    parts: scheme.sets.map((set) => ({ set, origin })),
  });
  switch (spec.hypervisor) {
    case 'virtual-server': {
      if (spec.nics === undefined) throw missing(spec, 'nics (its network adapters in host order)');
      const scheme = virtualServerScheme(spec.nics, random);
      const eligible = eligibleNics(spec.nics);
      if (eligible.length === 0) return one(scheme, 'no eligible NIC (random)');
      // virtualServerSets lists one set per distinct octets 5-6, in adapter order: name the NICs behind each.
      const parts = scheme.sets.map((set) => {
        const low16 = nicOf(setBounds(set).start) & 0xffff;
        const macs = eligible.filter((m) => (nicOf(m) & 0xffff) === low16).map((m) => formatMac(m, 'hyphen'));
        return { set, origin: `NIC ${macs.join(', ')}` };
      });
      return { spec, scheme, adapters, parts };
    }
    case 'hyper-v': {
      const { scheme, origin } = hyperVModel(spec);
      return one(scheme, origin);
    }
    case 'vmware':
      return one(vmwareGeneratedScheme(), 'host-generated');
    case 'vcenter': {
      const { scheme, origin } = vcenterModel(spec);
      return one(scheme, origin);
    }
    case 'qemu':
      return one(qemuScheme(), 'QEMU default');
    case 'libvirt':
      return one(libvirtScheme(), 'libvirt random');
    case 'xen':
      return one(xenScheme(), 'libxl random');
    case 'xcp-ng':
      return one(xapiScheme(), 'XAPI mac_seed');
    case 'virtualbox':
      return one(virtualBoxScheme(), 'VirtualBox random');
    case 'proxmox':
      return one(
        proxmoxScheme(spec.prefix),
        `mac_prefix ${(spec.prefix ?? PROXMOX_DEFAULT_PREFIX).toUpperCase()}`,
      );
  }
}
