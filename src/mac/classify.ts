/**
 * Who most likely made a MAC address, and what it encodes. Pure prefix arithmetic on the 48-bit value;
 * the order of the checks matters where ranges nest (NLB cluster before masked source, vCenter before
 * VMware static).
 */
import { formatIpv4, ipv4FromOctets } from './ipv4.js';
import { octets, type Mac } from './mac.js';

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

// SCVMM's default dynamic pool: 00-1D-D8-B7-1C-00 .. 00-1D-D8-F4-1F-FF.
const SCVMM_START = 0x001dd8 * 2 ** 24 + 0xb71c00;
const SCVMM_END = 0x001dd8 * 2 ** 24 + 0xf41fff;

/** Classify a MAC by the scheme that most likely produced it. */
export function classifyMac(mac: Mac): Classification {
  const [a, b, c, d, e, f] = octets(mac);
  const oui = (a << 16) | (b << 8) | c;
  const vip = (): string => formatIpv4(ipv4FromOctets([c, d, e, f]));
  if (a === 0x02 && b === 0xbf) {
    return { kind: 'nlb-unicast', vip: vip(), description: `NLB unicast cluster MAC of VIP ${vip()}` };
  }
  if (a === 0x03 && b === 0xbf) {
    return { kind: 'nlb-multicast', vip: vip(), description: `NLB multicast cluster MAC of VIP ${vip()}` };
  }
  if (a === 0x01 && b === 0x00 && c === 0x5e && d === 0x7f) {
    const group = `239.255.${e}.${f}`;
    return {
      kind: 'nlb-igmp',
      group,
      vipLowOctets: [e, f],
      description: `NLB IGMP multicast cluster MAC (group ${group}) of a VIP ending in .${e}.${f}`,
    };
  }
  if (a === 0x02 && b >= 1 && b <= 32) {
    return {
      kind: 'nlb-masked',
      vip: vip(),
      priority: b,
      description: `NLB masked source MAC of host priority ${b} in the cluster with VIP ${vip()}`,
    };
  }
  switch (oui) {
    case 0x0003ff:
      return {
        kind: 'virtual-server',
        hostOctets: [e, f],
        counterOctet: d,
        description:
          `Microsoft Virtual Server / Virtual PC dynamic MAC from a host NIC ending in ${hex(e)}-${hex(f)} ` +
          `(4th octet = that NIC's 4th octet XOR the allocation counter)`,
      };
    case 0x00155d:
      return {
        kind: 'hyper-v',
        hostOctets: [d, e],
        description: `Hyper-V dynamic MAC from the pool of a host whose IPv4 address ends in .${d}.${e}`,
      };
    case 0x000c29:
      return {
        kind: 'vmware-generated',
        uuidBytes: `${hex(d)}-${hex(e)}-${hex(f)}`,
        description:
          'VMware host-generated MAC (last three bytes of the VM BIOS UUID plus the adapter offset)',
      };
    case 0x005056:
      if (d <= 0x3f)
        return { kind: 'vmware-static', description: 'VMware static (manually assigned) MAC range' };
      if (d >= 0x80 && d <= 0xbf) {
        return {
          kind: 'vmware-vcenter',
          instanceId: d - 0x80,
          description: `VMware vCenter-assigned MAC, vCenter instance id ${d - 0x80}`,
        };
      }
      return { kind: 'unknown', description: 'VMware OUI outside the static and vCenter ranges' };
    case 0x525400:
      return { kind: 'qemu', description: 'QEMU/KVM (libvirt) locally generated MAC' };
    case 0x00163e:
      return { kind: 'xen', description: 'Xen (libxl/XenServer) generated MAC' };
    case 0x080027:
      return { kind: 'virtualbox', description: 'VirtualBox generated MAC' };
    case 0xbc2411:
      return { kind: 'proxmox', description: 'Proxmox VE generated MAC' };
    case 0x001a4a:
      return { kind: 'ovirt', description: 'oVirt / RHV default MAC pool' };
    case 0xfa163e:
      return { kind: 'openstack', description: 'OpenStack Neutron port MAC' };
    case 0x001dd8:
      if (mac >= SCVMM_START && mac <= SCVMM_END) {
        return { kind: 'scvmm', description: 'System Center VMM default MAC pool' };
      }
      break;
  }
  return { kind: 'unknown', description: 'no known virtualization scheme' };
}
