/** The JSON forms of inventory values, shared by the CLI (`--json`), the API and event details. */
import { formatIpv4, formatMac } from '../mac/index.js';
import type { EventDetail } from './events.js';
import type { Mac } from '../mac/index.js';
import { formatAllocationSource, type Adapter, type Host, type VirtualNetwork, type Vm } from './model.js';

/** A MAC as JSON: canonical text, or null for a dynamic adapter not assigned yet (Hyper-V, before its first start). */
export const macJson = (mac: Mac | null): string | null => (mac === null ? null : formatMac(mac));

/** An adapter's MAC for people: a Hyper-V dynamic adapter has none until its VM first starts. */
export const adapterMacText = (mac: Mac | null): string =>
  mac === null ? 'assigned at first start' : formatMac(mac);

/** The VM shape of issue 5: `{"name","host","state","adapters":[{"index","network","mode","mac","spoofing"}]}`. */
export interface VmJson {
  name: string;
  host: string;
  state: string;
  adapters: { index: number; network: string; mode: string; mac: string | null; spoofing: boolean }[];
}

export const vmJson = (vm: Vm): VmJson => ({
  name: vm.name,
  host: vm.host,
  state: vm.state,
  adapters: vm.adapters.map((a) => ({
    index: a.index,
    network: a.network,
    mode: a.mode,
    mac: macJson(a.mac),
    spoofing: a.spoofing,
  })),
});

export const hostJson = (h: Host) => ({
  name: h.name,
  hypervisor: h.hypervisor,
  nics: h.nics.map((n) => ({ mac: formatMac(n.mac), kind: n.kind })),
  ip: h.ip === null ? null : formatIpv4(h.ip),
  allocation: formatAllocationSource(h.allocation),
  scheme: h.scheme,
  version: h.version,
});

export const networkJson = (n: VirtualNetwork) => ({
  name: n.name,
  host: n.host,
  nic: n.nic === null ? null : formatMac(n.nic),
  segment: n.segment,
});

/** Every setting of an adapter, for event details. */
export function adapterDetail(a: Adapter): EventDetail {
  return {
    index: a.index,
    network: a.network,
    mode: a.mode,
    mac: macJson(a.mac),
    spoofing: a.spoofing,
    dhcpGuard: a.dhcpGuard,
    routerGuard: a.routerGuard,
    vmware: a.vmware === null ? null : { ...a.vmware },
  };
}

export const vmDetail = (vm: Vm): EventDetail => ({
  state: vm.state,
  adapters: vm.adapters.map(adapterDetail),
});
