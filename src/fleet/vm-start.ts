/**
 * Starting a VM, as its host's hypervisor does it (the lifecycle profile of src/schemes): dynamic MACs
 * the hypervisor assigns at first start (Hyper-V) are assigned here, or the start fails with
 * POOL_EXHAUSTED; a MAC a running VM already uses on the same host and network is refused where the
 * hypervisor refuses (Virtual Server), and otherwise started with the consequence recorded (VMware
 * shares the MAC, Hyper-V cuts the second port, KVM/Xen/VirtualBox/Proxmox check nothing).
 */
import { MacfleetError } from '../errors.js';
import { formatMac, type Mac } from '../mac/index.js';
import { profileOf, type LifecycleProfile, type SameHostDuplicateStart } from '../schemes/index.js';
import { adapterMacs, type Adapter, type AdapterHolder, type Host, type Vm } from './model.js';
import { outOfRangeAdapters, startConflicts, type StartConflict } from './rules.js';
import { inSession, type FleetDeps, type Session } from './session.js';

export interface VmRef {
  readonly name: string;
  readonly host?: string;
}

/** A duplicate the VM started with anyway: what the hypervisor does with it. */
export interface StartDuplicate {
  readonly adapter: number;
  readonly mac: string;
  readonly network: string;
  readonly heldBy: readonly string[];
  readonly behaviour: SameHostDuplicateStart;
  readonly consequence: string;
}

export interface StartReport {
  readonly vm: Vm;
  /** Same-host same-network duplicates the hypervisor started with (empty where it refuses or none). */
  readonly duplicates: readonly StartDuplicate[];
}

/** The warning a started duplicate is (the CLI's stderr line, the API's `warnings[].message`). */
export const startWarning = (vm: Vm, d: StartDuplicate): string =>
  `${vm.host}/${vm.name}#${d.adapter} started with ${d.mac} on ${d.network}, ` +
  `also used by ${d.heldBy.join(', ')}: ${d.consequence}`;

/** Rules 2 and 5: start a VM (see the file comment). The VM after the start. */
export const startVm = async (deps: FleetDeps, ref: VmRef): Promise<Vm> =>
  (await startVmReport(deps, ref)).vm;

/** Start a VM and say which duplicates it started with (the CLI prints them as warnings). */
export function startVmReport(deps: FleetDeps, ref: VmRef): Promise<StartReport> {
  return inSession(deps, async (s) => {
    let vm = await s.vm(ref.name, ref.host);
    if (vm.state === 'running') return { vm, duplicates: [] };
    const host = await s.host(vm.host);
    const profile = profileOf(host.hypervisor);
    vm = await assignAtFirstStart(s, vm);
    // Only the holders of this VM's own MACs can conflict: an index lookup each, whatever the host's size.
    const holders: AdapterHolder[] = [];
    for (const mac of new Set(adapterMacs(vm.adapters))) holders.push(...(await s.repo.adaptersWithMac(mac)));
    const conflicts = startConflicts(vm, holders);
    const replaced = conflicts.filter(
      (c) => c.adapter.mode === 'dynamic' && profile.dynamicReplacedOnConflict,
    );
    const kept = conflicts.filter((c) => !replaced.includes(c));
    if (kept.length > 0 && profile.sameHostDuplicateStart === 'refuse') refuseStart(s, vm, conflicts, kept);
    const duplicates = kept.map((c) => duplicateOf(c, profile));
    for (const c of conflicts) {
      const d = duplicates.find((x) => x.adapter === c.adapter.index);
      emitConflict(s, vm, c, d === undefined ? 'new dynamic MAC' : `started: ${d.behaviour}`, d?.consequence);
    }
    vm = await replaceDynamic(s, host, vm, replaced);
    const started: Vm = { ...vm, state: 'running' };
    await s.repo.putVm(started);
    s.emit(
      'vm.started',
      { host: vm.host, vm: vm.name },
      { state: vm.state },
      duplicates.length === 0
        ? { state: 'running' }
        : { state: 'running', duplicates: duplicates.map((d) => ({ ...d, heldBy: [...d.heldBy] })) },
      adapterMacs(vm.adapters),
    );
    return { vm: started, duplicates };
  });
}

