/**
 * The lifecycle profile (src/schemes/lifecycle-profiles.ts) of the hypervisor a config file belongs to.
 * OVF packages and inventory CSV rows name no hypervisor: undefined, and the rules that need a profile
 * assume the strictest one (a same-host duplicate stays `blocking`).
 */
import type { Hypervisor } from '../formats/types.js';
import {
  profileOf,
  sameHostDuplicateBlocks,
  type LifecycleHypervisor,
  type LifecycleProfile,
} from '../schemes/lifecycle-profiles.js';

const FORMAT_HYPERVISOR: Readonly<Record<Hypervisor, LifecycleHypervisor | undefined>> = {
  vmware: 'vmware',
  libvirt: 'kvm',
  proxmox: 'proxmox',
  'virtual-server': 'virtual-server',
  virtualbox: 'virtualbox',
  'hyper-v': 'hyper-v',
  ovf: undefined,
  inventory: undefined,
};

export const lifecycleHypervisorOf = (h: Hypervisor): LifecycleHypervisor | undefined => FORMAT_HYPERVISOR[h];

export function recordProfile(h: Hypervisor): LifecycleProfile | undefined {
  const k = FORMAT_HYPERVISOR[h];
  return k === undefined ? undefined : profileOf(k);
}

/** Does a same-host same-network duplicate of this hypervisor stop the second VM or cut its network? */
export function sameHostBlocks(h: Hypervisor): boolean {
  const k = FORMAT_HYPERVISOR[h];
  return k === undefined || sameHostDuplicateBlocks(k);
}
