/**
 * What each hypervisor does with MACs over a VM's life, in one place (PRODUCT.md capability 3, issue 11):
 * what start does with a MAC a running VM already uses on the same host and network, when a dynamic MAC
 * is assigned, what register (move), copy and restore do to dynamic and static MACs, and which static MACs
 * the host accepts (by version where that matters). The fleet rules (src/fleet) and the audit read these
 * profiles; nothing else branches on the hypervisor's name for these behaviours.
 *
 * Every entry names its source; `lifecycle-profiles.test.ts` checks each entry against the source text
 * quoted there.
 */
import { formatMac, isBroadcast, isMulticast, isZero, rangeContains, type Mac } from '../mac/index.js';
import { VMWARE_STATIC_RANGE } from './vmware-scheme.js';

/** The hypervisors the fleet models (`host add --hypervisor`). */
export const LIFECYCLE_HYPERVISORS = [
  'virtual-server',
  'hyper-v',
  'vmware',
  'kvm',
  'xen',
  'virtualbox',
  'proxmox',
] as const;
export type LifecycleHypervisor = (typeof LIFECYCLE_HYPERVISORS)[number];

/**
 * Starting a VM whose MAC a running VM already uses on the same host and virtual network:
 * - `refuse`: the start fails (the only case `vm start` refuses with MAC_CONFLICT);
 * - `disconnect-port`: both start, the switch keeps the MAC pinned to the first port and the second
 *   adapter's port cannot use it (its network is cut);
 * - `share`: both start and share the MAC (packet loss);
 * - `no-check`: nothing looks; both run with one MAC and the bridge's table flaps between them.
 */
export const SAME_HOST_DUPLICATE_STARTS = ['refuse', 'disconnect-port', 'share', 'no-check'] as const;
export type SameHostDuplicateStart = (typeof SAME_HOST_DUPLICATE_STARTS)[number];

/** What an operation does to an adapter's MAC: keep it, give it a new one, or leave it unassigned until the next start. */
export const MAC_OUTCOMES = ['keep', 'new', 'unassigned'] as const;
export type MacOutcome = (typeof MAC_OUTCOMES)[number];

export interface ModeOutcome {
  readonly dynamic: MacOutcome;
  readonly static: MacOutcome;
}

/** The answer to "does this host accept this static MAC?" */
export type StaticMacVerdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: string }
  /** The answer depends on the host's version, which is not known: `rule` states it. */
  | { readonly ok: 'depends'; readonly rule: string };

export interface LifecycleProfile {
  readonly hypervisor: LifecycleHypervisor;
  /** Same-host same-network duplicate at start, for a static (or otherwise unchecked) MAC. */
  readonly sameHostDuplicateStart: SameHostDuplicateStart;
  /** One line: what the administrator sees when that happens. */
  readonly duplicateConsequence: string;
  /** A dynamic adapter whose MAC a running VM on the host uses gets a new MAC at start (the host checks its own). */
  readonly dynamicReplacedOnConflict: boolean;
  /** When a dynamic adapter gets its MAC: when the VM (or adapter) is created, or at its first start. */
  readonly dynamicAssigned: 'create' | 'first-start';
  /** A dynamic MAC outside the host's current range is replaced at the next start or restore (Hyper-V after a move). */
  readonly dynamicReplacedOutsideRange: boolean;
  /** Registering the VM on another host (moved). */
  readonly move: ModeOutcome;
  /** The hypervisor's own copy/clone of a VM. */
  readonly copy: ModeOutcome;
  /** Restoring a saved state or a backup. */
  readonly restore: ModeOutcome;
  /** Which static MACs the host accepts (`version` as `host add --version` gave it). */
  readonly acceptsStatic: (mac: Mac, version: string | null) => StaticMacVerdict;
  /** The sources of the facts above: documents, source files, issue threads. */
  readonly sources: readonly string[];
}

/** A unicast, non-zero MAC: what every NIC needs, whatever the hypervisor. */
export function unicastVerdict(mac: Mac): StaticMacVerdict {
  if (isBroadcast(mac)) return { ok: false, reason: 'it is the broadcast address' };
  if (isMulticast(mac)) return { ok: false, reason: 'the multicast (I/G) bit is set' };
  if (isZero(mac)) return { ok: false, reason: 'it is all zeros' };
  return { ok: true };
}

/** `6.5`, `6.7.0`, `8.0 U3` → [6, 5], [6, 7, 0], [8, 0]: numeric parts only, for comparison. */
export function versionParts(version: string): number[] {
  const m = /^\s*v?(\d+(?:\.\d+)*)/i.exec(version);
  return m === null ? [] : m[1]!.split('.').map(Number);
}