const duplicateOf = (c: StartConflict, profile: LifecycleProfile): StartDuplicate => ({
  adapter: c.adapter.index,
  mac: formatMac(c.adapter.mac),
  network: c.adapter.network,
  heldBy: c.heldBy,
  behaviour: profile.sameHostDuplicateStart,
  consequence: profile.duplicateConsequence,
});

/** Dynamic adapters with no MAC yet (Hyper-V assigns at first power-on) get one now, or the start fails. */
async function assignAtFirstStart(s: Session, vm: Vm): Promise<Vm> {
  if (vm.adapters.every((a) => a.mac !== null)) return vm;
  const adapters: Adapter[] = [];
  for (const a of vm.adapters) {
    if (a.mac !== null) {
      adapters.push(a);
      continue;
    }
    let mac: Mac;
    try {
      const taken = new Set(adapterMacs(adapters));
      mac = await s.assignDynamic(vm.host, vm.name, a.index, a.network, null, 'first start', taken);
    } catch (e) {
      if (!(e instanceof MacfleetError) || e.code !== 'POOL_EXHAUSTED') throw e;
      s.emit(
        'vm.start_failed',
        { host: vm.host, vm: vm.name },
        { state: vm.state },
        { state: vm.state, code: 'POOL_EXHAUSTED', adapter: a.index, message: e.message },
        [],
      );
      s.refuse(
        new MacfleetError(
          'POOL_EXHAUSTED',
          `cannot start ${vm.host}/${vm.name}: adapter ${a.index}: ${e.message}`,
          {
            details: { vm: vm.name, host: vm.host },
          },
        ),
      );
    }
    adapters.push({ ...a, mac });
  }
  return { ...vm, adapters };
}

/** `adapter.mac_conflict`: which running VM holds the MAC, and what the start did about it. */
function emitConflict(s: Session, vm: Vm, c: StartConflict, resolution: string, consequence?: string): void {
  s.emit(
    'adapter.mac_conflict',
    { host: vm.host, vm: vm.name, adapter: c.adapter.index },
    null,
    {
      mac: formatMac(c.adapter.mac),
      network: c.adapter.network,
      mode: c.adapter.mode,
      heldBy: c.heldBy,
      resolution,
      ...(consequence === undefined ? {} : { consequence }),
    },
    [c.adapter.mac],
  );
}

function refuseStart(
  s: Session,
  vm: Vm,
  conflicts: readonly StartConflict[],
  blocking: readonly StartConflict[],
): never {
  for (const c of conflicts) emitConflict(s, vm, c, 'start refused');
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
  return s.refuse(
    new MacfleetError('MAC_CONFLICT', `cannot start ${vm.host}/${vm.name}: ${what}`, {
      details: { vm: vm.name, host: vm.host },
    }),
  );
}

/** Conflicting dynamic MACs the host replaces, and dynamic MACs outside the host's range (rule 5). */
async function replaceDynamic(
  s: Session,
  host: Host,
  vm: Vm,
  conflicts: readonly StartConflict[],
): Promise<Vm> {
  const replace = new Map<number, string>();
  for (const a of outOfRangeAdapters(host, vm)) replace.set(a.index, 'outside the host range');
  for (const c of conflicts) replace.set(c.adapter.index, 'mac conflict');
  if (replace.size === 0) return vm;
  const running =
    conflicts.length === 0
      ? []
      : (await s.repo.listVms(host.name)).filter((v) => v.state === 'running' && v.name !== vm.name);
  const adapters: Adapter[] = [];
  for (const a of vm.adapters) {
    const reason = replace.get(a.index);
    if (reason === undefined || a.mac === null) {
      adapters.push(a);
      continue;
    }
    const avoid = new Set<Mac>();
    for (const other of [...running.flatMap((v) => v.adapters), ...adapters]) {
      if (other.network === a.network && other.mac !== null) avoid.add(other.mac);
    }
    const mac = await s.assignDynamic(vm.host, vm.name, a.index, a.network, a.mac, reason, avoid);
    await s.releaseDynamic(vm.host, a.mac);
    adapters.push({ ...a, mac });
  }
  return { ...vm, adapters };
}
