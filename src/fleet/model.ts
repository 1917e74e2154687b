/**
 * The fleet inventory as immutable values: hosts with their physical adapters and allocation source,
 * virtual networks, VMs and their network adapters. Pure data plus the validation every face shares.
 */
import { hasControlCharacters } from '../escape.js';
import { MacfleetError } from '../errors.js';
import type { Ipv4 } from '../mac/index.js';
import type { Mac } from '../mac/index.js';
import {
  LIFECYCLE_HYPERVISORS,
  VS_NIC_KINDS,
  type LifecycleHypervisor,
  type VsNic,
  type VsNicKind,
} from '../schemes/index.js';

/** The hypervisors the fleet models: one lifecycle profile each (src/schemes/lifecycle-profiles.ts). */
export const HYPERVISOR_KINDS = LIFECYCLE_HYPERVISORS;
export type HypervisorKind = LifecycleHypervisor;

/** Physical adapters feed Virtual Server's scheme; loopback and bridge adapters do not. */
export const NIC_KINDS = VS_NIC_KINDS;
export type NicKind = VsNicKind;

export const VM_STATES = ['stopped', 'running', 'saved'] as const;
export type VmState = (typeof VM_STATES)[number];

export const MAC_MODES = ['dynamic', 'static'] as const;
export type MacMode = (typeof MAC_MODES)[number];

/** A physical adapter of a host, in the host's adapter order. */
export type HostNic = VsNic;

/**
 * Where a host's dynamic MACs come from: the hypervisor's own scheme, or a macfleet pool.
 * Text form: `hypervisor` or `pool:<name>`.
 */
export type AllocationSource =
  { readonly kind: 'hypervisor' } | { readonly kind: 'pool'; readonly pool: string };

/**
 * The persisted state of the host's own scheme: the Virtual Server counter, the Hyper-V range and
 * next-available pointer. Opaque JSON to the store; the scheme adapter owns its shape.
 */
export type SchemeState = Readonly<Record<string, number | string | boolean | null>>;

export interface Host {
  readonly name: string;
  readonly hypervisor: HypervisorKind;
  readonly nics: readonly HostNic[];
  readonly ip: Ipv4 | null;
  readonly allocation: AllocationSource;
  readonly scheme: SchemeState;
  /** The hypervisor's version (`host add --version`), where a rule depends on it; null when not given. */
  readonly version: string | null;
}

export interface VirtualNetwork {
  readonly host: string;
  readonly name: string;
  /** The physical adapter the network is bound to, or null for an internal network. */
  readonly nic: Mac | null;
  /** The L2 segment; two networks with one segment name are one broadcast domain. */
  readonly segment: string;
}

/** VMware port security of an adapter (meaningful on VMware hosts only). */
export interface VmwarePolicy {
  readonly promiscuous: boolean;
  readonly macChanges: boolean;
  readonly forgedTransmits: boolean;
}

export interface Adapter {
  readonly index: number;
  readonly network: string;
  readonly mode: MacMode;
  /** Null: a dynamic adapter whose hypervisor assigns the MAC at the VM's first start (Hyper-V). */
  readonly mac: Mac | null;
  readonly spoofing: boolean;
  readonly dhcpGuard: boolean;
  readonly routerGuard: boolean;
  readonly vmware: VmwarePolicy | null;
}

export interface Vm {
  readonly host: string;
  readonly name: string;
  readonly state: VmState;
  readonly adapters: readonly Adapter[];
}

/** One adapter with the VM and host it belongs to: what MAC lookups across the fleet return. */
export interface AdapterHolder {
  readonly host: string;
  readonly vm: string;
  readonly vmState: VmState;
  readonly adapter: Adapter;
}

/** The MACs the adapters hold (unassigned ones have none). */
export const adapterMacs = (adapters: readonly Adapter[]): Mac[] =>
  adapters.flatMap((a) => (a.mac === null ? [] : [a.mac]));

/** The given MACs without the unassigned ones. */
export const knownMacs = (...macs: readonly (Mac | null)[]): Mac[] =>
  macs.filter((m): m is Mac => m !== null);

/** Where a VM adapter is, for events and messages: `host/vm#index`. */
export const adapterRef = (host: string, vm: string, index: number): string => `${host}/${vm}#${index}`;

export const VMWARE_DEFAULT_POLICY: VmwarePolicy = {
  promiscuous: false,
  macChanges: false,
  forgedTransmits: false,
};

export function parseAllocationSource(text: string): AllocationSource {
  const t = text.trim();
  if (t === 'hypervisor') return { kind: 'hypervisor' };
  if (t.startsWith('pool:') && t.length > 5) return { kind: 'pool', pool: t.slice(5) };
  throw new MacfleetError(
    'INVALID_ARGUMENT',
    `invalid allocation source ${JSON.stringify(text)}: expected "hypervisor" or "pool:<name>"`,
    { location: { field: 'allocation' } },
  );
}

export const formatAllocationSource = (a: AllocationSource): string =>
  a.kind === 'hypervisor' ? 'hypervisor' : `pool:${a.pool}`;

function oneOf<T extends string>(values: readonly T[], text: string, field: string): T {
  if ((values as readonly string[]).includes(text)) return text as T;
  throw new MacfleetError(
    'INVALID_ARGUMENT',
    `invalid ${field} ${JSON.stringify(text)}: expected one of ${values.join(', ')}`,
    { location: { field } },
  );
}

export const parseHypervisorKind = (text: string): HypervisorKind =>
  oneOf(HYPERVISOR_KINDS, text, 'hypervisor');
export const parseVmState = (text: string): VmState => oneOf(VM_STATES, text, 'VM state');
export const parseMacMode = (text: string): MacMode => oneOf(MAC_MODES, text, 'MAC mode');

/** Names are keys and appear in messages: 1..255 characters, no control characters, no outer spaces. */
export function checkName(name: string, field: string): string {
  if (name.length === 0 || name.length > 255 || name.trim() !== name || hasControlCharacters(name)) {
    throw new MacfleetError(
      'INVALID_ARGUMENT',
      `invalid ${field} ${JSON.stringify(name)}: expected 1..255 characters, no control characters, no leading or trailing space`,
      { location: { field } },
    );
  }
  return name;
}