/** Is `version` at least `min` (both dotted numbers)? Undefined when `version` has no number. */
export function versionAtLeast(version: string, min: string): boolean | undefined {
  const a = versionParts(version);
  if (a.length === 0) return undefined;
  const b = versionParts(min);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x > y;
  }
  return true;
}

/** The first vSphere release that accepts any unique manually set MAC. */
export const VMWARE_ANY_STATIC_SINCE = '6.5';
const VMWARE_STATIC_TEXT = `${formatMac(VMWARE_STATIC_RANGE.start)}-${formatMac(VMWARE_STATIC_RANGE.end)}`;
/** The rule, stated with the version instead of a certainty (the audit's wording when the version is unknown). */
export const VMWARE_STATIC_RULE =
  `ESXi/vCenter before ${VMWARE_ANY_STATIC_SINCE} refuse to power on a VM whose static MAC is outside ` +
  `${VMWARE_STATIC_TEXT}; ${VMWARE_ANY_STATIC_SINCE} and later accept any unique manually set address`;

/** libvirt reserves first octet 0xFE for the host side of tap devices and refuses it for a guest. */
export const LIBVIRT_RESERVED_FIRST_OCTET = 0xfe;
export const isLibvirtReservedMac = (mac: Mac): boolean =>
  Math.floor(mac / 2 ** 40) === LIBVIRT_RESERVED_FIRST_OCTET;

const keepBoth: ModeOutcome = { dynamic: 'keep', static: 'keep' };
const unicastOnly = (mac: Mac): StaticMacVerdict => unicastVerdict(mac);

