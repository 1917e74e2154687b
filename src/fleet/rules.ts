/**
 * The hypervisor rules as pure functions of inventory values (PRODUCT.md capability 3, issue 5):
 * which static MACs are acceptable, which adapters conflict at start, which dynamic MACs must be
 * replaced. The service (fleet-service.ts) loads the values, applies the decisions and logs events.
 */
import { MacfleetError } from '../errors.js';
import { formatMac, type Mac } from '../mac/index.js';
import { profileOf } from '../schemes/index.js';
import { outsideHostRange } from './hypervisor-source.js';
import { adapterRef, type Adapter, type AdapterHolder, type Host, type Vm } from './model.js';

/**
 * Rule 4: a static MAC must be one the host accepts, as its profile says: a valid unicast address
 * everywhere; on VMware before 6.5 inside 00:50:56:00:00:00-3f:ff:ff; on KVM (libvirt) not starting
 * with 0xFE. Where the answer depends on a version the host does not have, the MAC is refused with the
 * rule stated, so the administrator can give the version (`host set --version`).
 */
export function checkStaticMac(host: Host, mac: Mac, field = 'static MAC'): void {
  const text = formatMac(mac);
  const verdict = profileOf(host.hypervisor).acceptsStatic(mac, host.version);
  if (verdict.ok === true) return;
  const why =
    verdict.ok === false
      ? verdict.reason
      : `${verdict.rule}; host ${host.name} has no version (give it with: macfleet host set ${host.name} --version <v>)`;
  throw new MacfleetError(
    'INVALID_MAC',
    `${field} ${text} is not accepted on ${host.hypervisor} host ${host.name}: ${why}`,
    {
      location: { field },
    },
  );
}

/**
 * Rule 4: a static MAC held by another adapter anywhere in the fleet needs `force`. Returns the other
 * holders (empty when the MAC is free) so the caller can log the duplicate it was forced to accept.
 */
export function checkStaticDuplicate(
  mac: Mac,
  holders: readonly AdapterHolder[],
  self: { host: string; vm: string; index: number } | undefined,
  force: boolean,
): AdapterHolder[] {
  const others = holders.filter(
    (h) => self === undefined || h.host !== self.host || h.vm !== self.vm || h.adapter.index !== self.index,
  );
  if (others.length > 0 && !force) {
    throw new MacfleetError(
      'MAC_CONFLICT',
      `static MAC ${formatMac(mac)} is already held by ${others.map(holderText).join(', ')}; ` +
        `use --force to accept a duplicate (it will be reported until resolved)`,
      { details: { mac: formatMac(mac), heldBy: others.map(holderText) } },
    );
  }
  return others;
}

/** Rule 3: mode, static MAC and spoofing change only while the VM is stopped. */
export function requireStopped(vm: Vm, change: string): void {
  if (vm.state !== 'stopped') {
    throw new MacfleetError(
      'VM_RUNNING',
      `cannot change ${change} of ${vm.host}/${vm.name} while it is ${vm.state}; stop it first`,
      { details: { vm: vm.name, host: vm.host, state: vm.state } },
    );
  }
}

export interface StartConflict {
  readonly adapter: Adapter & { readonly mac: Mac };
  /** The adapters of running VMs (or earlier adapters of this VM) on the same host and network with this MAC. */
  readonly heldBy: readonly string[];
}

/**
 * Rule 2: the adapters of `vm` whose MAC is in use on the same host and virtual network by a running VM
 * (or by an earlier adapter of the same VM on that network). `holders` are the fleet's holders of the
 * VM's MACs (any host, any state); only running VMs on the VM's own host count.
 */
export function startConflicts(vm: Vm, holders: readonly AdapterHolder[]): StartConflict[] {
  const inUse = new Map<string, string[]>();
  const slot = (network: string, mac: Mac): string => `${network}\u0000${mac}`;
  for (const h of holders) {
    if (h.host !== vm.host || h.vm === vm.name || h.vmState !== 'running' || h.adapter.mac === null) continue;
    const k = slot(h.adapter.network, h.adapter.mac);
    inUse.set(k, [...(inUse.get(k) ?? []), adapterRef(h.host, h.vm, h.adapter.index)]);
  }
  const conflicts: StartConflict[] = [];
  for (const a of vm.adapters) {
    if (a.mac === null) continue;
    const k = slot(a.network, a.mac);
    const heldBy = inUse.get(k);
    if (heldBy !== undefined) conflicts.push({ adapter: { ...a, mac: a.mac }, heldBy });
    inUse.set(k, [...(heldBy ?? []), adapterRef(vm.host, vm.name, a.index)]);
  }
  return conflicts;
}

/** Rule 5: dynamic adapters whose MAC lies outside the host's current range (Hyper-V after a move). */
export const outOfRangeAdapters = (host: Host, vm: Vm): Adapter[] =>
  vm.adapters.filter((a) => a.mode === 'dynamic' && a.mac !== null && outsideHostRange(host, a.mac));

export const holderText = (h: AdapterHolder): string =>
  `${adapterRef(h.host, h.vm, h.adapter.index)} (${h.vmState})`;
