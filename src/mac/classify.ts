/**
 * Who most likely made a MAC address, and what it encodes. Pure prefix arithmetic on the 48-bit value;
 * the order of the checks matters where ranges nest (NLB cluster before masked source, vCenter before
 * VMware static).
 */
import { formatIpv4, ipv4FromOctets } from './ipv4.js';
import { octets, type Mac } from './mac.js';
import {
  HYPER_V_OUI,
  NLB_IGMP_RANGE,
  NLB_MASKED_RANGE,
  NLB_MULTICAST_PREFIX16,
  NLB_UNICAST_PREFIX16,
  OPENSTACK_OUI,
  OVIRT_OUI,
  PROXMOX_OUI,
  QEMU_OUI,
  SCVMM_DEFAULT_RANGE,
  VCENTER_RANGE,
  VIRTUAL_SERVER_OUI,
  VIRTUALBOX_OUI,
  VMWARE_GENERATED_OUI,
  VMWARE_OUI,
  VMWARE_STATIC_RANGE,
  XEN_OUI,
} from './prefixes.js';
import { rangeContains } from './range.js';

export const CLASSIFICATION_KINDS = [
  'virtual-server',
  'hyper-v',
  'vmware-generated',
  'vmware-static',
  'vmware-vcenter',
  'qemu',
  'xen',
  'virtualbox',
  'proxmox',
  'scvmm',
  'ovirt',
  'openstack',
  'nlb-unicast',
  'nlb-multicast',
  'nlb-igmp',
  'nlb-masked',
  'unknown',
] as const;
export type ClassificationKind = (typeof CLASSIFICATION_KINDS)[number];

export type Classification =
  | {
      readonly kind: 'virtual-server';
      readonly description: string;
      readonly hostOctets: readonly [number, number];
      readonly counterOctet: number;
    }
  | { readonly kind: 'hyper-v'; readonly description: string; readonly hostOctets: readonly [number, number] }
  | { readonly kind: 'vmware-generated'; readonly description: string; readonly uuidBytes: string }
  | { readonly kind: 'vmware-static'; readonly description: string }
  | { readonly kind: 'vmware-vcenter'; readonly description: string; readonly instanceId: number }
  | { readonly kind: 'scvmm'; readonly description: string }
  | { readonly kind: 'nlb-unicast' | 'nlb-multicast'; readonly description: string; readonly vip: string }
  | {
      readonly kind: 'nlb-igmp';
      readonly description: string;
      readonly group: string;
      readonly vipLowOctets: readonly [number, number];
    }
  | {
      readonly kind: 'nlb-masked';
      readonly description: string;
      readonly vip: string;
      readonly priority: number;
    }
  | {
      readonly kind: 'qemu' | 'xen' | 'virtualbox' | 'proxmox' | 'ovirt' | 'openstack' | 'unknown';
      readonly description: string;
    };

const hex = (n: number): string => n.toString(16).toUpperCase().padStart(2, '0');

/** Classify a MAC by the scheme that most likely produced it. */
export function classifyMac(mac: Mac): Classification {
  const [a, b, c, d, e, f] = octets(mac);
  const oui = (a << 16) | (b << 8) | c;
  const vip = (): string => formatIpv4(ipv4FromOctets([c, d, e, f]));
  if (((a << 8) | b) === NLB_UNICAST_PREFIX16) {
    return { kind: 'nlb-unicast', vip: vip(), description: `NLB unicast cluster MAC of VIP ${vip()}` };
  }
  if (((a << 8) | b) === NLB_MULTICAST_PREFIX16) {
    return { kind: 'nlb-multicast', vip: vip(), description: `NLB multicast cluster MAC of VIP ${vip()}` };
  }
  if (rangeContains(NLB_IGMP_RANGE, mac)) {
    const group = `239.255.${e}.${f}`;
    return {
      kind: 'nlb-igmp',
      group,
      vipLowOctets: [e, f],
      description: `NLB IGMP multicast cluster MAC (group ${group}) of a VIP ending in .${e}.${f}`,
    };
  }
  if (rangeContains(NLB_MASKED_RANGE, mac)) {
    return {
      kind: 'nlb-masked',
      vip: vip(),
      priority: b,
      description: `NLB masked source MAC of host priority ${b} in the cluster with VIP ${vip()}`,
    };
  }
  switch (oui) {
    case VIRTUAL_SERVER_OUI:
      return {
        kind: 'virtual-server',
        hostOctets: [e, f],
        counterOctet: d,
        description:
          `Microsoft Virtual Server / Virtual PC dynamic MAC from a host NIC ending in ${hex(e)}-${hex(f)} ` +
          `(4th octet = that NIC's 4th octet XOR the allocation counter)`,
      };
    case HYPER_V_OUI:
      return {
        kind: 'hyper-v',
        hostOctets: [d, e],
        description: `Hyper-V dynamic MAC from the pool of a host whose IPv4 address ends in .${d}.${e}`,
      };
    case VMWARE_GENERATED_OUI:
      return {
        kind: 'vmware-generated',
        uuidBytes: `${hex(d)}-${hex(e)}-${hex(f)}`,
        description:
          'VMware host-generated MAC (last three bytes of the VM BIOS UUID plus the adapter offset)',
      };
    case VMWARE_OUI:
      if (rangeContains(VMWARE_STATIC_RANGE, mac))
        return { kind: 'vmware-static', description: 'VMware static (manually assigned) MAC range' };
      if (rangeContains(VCENTER_RANGE, mac)) {
        const instanceId = Math.floor((mac - VCENTER_RANGE.start) / 0x1_0000);
        return {
          kind: 'vmware-vcenter',
          instanceId,
          description: `VMware vCenter-assigned MAC, vCenter instance id ${instanceId}`,
        };
      }
      return { kind: 'unknown', description: 'VMware OUI outside the static and vCenter ranges' };
    case QEMU_OUI:
      return { kind: 'qemu', description: 'QEMU/KVM (libvirt) locally generated MAC' };
    case XEN_OUI:
      return { kind: 'xen', description: 'Xen (libxl/XenServer) generated MAC' };
    case VIRTUALBOX_OUI:
      return { kind: 'virtualbox', description: 'VirtualBox generated MAC' };
    case PROXMOX_OUI:
      return { kind: 'proxmox', description: 'Proxmox VE generated MAC' };
    case OVIRT_OUI:
      return { kind: 'ovirt', description: 'oVirt / RHV default MAC pool' };
    case OPENSTACK_OUI:
      return { kind: 'openstack', description: 'OpenStack Neutron port MAC' };
  }
  if (rangeContains(SCVMM_DEFAULT_RANGE, mac)) {
    return { kind: 'scvmm', description: 'System Center VMM default MAC pool' };
  }
  return { kind: 'unknown', description: 'no known virtualization scheme' };
}
