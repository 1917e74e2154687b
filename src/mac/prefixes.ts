/**
 * The prefixes and ranges of the virtualization schemes, defined once: the classifier, the audit, the
 * fleet and the allocation models (src/schemes) import them from here. Each scheme's file in src/schemes
 * gives the source of its facts; the NLB prefixes are derived in nlb.ts.
 */
import type { Mac } from './mac.js';
import type { MacRange } from './range.js';

const TWO24 = 0x100_0000;

/** Microsoft Virtual Server 2005 R2 / Virtual PC dynamic MACs: 00-03-FF (src/schemes/virtual-server-scheme.ts). */
export const VIRTUAL_SERVER_OUI = 0x0003ff;
/** Hyper-V dynamic MACs: 00-15-5D-XX-YY-ZZ (src/schemes/hyper-v-scheme.ts). */
export const HYPER_V_OUI = 0x00155d;
/** VMware host-generated MACs: 00-0C-29 + UUID bytes (src/schemes/vmware-scheme.ts). */
export const VMWARE_GENERATED_OUI = 0x000c29;
/** VMware's OUI for static and vCenter-assigned MACs: 00-50-56 (src/schemes/vmware-scheme.ts). */
export const VMWARE_OUI = 0x005056;
/** QEMU and libvirt: 52:54:00 (src/schemes/qemu-scheme.ts). */
export const QEMU_OUI = 0x525400;
/** Xen libxl: 00:16:3e (src/schemes/xen-scheme.ts). */
export const XEN_OUI = 0x00163e;
/** VirtualBox: 08:00:27 (src/schemes/virtualbox-scheme.ts). */
export const VIRTUALBOX_OUI = 0x080027;
/** Proxmox VE's default `mac_prefix` BC:24:11, its own OUI (src/schemes/proxmox-scheme.ts). */
export const PROXMOX_OUI = 0xbc2411;
/** oVirt / RHV default MAC pool prefix 00:1a:4a. */
export const OVIRT_OUI = 0x001a4a;
/** OpenStack Neutron's default `base_mac` fa:16:3e. */
export const OPENSTACK_OUI = 0xfa163e;
/** The IANA block IPv4 multicast groups map into (RFC 1112 section 6.4): 01-00-5E + the group's low 23 bits. */
export const IPV4_MULTICAST_OUI = 0x01005e;

/**
 * Microsoft NLB's addresses from the cluster VIP W.X.Y.Z (src/mac/nlb.ts): the first two octets of the
 * unicast (02-BF) and multicast (03-BF) cluster MACs as 16-bit values, the IGMP cluster MACs
 * 01-00-5E-7F-Y-Z, and the masked source MACs 02-<host priority 1..32>-W-X-Y-Z.
 */
export const NLB_UNICAST_PREFIX16 = 0x02bf;
export const NLB_MULTICAST_PREFIX16 = 0x03bf;
export const NLB_MAX_PRIORITY = 32;

const ouiRange = (oui: number, first: number, last: number): MacRange => ({
  start: (oui * TWO24 + first) as Mac,
  end: (oui * TWO24 + last) as Mac,
});

const TWO32 = 2 ** 32;
/** Every MAC whose first two octets are `first16`. */
const prefix16Range = (first16: number): MacRange => ({
  start: (first16 * TWO32) as Mac,
  end: (first16 * TWO32 + TWO32 - 1) as Mac,
});

export const NLB_UNICAST_RANGE: MacRange = prefix16Range(NLB_UNICAST_PREFIX16);
export const NLB_MULTICAST_RANGE: MacRange = prefix16Range(NLB_MULTICAST_PREFIX16);
export const NLB_IGMP_RANGE: MacRange = ouiRange(IPV4_MULTICAST_OUI, 0x7f_0000, 0x7f_ffff);
export const NLB_MASKED_RANGE: MacRange = {
  start: prefix16Range(0x0201).start,
  end: prefix16Range(0x0200 + NLB_MAX_PRIORITY).end,
};

/** The VMware static (manual) range 00:50:56:00:00:00..00:50:56:3f:ff:ff (src/schemes/vmware-scheme.ts). */
export const VMWARE_STATIC_RANGE: MacRange = ouiRange(VMWARE_OUI, 0, 0x3f_ffff);
/** Reserved for VMkernel adapters (vSphere Networking, "VMware OUI in Static MAC Addresses"): 00:50:56:40..7f. */
export const VMWARE_VMKERNEL_RANGE: MacRange = ouiRange(VMWARE_OUI, 0x40_0000, 0x7f_ffff);
/** vCenter's "VMware OUI" allocation 00:50:56:80:00:00..00:50:56:bf:ff:ff: 0x80 + instance id in octet 4. */
export const VCENTER_RANGE: MacRange = ouiRange(VMWARE_OUI, 0x80_0000, 0xbf_ffff);
/** System Center VMM's default dynamic pool 00-1D-D8-B7-1C-00..00-1D-D8-F4-1F-FF. */
export const SCVMM_DEFAULT_RANGE: MacRange = ouiRange(0x001dd8, 0xb7_1c00, 0xf4_1fff);
