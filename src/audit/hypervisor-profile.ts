/**
 * The lifecycle profile (src/schemes/lifecycle-profiles.ts) of the hypervisor a config file belongs to.
 * OVF packages and inventory CSV rows name no hypervisor: undefined, and the rules that need a profile
 * assume the strictest one (a same-host duplicate stays `blocking`).
 */
import type { Hypervisor } from '../formats/types.js';
import {
  FORMAT_HYPERVISOR_KINDS,
  profileOf,
  sameHostDuplicateBlocks,
  type LifecycleHypervisor,
  type LifecycleProfile,
} from '../schemes/lifecycle-profiles.js';

export const lifecycleHypervisorOf = (h: Hypervisor): LifecycleHypervisor | undefined =>
  FORMAT_HYPERVISOR_KINDS[h];

export function recordProfile(h: Hypervisor): LifecycleProfile | undefined {
  const k = FORMAT_HYPERVISOR_KINDS[h];
  return k === undefined ? undefined : profileOf(k);
}

/** Does a same-host same-network duplicate of this hypervisor stop the second VM or cut its network? */
export function sameHostBlocks(h: Hypervisor): boolean {
  const k = FORMAT_HYPERVISOR_KINDS[h];
  return k === undefined || sameHostDuplicateBlocks(k);
}