export const LIFECYCLE_PROFILES: Readonly<Record<LifecycleHypervisor, LifecycleProfile>> = {
  'virtual-server': {
    hypervisor: 'virtual-server',
    sameHostDuplicateStart: 'refuse',
    duplicateConsequence: 'Virtual Server refuses to start the second VM and logs an error',
    dynamicReplacedOnConflict: true,
    dynamicAssigned: 'create',
    dynamicReplacedOutsideRange: false,
    move: { dynamic: 'new', static: 'keep' },
    copy: { dynamic: 'new', static: 'keep' },
    restore: keepBoth,
    acceptsStatic: unicastOnly,
    sources: [
      'Microsoft Virtual Server 2005 R2 Resource Kit, ch. 11 "Duplicate MAC Addresses": "errors are generated when you configure and start two virtual machines with identical static MAC addresses on the same Virtual Server host and virtual network" (adapted at doingitvirtual.com, 2007-11-29)',
      'PRODUCT.md (the product source material): a dynamic MAC is allocated when a VM is created, when it is registered on a host, and when a MAC conflict is detected',
    ],
  },
  'hyper-v': {
    hypervisor: 'hyper-v',
    sameHostDuplicateStart: 'disconnect-port',
    duplicateConsequence:
      'Hyper-V starts both VMs, but the switch keeps the MAC pinned to the first port: the second adapter loses its network (VMSMP event 28 "Port ... was prevented from using MAC address ... because it is pinned to port ...")',
    dynamicReplacedOnConflict: true,
    dynamicAssigned: 'first-start',
    dynamicReplacedOutsideRange: true,
    // A move keeps the MAC; the next start (or restore) replaces it only when it is outside the new
    // host's range or in use there (dynamicReplacedOutsideRange / dynamicReplacedOnConflict).
    move: keepBoth,
    copy: { dynamic: 'unassigned', static: 'keep' },
    restore: keepBoth,
    acceptsStatic: unicastOnly,
    sources: [
      'Microsoft KB 968703 (learn.microsoft.com/troubleshoot/windows-server/virtualization/support-policy-nic-teaming): Source VMSMP, Event ID 28: "Port ... was prevented from using MAC address ... because it is pinned to port ..."',
      'Microsoft, Event ID 12560 — NIC Configuration (Windows Server 2008 R2): "If virtual machines with identical static MAC addresses are run at the same time, virtual machine networking may not work properly"; "If a virtual machine with a dynamic MAC address is copied to another computer, it will be assigned a new, unused MAC address"',
      'Microsoft KB 2804678 "Windows Hyper-V server has a default limit of 256 dynamic MAC addresses": when the pool is used up, starting a VM fails ("Synthetic Ethernet Port ...: Failed to power on with Error \'Attempt to access invalid address\'")',
      'Microsoft, "Hyper-V: Configure the server with a sufficient amount of dynamic MAC addresses" (ee941174): "When no dynamic MAC addresses are available, virtual machines configured to use a dynamic MAC address cannot be started"',
      'John Howard (Microsoft), "Hyper-V: MAC Address allocation and apparent network issues MAC collisions can cause" (2008-07-15): the range is written once, when the role is enabled, from the IPv4 address of the first enumerated NIC',
    ],
  },
  vmware: {
    hypervisor: 'vmware',
    sameHostDuplicateStart: 'share',
    duplicateConsequence:
      'VMware powers the second VM on and the two share the MAC: packet loss and other problems',
    dynamicReplacedOnConflict: true,
    dynamicAssigned: 'create',
    dynamicReplacedOutsideRange: false,
    move: keepBoth,
    copy: { dynamic: 'new', static: 'keep' },
    restore: keepBoth,
    acceptsStatic: (mac, version) => {
      const unicast = unicastVerdict(mac);
      if (unicast.ok !== true || rangeContains(VMWARE_STATIC_RANGE, mac)) return unicast;
      const modern = version === null ? undefined : versionAtLeast(version, VMWARE_ANY_STATIC_SINCE);
      if (modern === undefined) return { ok: 'depends', rule: VMWARE_STATIC_RULE };
      return modern
        ? { ok: true }
        : {
            ok: false,
            reason: `it is outside ${VMWARE_STATIC_TEXT}, the only static MACs vSphere ${version} accepts (${VMWARE_ANY_STATIC_SINCE} and later accept any unique address)`,
          };
    },
    sources: [
      'vSphere Troubleshooting / vSphere Networking 6.0-8.0, "Duplicate MAC Addresses of Virtual Machines on the Same Network": "A virtual machine powers on and functions properly, but shares a MAC address with another virtual machine. This situation might cause packet loss and other problems."',
      'vSphere Networking, "MAC Address Generation on ESXi Hosts": "All MAC addresses that have been assigned to network adapters of running and suspended virtual machines on a given physical machine are tracked for conflicts"; select "I Copied It" when powering on an imported VM "to regenerate the address"',
      'vSphere Networking 6.0, "VMware OUI in Static MAC Addresses": XX between 00 and 3F; "the value for XX must not be greater than 3F"; vSphere Troubleshooting 6.0, "Attempt to Power On a Virtual Machine Fails Due to a MAC Address Conflict"',
      'vSphere Networking 6.5.1 p. 208, "Setting a Static MAC Address": "By default, VMware uses the Organizationally Unique Identifier (OUI) 00:50:56 for manually generated addresses, but all unique manually generated addresses are supported."',
    ],
  },
  kvm: {
    hypervisor: 'kvm',
    sameHostDuplicateStart: 'no-check',
    duplicateConsequence:
      'libvirt/QEMU check nothing: both VMs run with one MAC and the bridge forwarding table flaps between their ports',
    dynamicReplacedOnConflict: false,
    dynamicAssigned: 'create',
    dynamicReplacedOutsideRange: false,
    move: keepBoth,
    // libvirt has no copy of its own: a copied domain XML keeps every MAC (virt-clone, a virt-manager
    // tool, generates new ones; it is not what "the config was copied" means).
    copy: keepBoth,
    restore: keepBoth,
    acceptsStatic: (mac) => {
      const unicast = unicastVerdict(mac);
      if (unicast.ok !== true) return unicast;
      return isLibvirtReservedMac(mac)
        ? {
            ok: false,
            reason:
              'libvirt refuses MACs starting with 0xFE ("Unable to use MAC address starting with reserved value 0xFE"): it reserves them for the host side of tap devices',
          }
        : unicast;
    },
    sources: [
      'cockpit-project/cockpit-machines PR 1374 "Avoid creating duplicate MACs" (2024-01-05): "libvirt itself does not check that"',
      'libvirt error "unsupported configuration: Unable to use MAC address starting with reserved value 0xFE" (quoted in kubevirt/kubevirt#1494, shakenfist/shakenfist#24, dmacvicar/terraform-provider-libvirt#37); libvirt-users 2015-04: libvirt gives guest TAP devices MACs with 0xFE as the first byte so the bridge keeps the physical NIC\'s',
      'libvirt virMacAddrGenerate: a domain defined without a MAC gets 52:54:00 + 3 random bytes, written into the domain XML (NixVirt#9: "libvirt will assign a MAC address, apparently non-reproducibly")',
    ],
  },
  xen: {
    hypervisor: 'xen',
    sameHostDuplicateStart: 'no-check',
    duplicateConsequence:
      'Xen (xl and XAPI) checks nothing: both VMs run with one MAC and the bridge or Open vSwitch table flaps',
    dynamicReplacedOnConflict: false,
    dynamicAssigned: 'create',
    dynamicReplacedOutsideRange: false,
    move: keepBoth,
    // An xl config copied keeps its MACs; XAPI's VM.copy re-derives a VIF's MAC from the new VM's
    // mac_seed, which a clone carries over (see xen-scheme.ts): the duplicate travels either way.
    copy: keepBoth,
    restore: keepBoth,
    acceptsStatic: unicastOnly,
    sources: [
      'vatesfr/xen-orchestra issue 5601 / PR 5655 (2021): Xen Orchestra added its own check "avoid booting a VM if there\'s an identical MAC address elsewhere" — XAPI does not refuse',
      'xapi-project/xen-api ocaml/xapi/xapi_vif_helpers.ml: gen_mac (dev, seed) and VIF.copy ("leave blank == generate new mac from vm random seed")',
    ],
  },
  virtualbox: {
    hypervisor: 'virtualbox',
    sameHostDuplicateStart: 'no-check',
    duplicateConsequence:
      'VirtualBox checks nothing: both VMs run with one MAC and the bridged network sees it on two ports',
    dynamicReplacedOnConflict: false,
    dynamicAssigned: 'create',
    dynamicReplacedOutsideRange: false,
    move: keepBoth,
    // VBoxManage clonevm (and the GUI clone) generate new MACs for every adapter unless KeepAllMACs.
    copy: { dynamic: 'new', static: 'new' },
    restore: keepBoth,
    acceptsStatic: unicastOnly,
    sources: [
      'VirtualBox API CloneOptions: "KeepAllMACs — Don\'t generate new MAC addresses of the attached network adapters" (so a clone without it gets new ones)',
      'VirtualBox Host::i_generateMACAddress: 08:00:27 + 3 bytes of a new GUID, no check against other VMs',
    ],
  },
  proxmox: {
    hypervisor: 'proxmox',
    sameHostDuplicateStart: 'no-check',
    duplicateConsequence:
      'Proxmox VE checks nothing: both VMs run with one MAC and the bridge table flaps between their ports',
    dynamicReplacedOnConflict: false,
    dynamicAssigned: 'create',
    dynamicReplacedOutsideRange: false,
    move: keepBoth,
    // qm clone: "always change MAC! address" for every netX; a restore keeps them unless --unique.
    copy: { dynamic: 'new', static: 'new' },
    restore: keepBoth,
    acceptsStatic: unicastOnly,
    sources: [
      'proxmox qemu-server PVE/API2/Qemu.pm clone_vm: "# always change MAC! address" — netX gets PVE::Tools::random_ether_addr($dc->{mac_prefix})',
      'proxmox qemu-server restore: netX MACs are replaced only with --unique',
      'pve-cluster commit f40a6d9 (2023-10-29, pve-cluster 8.0.5, Proxmox VE 8.1): "fix #4764: datacenter config: default MAC prefix to official Proxmox OUI" BC:24:11; earlier PVE::Tools::random_ether_addr: SHA-1 bytes with the multicast bit cleared and the local bit set',
    ],
  },
};

