/** VM lifecycle under the hypervisor rules: create, register (move/copy/import), start, stop, save. */
import { MacfleetError } from '../errors.js';
import { formatMac, type Mac } from '../mac/index.js';
import { profileOf, type MacOutcome } from '../schemes/index.js';
import {
  adapterMacs,
  checkName,
  VMWARE_DEFAULT_POLICY,
  type Adapter,
  type Vm,
  type VmwarePolicy,
} from './model.js';
import { checkStaticDuplicate, checkStaticMac, holderText } from './rules.js';
import { inSession, type FleetDeps, type Session } from './session.js';
import { vmDetail } from './views.js';
import type { VmRef } from './vm-start.js';

export {
  startVm,
  startVmReport,
  startWarning,
  type StartDuplicate,
  type StartReport,
  type VmRef,
} from './vm-start.js';

export interface AdapterSpec {
  readonly network: string;
  /** A static MAC; omitted for a dynamic adapter. */
  readonly static?: Mac;
  readonly spoofing?: boolean;
  readonly dhcpGuard?: boolean;
  readonly routerGuard?: boolean;
  readonly vmware?: Partial<VmwarePolicy>;
}

export interface CreateVmInput {
  readonly host: string;
  readonly name: string;
  readonly adapters: readonly AdapterSpec[];
  /** Accept static MACs already held elsewhere in the fleet (rule 4). */
  readonly force?: boolean;
}

/** Log a static MAC that another adapter in the fleet also holds (accepted by --force or carried by a copy). */
export async function noteStaticDuplicate(
  s: Session,
  vm: Vm,
  a: Adapter,
  reason: string,
  force: boolean,
): Promise<void> {
  if (a.mac === null) return;
  const self = { host: vm.host, vm: vm.name, index: a.index };
  const others = checkStaticDuplicate(a.mac, await s.repo.adaptersWithMac(a.mac), self, force);
  if (others.length === 0) return;
  s.emit(
    'adapter.duplicate',
    { host: vm.host, vm: vm.name, adapter: a.index },
    null,
    { mac: formatMac(a.mac), heldBy: others.map(holderText), reason },
    [a.mac],
  );
}

/**
 * Rule 1 and 4: create a stopped VM. Dynamic adapters get a MAC from the host's source now, except on a
 * hypervisor that assigns them at the first start (Hyper-V, when the host allocates from its own
 * scheme): those stay unassigned (`mac: null`) until `vm start`.
 */
export function createVm(deps: FleetDeps, input: CreateVmInput): Promise<Vm> {
  checkName(input.name, 'VM name');
  return inSession(deps, async (s) => {
    const host = await s.host(input.host);
    if ((await s.repo.getVm(host.name, input.name)) !== undefined) {
      throw new MacfleetError(
        'ALREADY_EXISTS',
        `host ${host.name} already has a VM named ${JSON.stringify(input.name)}`,
      );
    }
    const adapters: Adapter[] = [];
    for (const [index, spec] of input.adapters.entries()) {
      await s.requireNetwork(host.name, spec.network);
      if (spec.vmware !== undefined && host.hypervisor !== 'vmware') {
        throw new MacfleetError(
          'INVALID_ARGUMENT',
          `adapter ${index}: VMware port policy on a ${host.hypervisor} host`,
        );
      }
      if (spec.static !== undefined) checkStaticMac(host, spec.static, `adapter ${index} static MAC`);
      const atFirstStart =
        host.allocation.kind === 'hypervisor' && profileOf(host.hypervisor).dynamicAssigned === 'first-start';
      const mac =
        spec.static ??
        (atFirstStart
          ? null
          : await s.assignDynamic(host.name, input.name, index, spec.network, null, 'vm created'));
      if (spec.static !== undefined) {
        s.emit(
          'adapter.mac_assigned',
          { host: host.name, vm: input.name, adapter: index },
          null,
          {
            mac: formatMac(spec.static),
            mode: 'static',
            network: spec.network,
            source: 'static',
            reason: 'vm created',
          },
          [spec.static],
        );
      }
      adapters.push({
        index,
        network: spec.network,
        mode: spec.static === undefined ? 'dynamic' : 'static',
        mac,
        spoofing: spec.spoofing ?? false,
        dhcpGuard: spec.dhcpGuard ?? false,
        routerGuard: spec.routerGuard ?? false,
        vmware: host.hypervisor === 'vmware' ? { ...VMWARE_DEFAULT_POLICY, ...spec.vmware } : null,
      });
    }
    const vm: Vm = { host: host.name, name: input.name, state: 'stopped', adapters };
    for (const a of adapters)
      if (a.mode === 'static') await noteStaticDuplicate(s, vm, a, 'vm created', input.force ?? false);
    await s.repo.putVm(vm);
    s.emit('vm.created', { host: host.name, vm: vm.name }, null, vmDetail(vm), adapterMacs(adapters));
    return vm;
  });
}

export interface RegisterInput {
  readonly name: string;
  /** The host the VM is on now (needed when several hosts have a VM by that name). */
  readonly from?: string;
  readonly host: string;
  /** Keep the original (a copy) instead of moving the VM. */
  readonly copy?: boolean;
  /** The name on the new host (default: the same). */
  readonly as?: string;
}

