/**
 * Per-port MAC policies with each vendor's own semantics and defaults, reduced to a bit mask the switch
 * checks per frame.
 *
 * Hyper-V "MAC address spoofing" (AllowMacSpoofing, off by default since Windows Server 2008 R2; John
 * Howard, "New in Hyper-V Windows Server 2008 R2 part 2 - MAC spoofing", blogs.technet.com, quoted at
 * equizzing.com/?p=155288 and freecram 70-414 q161). With spoofing off:
 *  - frames whose source MAC is not the adapter's MAC are dropped;
 *  - "the virtual network adapter MAC address cannot be moved or associated with another virtual switch
 *    port" (the adapter's MAC is pinned to its port: a static FDB entry);
 *  - "the virtual switch port does not forward unicast flooded packets ... to the virtual network adapter";
 *  - "you cannot override the virtual network adapter MAC address configuration using the Network Address
 *    key" (the guest cannot change its MAC: NLB unicast cannot attach, event 53).
 * With spoofing on, "the MAC address can be learned on other ports" and the port sends and receives any MAC.
 * DHCP guard drops DHCP server messages from the VM; router guard drops ICMPv4 type 5 (redirect) and 9
 * (router advertisement) and ICMPv6 134 (RA) and 137 (redirect) (Ben Armstrong, "Hyper-V Networking -
 * Router Guard", learn.microsoft.com/archive/blogs/virtual_pc_guy; petri.com "Hyper-V Router Guard and
 * DHCP Guard Explained").
 *
 * VMware security policy (vSphere Security 7.0, "MAC Address Changes", docs.vmware.com GUID-942BD3AA;
 * vSphere Networking 5.1 "Edit Layer 2 Security Policy"):
 *  - MAC address changes, reject: "if the guest OS changes the MAC address of the adapter to anything
 *    other than what is in the .vmx configuration file, all inbound frames are dropped", until it changes
 *    back; "the guest operating system does not detect that the MAC address change request was not honored";
 *  - forged transmits, reject: "any outbound frame with a source MAC address that is different from the
 *    one currently set on the adapter [the effective MAC] are dropped";
 *  - promiscuous, accept: the adapter sees every frame on the switch allowed by its VLAN;
 *  - defaults: "Starting in vSphere 7.0, the defaults for Forged transmits and MAC address changes have
 *    been changed to Reject instead of Accept" (reject/reject/reject); before: promiscuous reject, MAC
 *    changes accept, forged transmits accept (vSphere 5.0 Networking, "Edit the Layer 2 Security Policy").
 *
 * OVS/Neutron port security (Neutron allowed-address-pairs extension, Red Hat OpenStack Networking Guide
 * "Configure allowed-address-pairs"): with port security on, a port may send only from its own MAC with
 * its fixed IPs, or from a listed mac_address/ip_address(CIDR) pair; everything else is dropped.
 * libvirt's no-mac-spoofing nwfilter drops frames whose source MAC is not the interface's configured MAC.
 */
import type { Ipv4, Mac } from '../mac/index.js';

export const SWITCH_KINDS = ['hyper-v', 'vmware', 'ovs', 'libvirt', 'physical'] as const;
export type SwitchKind = (typeof SWITCH_KINDS)[number];

export const VMWARE_DEFAULTS = ['vsphere7', 'legacy'] as const;
export type VmwareDefaults = (typeof VMWARE_DEFAULTS)[number];

export interface HyperVPolicy {
  readonly vendor: 'hyper-v';
  readonly macSpoofing: boolean;
  readonly dhcpGuard: boolean;
  readonly routerGuard: boolean;
}
export interface VmwarePolicy {
  readonly vendor: 'vmware';
  /** true = Accept. */
  readonly promiscuous: boolean;
  readonly macChanges: boolean;
  readonly forgedTransmits: boolean;
}
export interface AddressPair {
  readonly mac: Mac;
  readonly ip: Ipv4;
  readonly prefix: number;
}
export interface OvsPolicy {
  readonly vendor: 'ovs';
  readonly portSecurity: boolean;
  readonly allowedAddressPairs: readonly AddressPair[];
}
export interface LibvirtPolicy {
  readonly vendor: 'libvirt';
  readonly noMacSpoofing: boolean;
}
export interface NoPolicy {
  readonly vendor: 'physical';
}
export type PortPolicy = HyperVPolicy | VmwarePolicy | OvsPolicy | LibvirtPolicy | NoPolicy;

export const HYPERV_DEFAULT_POLICY: HyperVPolicy = {
  vendor: 'hyper-v',
  macSpoofing: false,
  dhcpGuard: false,
  routerGuard: false,
};

