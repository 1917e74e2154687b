/** VM lifecycle under the hypervisor rules: create, register (move/copy/import), start, stop, save. */
import { MacfleetError } from '../errors.js';
import { formatMac, type Mac } from '../mac/index.js';
import {
  checkName,
  VMWARE_DEFAULT_POLICY,
  type Adapter,
  type AdapterHolder,
  type Vm,
  type VmwarePolicy,
} from './model.js';
import {
  checkStaticDuplicate,
  checkStaticMac,
  holderText,
  outOfRangeAdapters,
  startConflicts,
} from './rules.js';
import { inSession, type FleetDeps, type Session } from './session.js';
import { vmDetail } from './views.js';

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

/** Rule 1 and 4: create a stopped VM; dynamic adapters get a MAC from the host's source. */
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
      const mac =
        spec.static ??
        (await s.assignDynamic(host.name, input.name, index, spec.network, null, 'vm created'));
      if (spec.static !== undefined) {
        s.emit(
          'adapter.mac_assigned',
          { host: host.name, vm: input.name, adapter: index },
          null,
          {
            mac: formatMac(mac),
            mode: 'static',
            network: spec.network,
            source: 'static',
            reason: 'vm created',
          },
          [mac],
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
    s.emit(
      'vm.created',
      { host: host.name, vm: vm.name },
      null,
      vmDetail(vm),
      adapters.map((a) => a.mac),
    );
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
 * Rule 1: register a VM on a host (moved or copied): dynamic adapters get new MACs from the new host's
 * source; static MACs travel with the VM (a copy then duplicates them, which is logged and reported).
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
    if (!copy) {
      await s.repo.deleteVm(source.host, source.name);
      s.emit(
        'vm.unregistered',
        { host: source.host, vm: source.name },
        vmDetail(source),
        { movedTo: `${target.name}/${newName}` },
        source.adapters.map((a) => a.mac),
      );
      for (const a of source.adapters) if (a.mode === 'dynamic') await s.releaseDynamic(source.host, a.mac);
    }
    const adapters: Adapter[] = [];
    for (const a of source.adapters) {
      const reason = copy ? 'vm copied' : 'vm moved';
      const mac =
        a.mode === 'dynamic'
          ? await s.assignDynamic(target.name, newName, a.index, a.network, a.mac, reason)
          : a.mac;
      if (a.mode === 'static') {
        s.emit(
          'adapter.mac_assigned',
          { host: target.name, vm: newName, adapter: a.index },
          null,
          { mac: formatMac(mac), mode: 'static', network: a.network, source: 'static', reason },
          [mac],
        );
      }
      const vmware = target.hypervisor === 'vmware' ? (a.vmware ?? VMWARE_DEFAULT_POLICY) : null;
      adapters.push({ ...a, mac, vmware });
    }
    const vm: Vm = { host: target.name, name: newName, state: source.state, adapters };
    for (const a of adapters) {
      if (a.mode === 'static') await noteStaticDuplicate(s, vm, a, copy ? 'vm copied' : 'vm moved', true);
    }
    await s.repo.putVm(vm);
    s.emit(
      'vm.registered',
      { host: target.name, vm: newName },
      { host: source.host, vm: source.name },
      { ...vmDetail(vm), copy },
      adapters.map((a) => a.mac),
    );
    return vm;
  });
}

export interface VmRef {
  readonly name: string;
  readonly host?: string;
}

/**
 * Rules 2 and 5: start a VM. A static adapter whose MAC a running VM uses on the same host and network
 * refuses the start with MAC_CONFLICT; a dynamic one gets a new MAC and the start goes on. On Hyper-V a
 * dynamic MAC outside the host's current range is replaced first.
 */
