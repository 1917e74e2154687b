/** `adapter set`: MAC mode, static MAC, spoofing (rule 3: stopped VMs only), guards and VMware policy. */
import { MacfleetError } from '../errors.js';
import type { Mac } from '../mac/index.js';
import { knownMacs, type Adapter, type Vm, type VmwarePolicy } from './model.js';
import { checkStaticMac, requireStopped } from './rules.js';
import { inSession, type FleetDeps } from './session.js';
import { adapterDetail, macJson } from './views.js';
import { noteStaticDuplicate, type VmRef } from './vm-service.js';

export interface AdapterChange {
  /** Switch to static: with a MAC, that MAC; `'current'` keeps the MAC the adapter has now. */
  readonly static?: Mac | 'current';
  /** Switch to dynamic: the host's source hands out a new MAC at once (as Virtual Server regenerates it). */
  readonly dynamic?: boolean;
  /** With `dynamic` on an adapter that is dynamic already: have the host's source hand out a new MAC. */
  readonly renew?: boolean;
  /** Accept a static MAC held elsewhere in the fleet (rule 4). */
  readonly force?: boolean;
  readonly spoofing?: boolean;
  readonly dhcpGuard?: boolean;
  readonly routerGuard?: boolean;
  readonly vmware?: Partial<VmwarePolicy>;
}

export function setAdapter(deps: FleetDeps, ref: VmRef, index: number, change: AdapterChange): Promise<Vm> {
  if (change.static !== undefined && change.dynamic === true) {
    throw new MacfleetError('USAGE', 'give --static or --dynamic, not both');
  }
  return inSession(deps, async (s) => {
    const vm = await s.vm(ref.name, ref.host);
    const host = await s.host(vm.host);
    const before = vm.adapters.find((a) => a.index === index);
    if (before === undefined) {
      throw new MacfleetError(
        'NOT_FOUND',
        `${vm.host}/${vm.name} has no adapter ${index} (it has ${vm.adapters.map((a) => a.index).join(', ') || 'none'})`,
      );
    }
    const subject = { host: vm.host, vm: vm.name, adapter: index };
    let a: Adapter = before;
    if (change.static !== undefined || change.dynamic === true) requireStopped(vm, 'the MAC address mode');
    if (change.spoofing !== undefined && change.spoofing !== a.spoofing)
      requireStopped(vm, 'MAC address spoofing');

    if (change.static !== undefined) {
      const mac = change.static === 'current' ? a.mac : change.static;
      if (mac === null) {
        throw new MacfleetError(
          'INVALID_ARGUMENT',
          `${vm.host}/${vm.name} adapter ${index} has no MAC yet (assigned at first start): give the static MAC`,
          { location: { field: 'static' } },
        );
      }
      checkStaticMac(host, mac);
      a = { ...a, mode: 'static', mac };
    } else if (change.dynamic === true && (a.mode !== 'dynamic' || change.renew === true)) {
      const why = a.mode === 'dynamic' ? 'new dynamic MAC' : 'switched to dynamic';
      const mac = await s.assignDynamic(vm.host, vm.name, index, a.network, a.mac, why);
      // A renewed MAC is not given back to the source: the adapter that shares it keeps using it.
      a = { ...a, mode: 'dynamic', mac };
    }
    if (a.mode !== before.mode) {
      s.emit(
        'adapter.mode_changed',
        subject,
        { mode: before.mode, mac: macJson(before.mac) },
        { mode: a.mode, mac: macJson(a.mac) },
        knownMacs(before.mac, a.mac),
      );
    }
    if (a.mode === 'static' && a.mac !== before.mac) {
      s.emit(
        'adapter.mac_assigned',
        subject,
        { mac: macJson(before.mac) },
        {
          mac: macJson(a.mac),
          mode: 'static',
          network: a.network,
          source: 'static',
          reason: 'static MAC set',
        },
        knownMacs(before.mac, a.mac),
      );
      if (before.mode === 'dynamic' && before.mac !== null) await s.releaseDynamic(vm.host, before.mac);
    }
    if (change.spoofing !== undefined && change.spoofing !== a.spoofing) {
      s.emit(
        'adapter.spoofing_changed',
        subject,
        { spoofing: a.spoofing },
        { spoofing: change.spoofing },
        knownMacs(a.mac),
      );
      a = { ...a, spoofing: change.spoofing };
    }
    const guards = {
      dhcpGuard: change.dhcpGuard ?? a.dhcpGuard,
      routerGuard: change.routerGuard ?? a.routerGuard,
    };
    if (guards.dhcpGuard !== a.dhcpGuard || guards.routerGuard !== a.routerGuard) {
      s.emit(
        'adapter.guard_changed',
        subject,
        { dhcpGuard: a.dhcpGuard, routerGuard: a.routerGuard },
        guards,
        knownMacs(a.mac),
      );
      a = { ...a, ...guards };
    }
    if (change.vmware !== undefined) {
      if (a.vmware === null) {
        throw new MacfleetError(
          'INVALID_ARGUMENT',
          `VMware port policy on a ${host.hypervisor} host (${vm.host})`,
        );
      }
      const policy = { ...a.vmware, ...change.vmware };
      if (JSON.stringify(policy) !== JSON.stringify(a.vmware)) {
        s.emit('adapter.vmware_policy_changed', subject, { ...a.vmware }, { ...policy }, knownMacs(a.mac));
        a = { ...a, vmware: policy };
      }
    }
    const after: Vm = { ...vm, adapters: vm.adapters.map((x) => (x.index === index ? a : x)) };
    if (a.mode === 'static' && (a.mac !== before.mac || before.mode !== 'static')) {
      // Pinning the MAC the adapter already has creates no new duplicate: it is logged, not refused.
      const pinned = a.mac === before.mac;
      await noteStaticDuplicate(
        s,
        after,
        a,
        pinned ? 'switched to static' : 'static MAC set',
        pinned || (change.force ?? false),
      );
    }
    await s.repo.putVm(after);
    if (JSON.stringify(adapterDetail(a)) === JSON.stringify(adapterDetail(before))) return vm;
    return after;
  });
}