export function vmwareDefaultPolicy(defaults: VmwareDefaults): VmwarePolicy {
  return defaults === 'vsphere7'
    ? { vendor: 'vmware', promiscuous: false, macChanges: false, forgedTransmits: false }
    : { vendor: 'vmware', promiscuous: false, macChanges: true, forgedTransmits: true };
}

/** Neutron creates ports with port_security_enabled = True unless told otherwise. */
export const OVS_DEFAULT_POLICY: OvsPolicy = { vendor: 'ovs', portSecurity: true, allowedAddressPairs: [] };
export const LIBVIRT_DEFAULT_POLICY: LibvirtPolicy = { vendor: 'libvirt', noMacSpoofing: false };

export function defaultPolicy(kind: SwitchKind, vmware: VmwareDefaults = 'vsphere7'): PortPolicy {
  switch (kind) {
    case 'hyper-v':
      return HYPERV_DEFAULT_POLICY;
    case 'vmware':
      return vmwareDefaultPolicy(vmware);
    case 'ovs':
      return OVS_DEFAULT_POLICY;
    case 'libvirt':
      return LIBVIRT_DEFAULT_POLICY;
    case 'physical':
      return { vendor: 'physical' };
  }
}

// Bits of a port's policy mask, checked on the hot path.
export const P_SRC_IS_INITIAL = 1; // drop outbound frames whose source is not the adapter's configured MAC
export const P_SRC_IS_EFFECTIVE = 2; // drop outbound frames whose source is not the effective MAC
export const P_PORT_SECURITY = 4; // Neutron: source MAC/IP must be the port's or an allowed pair
export const P_PINNED = 8; // the adapter's MAC is a static FDB entry on this port
export const P_NO_FLOOD = 16; // unknown-unicast floods skip this port
export const P_BLOCK_IF_CHANGED = 32; // drop every inbound frame while effective != initial
export const P_PROMISCUOUS = 64; // receives a copy of every frame in its VLAN
export const P_DHCP_GUARD = 128;
export const P_ROUTER_GUARD = 256;

/** The hot-path mask of a VM port's policy. */
export function policyMask(p: PortPolicy): number {
  switch (p.vendor) {
    case 'hyper-v':
      return (
        (p.macSpoofing ? 0 : P_SRC_IS_INITIAL | P_PINNED | P_NO_FLOOD) |
        (p.dhcpGuard ? P_DHCP_GUARD : 0) |
        (p.routerGuard ? P_ROUTER_GUARD : 0)
      );
    case 'vmware':
      return (
        (p.macChanges ? 0 : P_BLOCK_IF_CHANGED) |
        (p.forgedTransmits ? 0 : P_SRC_IS_EFFECTIVE) |
        (p.promiscuous ? P_PROMISCUOUS : 0)
      );
    case 'ovs':
      return p.portSecurity ? P_PORT_SECURITY : 0;
    case 'libvirt':
      return p.noMacSpoofing ? P_SRC_IS_INITIAL : 0;
    case 'physical':
      return 0;
  }
}

/**
 * Whether the guest's request to change the adapter's MAC is refused in a way the guest sees (so NLB
 * unicast logs event 53). Only Hyper-V with spoofing off refuses visibly; VMware with MAC address changes
 * rejected lets the guest believe the change worked and drops its inbound frames instead.
 */
export const refusesMacChange = (p: PortPolicy): boolean => p.vendor === 'hyper-v' && !p.macSpoofing;

/** Whether a port with this policy lets the guest send frames with any other station's MAC. */
export function allowsSpoofing(p: PortPolicy): boolean {
  switch (p.vendor) {
    case 'hyper-v':
      return p.macSpoofing;
    case 'vmware':
      return p.forgedTransmits;
    case 'ovs':
      return !p.portSecurity;
    case 'libvirt':
      return !p.noMacSpoofing;
    case 'physical':
      return true;
  }
}

/** The policy in the vendor's own words, for reports. */
export function describePolicy(p: PortPolicy): string {
  const onOff = (b: boolean) => (b ? 'on' : 'off');
  const acc = (b: boolean) => (b ? 'accept' : 'reject');
  switch (p.vendor) {
    case 'hyper-v':
      return `MAC address spoofing ${onOff(p.macSpoofing)}, DHCP guard ${onOff(p.dhcpGuard)}, router guard ${onOff(p.routerGuard)}`;
    case 'vmware':
      return `promiscuous ${acc(p.promiscuous)}, MAC address changes ${acc(p.macChanges)}, forged transmits ${acc(p.forgedTransmits)}`;
    case 'ovs':
      return `port security ${onOff(p.portSecurity)}${p.allowedAddressPairs.length ? `, ${p.allowedAddressPairs.length} allowed address pair(s)` : ''}`;
    case 'libvirt':
      return p.noMacSpoofing ? 'nwfilter no-mac-spoofing' : 'no nwfilter';
    case 'physical':
      return 'no policy';
  }
}