export function startVm(deps: FleetDeps, ref: VmRef): Promise<Vm> {
  return inSession(deps, async (s) => {
    let vm = await s.vm(ref.name, ref.host);
    if (vm.state === 'running') return vm;
    const host = await s.host(vm.host);
    // Only the holders of this VM's own MACs can conflict: an index lookup each, whatever the host's size.
    const holders: AdapterHolder[] = [];
    for (const mac of new Set(vm.adapters.map((a) => a.mac)))
      holders.push(...(await s.repo.adaptersWithMac(mac)));
    const conflicts = startConflicts(vm, holders);
    const blocking = conflicts.filter((c) => c.adapter.mode === 'static');
    for (const c of conflicts) {
      s.emit(
        'adapter.mac_conflict',
        { host: vm.host, vm: vm.name, adapter: c.adapter.index },
        null,
        {
          mac: formatMac(c.adapter.mac),
          network: c.adapter.network,
          mode: c.adapter.mode,
          heldBy: c.heldBy,
          resolution: blocking.length > 0 ? 'start refused' : 'new dynamic MAC',
        },
        [c.adapter.mac],
      );
    }
    if (blocking.length > 0) {
      const what = blocking
        .map(
          (c) =>
            `adapter ${c.adapter.index} (${formatMac(c.adapter.mac)} on ${c.adapter.network}) is in use by ${c.heldBy.join(', ')}`,
        )
        .join('; ');
      s.emit(
        'vm.start_failed',
        { host: vm.host, vm: vm.name },
        { state: vm.state },
        {
          state: vm.state,
          code: 'MAC_CONFLICT',
          conflicts: blocking.map((c) => ({
            adapter: c.adapter.index,
            mac: formatMac(c.adapter.mac),
            heldBy: c.heldBy,
          })),
        },
        blocking.map((c) => c.adapter.mac),
      );
      s.refuse(
        new MacfleetError('MAC_CONFLICT', `cannot start ${vm.host}/${vm.name}: ${what}`, {
          details: { vm: vm.name, host: vm.host },
        }),
      );
    }
    const replace = new Map<number, string>();
    for (const a of outOfRangeAdapters(host, vm)) replace.set(a.index, 'outside the host range');
    for (const c of conflicts) replace.set(c.adapter.index, 'mac conflict');
    if (replace.size > 0) {
      const running =
        conflicts.length === 0
          ? []
          : (await s.repo.listVms(host.name)).filter((v) => v.state === 'running' && v.name !== vm.name);
      const adapters: Adapter[] = [];
      for (const a of vm.adapters) {
        const reason = replace.get(a.index);
        if (reason === undefined) {
          adapters.push(a);
          continue;
        }
        const avoid = new Set<Mac>();
        for (const other of [...running.flatMap((v) => v.adapters), ...adapters]) {
          if (other.network === a.network) avoid.add(other.mac);
        }
        const mac = await s.assignDynamic(vm.host, vm.name, a.index, a.network, a.mac, reason, avoid);
        await s.releaseDynamic(vm.host, a.mac);
        adapters.push({ ...a, mac });
      }
      vm = { ...vm, adapters };
    }
    const started: Vm = { ...vm, state: 'running' };
    await s.repo.putVm(started);
    s.emit(
      'vm.started',
      { host: vm.host, vm: vm.name },
      { state: vm.state },
      { state: 'running' },
      vm.adapters.map((a) => a.mac),
    );
    return started;
  });
}

/** Remove a stopped VM from its host (deleted, or its files taken away); its dynamic MACs go back to the source. */
export function removeVm(deps: FleetDeps, ref: VmRef): Promise<Vm> {
  return inSession(deps, async (s) => {
    const vm = await s.vm(ref.name, ref.host);
    if (vm.state === 'running') {
      throw new MacfleetError('VM_RUNNING', `${vm.host}/${vm.name} is running; stop it before removing it`);
    }
    await s.repo.deleteVm(vm.host, vm.name);
    for (const a of vm.adapters) if (a.mode === 'dynamic') await s.releaseDynamic(vm.host, a.mac);
    s.emit(
      'vm.unregistered',
      { host: vm.host, vm: vm.name },
      vmDetail(vm),
      null,
      vm.adapters.map((a) => a.mac),
    );
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
