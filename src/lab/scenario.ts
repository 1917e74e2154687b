/**
 * A lab scenario: physical networks, hosts with virtual switches, VMs with their adapters and port
 * policies, devices on the physical network (clients, routers), NLB clusters, and a script of steps.
 * Built by the YAML reader (scenario-yaml.ts) or by the NLB doctor; replayed by LabWorld.
 */
import type { Ipv4, Mac, NlbMode } from '../mac/index.js';
import type { AddressPair, SwitchKind, VmwareDefaults } from './port-policy.js';

export interface NetworkSpec {
  readonly name: string;
  readonly igmpSnooping: boolean;
  readonly agingSeconds: number;
}

export interface SwitchSpec {
  readonly name: string;
  readonly host: string;
  readonly kind: SwitchKind;
  /** The physical network its uplink connects to, if any. */
  readonly uplink?: string;
  readonly igmpSnooping: boolean;
  readonly agingSeconds: number;
  /** VMware only: which defaults unset policy fields take. */
  readonly vmwareDefaults: VmwareDefaults;
  /** VMware only: "Notify switches" (RARP on power-on and vMotion); ESXi default yes. */
  readonly notifySwitches: boolean;
  /** A port for the host's management OS (Hyper-V "allow management OS to share", VMkernel port). */
  readonly managementMac?: Mac;
  /** Port-group level policy every VM on the switch inherits. */
  readonly policy: PolicySettings;
}

/** Policy settings as written; unset fields take the switch's then the vendor's default. */
export interface PolicySettings {
  readonly macSpoofing?: boolean;
  readonly dhcpGuard?: boolean;
  readonly routerGuard?: boolean;
  readonly promiscuous?: boolean;
  readonly macChanges?: boolean;
  readonly forgedTransmits?: boolean;
  readonly portSecurity?: boolean;
  readonly allowedAddressPairs?: readonly AddressPair[];
  readonly noMacSpoofing?: boolean;
}

export interface VmSpec {
  readonly name: string;
  readonly switch: string;
  readonly mac: Mac;
  readonly ips: readonly Ipv4[];
  readonly vlan: number;
  /** The adapter's name inside the guest (as event 53 names it). */
  readonly adapter: string;
  readonly policy: PolicySettings;
  readonly nlb?: { readonly cluster: string; readonly priority: number };
  readonly dhcpServer: boolean;
}

export const DEVICE_KINDS = ['host', 'router'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

export interface DeviceSpec {
  readonly name: string;
  readonly kind: DeviceKind;
  readonly network: string;
  readonly mac: Mac;
  readonly ips: readonly Ipv4[];
  readonly vlan: number;
  readonly staticArp: readonly { readonly ip: Ipv4; readonly mac: Mac }[];
  readonly dhcpServer: boolean;
}

export interface ClusterSpec {
  readonly name: string;
  readonly vip: Ipv4;
  readonly mode: NlbMode;
  readonly maskSourceMac: boolean;
}

export type RawPayloadSpec =
  | { readonly kind: 'opaque'; readonly label: string }
  /** A gratuitous ARP claiming `ip` is at `mac` (ARP spoofing). */
  | { readonly kind: 'garp'; readonly ip: Ipv4; readonly mac: Mac }
  | { readonly kind: 'dhcp-offer' }
  | { readonly kind: 'router-advertisement' }
  | { readonly kind: 'icmpv6-router-advertisement' };

/** Steps that act on VMs by name. */
export const VM_ACTIONS = [
  'start',
  'stop',
  'configure-nlb',
  'reboot',
  'restart',
  'add-vip',
  'ipconfig',
] as const;
export type VmAction = (typeof VM_ACTIONS)[number];

export type StepAction =
  | {
      readonly action: VmAction;
      readonly vms: readonly string[];
    }
  | { readonly action: 'arp'; readonly from: string; readonly target: Ipv4 }
  | { readonly action: 'ping'; readonly from: string; readonly to: Ipv4 }
  | {
      readonly action: 'connect';
      readonly from: string;
      readonly to: Ipv4;
      readonly port: number;
      readonly srcPort?: number;
    }
  | { readonly action: 'dhcp'; readonly from: string }
  | {
      readonly action: 'send';
      readonly from: string;
      readonly src?: Mac;
      readonly dst: Mac;
      readonly payload: RawPayloadSpec;
      readonly count: number;
    }
  | { readonly action: 'move'; readonly vm: string; readonly to: string }
  /** The guest sets its adapter's MAC (Network Address, ip link set address). */
  | { readonly action: 'set-mac'; readonly vm: string; readonly mac: Mac }
  | { readonly action: 'set-policy'; readonly vm: string; readonly policy: PolicySettings }
  | { readonly action: 'wait'; readonly seconds: number };

export type StepSpec = StepAction & {
  /** Seconds since the scenario began; defaults to one second after the previous step (or after a wait). */
  readonly at?: number;
  /** Source line in the scenario file, for messages. */
  readonly line?: number;
};

export interface Scenario {
  readonly name: string;
  readonly description?: string;
  readonly networks: readonly NetworkSpec[];
  readonly switches: readonly SwitchSpec[];
  readonly vms: readonly VmSpec[];
  readonly devices: readonly DeviceSpec[];
  readonly clusters: readonly ClusterSpec[];
  readonly steps: readonly StepSpec[];
  /** What the author says should happen; `lab run` checks it and tests assert it. */
  readonly expect?: {
    readonly works?: boolean;
    readonly symptoms?: readonly string[];
    readonly warnings?: readonly string[];
  };
}

export const isVmStep = (s: StepAction): s is Extract<StepAction, { action: VmAction }> =>
  (VM_ACTIONS as readonly string[]).includes(s.action);