/**
 * Rule 1: register a VM on a host, moved or copied, as the target host's hypervisor does it (its
 * lifecycle profile): Virtual Server gives dynamic adapters new MACs either way; Hyper-V keeps them on a
 * move (the next start replaces those outside the new range) and leaves a copy's unassigned until its
 * first start; VMware keeps them when moved ("I moved it") and regenerates them when copied ("I copied
 * it"); Proxmox and VirtualBox clones get new MACs on every adapter; libvirt and Xen configs keep theirs.
 * A copy that keeps a static MAC duplicates it, which is logged and reported.
 */
export function registerVm(deps: FleetDeps, input: RegisterInput): Promise<Vm> {
  const newName = checkName(input.as ?? input.name, 'VM name');
  return inSession(deps, async (s) => {
    const source = await s.vm(input.name, input.from);
    const target = await s.host(input.host);
    if (source.state === 'running') {
      throw new MacfleetError(
        'VM_RUNNING',
        `${source.host}/${source.name} is running; stop it before moving or copying it`,
      );
    }
    if ((await s.repo.getVm(target.name, newName)) !== undefined) {
      throw new MacfleetError(
        'ALREADY_EXISTS',
        `host ${target.name} already has a VM named ${JSON.stringify(newName)}`,
      );
    }
    for (const a of source.adapters) await s.requireNetwork(target.name, a.network);
    const copy = input.copy ?? false;
    const profile = profileOf(target.hypervisor);
    const rule = copy ? profile.copy : profile.move;
    const reason = copy ? 'vm copied' : 'vm moved';
    if (!copy) {
      await s.repo.deleteVm(source.host, source.name);
      s.emit(
        'vm.unregistered',
        { host: source.host, vm: source.name },
        vmDetail(source),
        { movedTo: `${target.name}/${newName}` },
        adapterMacs(source.adapters),
      );
      for (const a of source.adapters) {
        if (a.mode === 'dynamic' && a.mac !== null && rule.dynamic !== 'keep')
          await s.releaseDynamic(source.host, a.mac);
      }
    }
    const adapters: Adapter[] = [];
    for (const a of source.adapters) {
      const mac = await macAfterRegister(s, rule[a.mode], a, target.name, newName, reason);
      const vmware = target.hypervisor === 'vmware' ? (a.vmware ?? VMWARE_DEFAULT_POLICY) : null;
      adapters.push({ ...a, mac, vmware });
    }
    const vm: Vm = { host: target.name, name: newName, state: source.state, adapters };
    for (const a of adapters) {
      if (a.mode === 'static') await noteStaticDuplicate(s, vm, a, reason, true);
    }
    await s.repo.putVm(vm);
    s.emit(
      'vm.registered',
      { host: target.name, vm: newName },
      { host: source.host, vm: source.name },
      { ...vmDetail(vm), copy },
      adapterMacs(adapters),
    );
    return vm;
  });
}

/** The MAC an adapter has on the new host: kept (and logged), a new one from the host's source, or none yet. */
async function macAfterRegister(
  s: Session,
  outcome: MacOutcome,
  a: Adapter,
  host: string,
  vm: string,
  reason: string,
): Promise<Mac | null> {
  if (outcome === 'unassigned') return null;
  if (outcome === 'new') return s.assignDynamic(host, vm, a.index, a.network, a.mac, reason);
  if (a.mac !== null) {
    s.emit(
      'adapter.mac_assigned',
      { host, vm, adapter: a.index },
      null,
      {
        mac: formatMac(a.mac),
        mode: a.mode,
        network: a.network,
        source: a.mode === 'static' ? 'static' : 'kept',
        reason,
      },
      [a.mac],
    );
  }
  return a.mac;
}

/** Remove a stopped VM from its host (deleted, or its files taken away); its dynamic MACs go back to the source. */
export function removeVm(deps: FleetDeps, ref: VmRef): Promise<Vm> {
  return inSession(deps, async (s) => {
    const vm = await s.vm(ref.name, ref.host);
    if (vm.state === 'running') {
      throw new MacfleetError('VM_RUNNING', `${vm.host}/${vm.name} is running; stop it before removing it`);
    }
    await s.repo.deleteVm(vm.host, vm.name);
    for (const a of vm.adapters)
      if (a.mode === 'dynamic' && a.mac !== null) await s.releaseDynamic(vm.host, a.mac);
    s.emit('vm.unregistered', { host: vm.host, vm: vm.name }, vmDetail(vm), null, adapterMacs(vm.adapters));
    return vm;
  });
}

/** Stop a running or saved VM (a stopped VM stays as it is, and nothing is logged). */
export function stopVm(deps: FleetDeps, ref: VmRef): Promise<Vm> {
  return changeState(deps, ref, 'stopped', ['running', 'saved'], 'vm.stopped');
}

/** Save a running VM's state. */
export function saveVm(deps: FleetDeps, ref: VmRef): Promise<Vm> {
  return changeState(deps, ref, 'saved', ['running'], 'vm.saved');
}

function changeState(
  deps: FleetDeps,
  ref: VmRef,
  to: Vm['state'],
  from: readonly Vm['state'][],
  kind: 'vm.stopped' | 'vm.saved',
): Promise<Vm> {
  return inSession(deps, async (s) => {
    const vm = await s.vm(ref.name, ref.host);
    if (vm.state === to) return vm;
    if (!from.includes(vm.state)) {
      throw new MacfleetError(
        'WRONG_STATE',
        `${vm.host}/${vm.name} is ${vm.state}; only a ${from.join(' or ')} VM can be ${to}`,
      );
    }
    const after: Vm = { ...vm, state: to };
    await s.repo.putVm(after);
    s.emit(kind, { host: vm.host, vm: vm.name }, { state: vm.state }, { state: to }, []);
    return after;
  });
}
