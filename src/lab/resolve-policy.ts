/** Turns the policy settings written in a scenario (port group, then VM) into a vendor policy. */
import { defaultPolicy, type PortPolicy } from './port-policy.js';
import type { PolicySettings, SwitchSpec } from './scenario.js';

/** The effective policy of a VM port: VM settings over switch (port group) settings over vendor defaults. */
export function resolvePolicy(sw: SwitchSpec, vm: PolicySettings): PortPolicy {
  const base = defaultPolicy(sw.kind, sw.vmwareDefaults);
  const s: PolicySettings = { ...sw.policy, ...vm };
  switch (base.vendor) {
    case 'hyper-v':
      return {
        vendor: 'hyper-v',
        macSpoofing: s.macSpoofing ?? base.macSpoofing,
        dhcpGuard: s.dhcpGuard ?? base.dhcpGuard,
        routerGuard: s.routerGuard ?? base.routerGuard,
      };
    case 'vmware':
      return {
        vendor: 'vmware',
        promiscuous: s.promiscuous ?? base.promiscuous,
        macChanges: s.macChanges ?? base.macChanges,
        forgedTransmits: s.forgedTransmits ?? base.forgedTransmits,
      };
    case 'ovs':
      return {
        vendor: 'ovs',
        portSecurity: s.portSecurity ?? base.portSecurity,
        allowedAddressPairs: s.allowedAddressPairs ?? base.allowedAddressPairs,
      };
    case 'libvirt':
      return { vendor: 'libvirt', noMacSpoofing: s.noMacSpoofing ?? base.noMacSpoofing };
    case 'physical':
      return base;
  }
}