/**
 * The fleet hypervisor of each config format's `hypervisor` (src/formats): libvirt domain XML is KVM.
 * OVF packages and inventory rows name no hypervisor and are absent.
 */
export const FORMAT_HYPERVISOR_KINDS: Readonly<Record<string, LifecycleHypervisor>> = {
  vmware: 'vmware',
  libvirt: 'kvm',
  proxmox: 'proxmox',
  'virtual-server': 'virtual-server',
  virtualbox: 'virtualbox',
  'hyper-v': 'hyper-v',
};

export const profileOf = (hypervisor: LifecycleHypervisor): LifecycleProfile =>
  LIFECYCLE_PROFILES[hypervisor];

/**
 * The one predicate the duplicate scope rule needs: does a same-host same-network duplicate stop the
 * second VM (refused) or cut its network (port disconnected)? Then it is `blocking`; otherwise both VMs
 * run on one segment and it is `conflicting`.
 */
export const sameHostDuplicateBlocks = (hypervisor: LifecycleHypervisor): boolean => {
  const start = profileOf(hypervisor).sameHostDuplicateStart;
  return start === 'refuse' || start === 'disconnect-port';
};

/**
 * The lifecycle hypervisor a name stands for: a config format's hypervisor (`libvirt` is KVM) or a fleet
 * host's (`kvm`, `xen`, ...). Undefined for OVF packages, inventory rows and unknown names.
 */
export function lifecycleKindOf(name: string): LifecycleHypervisor | undefined {
  const fromFormat = FORMAT_HYPERVISOR_KINDS[name];
  if (fromFormat !== undefined) return fromFormat;
  return (LIFECYCLE_HYPERVISORS as readonly string[]).includes(name)
    ? (name as LifecycleHypervisor)
    : undefined;
}
