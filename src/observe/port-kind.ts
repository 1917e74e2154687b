/**
 * Whether a bridge port faces a VM or the network. VM-facing names, by who creates them:
 * - libvirt/QEMU: `vnetN`, `macvtapN` (libvirt's formatdomain: "the name must not start with either
 *   'vnet', 'vif', 'macvtap', or 'macvlan', which are prefixes reserved by libvirt and certain
 *   hypervisors"; https://libvirt.org/formatdomain.html#generic-ethernet-connection);
 * - Xen: `vifD.N`;
 * - Proxmox VE: `tap<vmid>i<n>` for VMs, `veth<vmid>i<n>` for containers, and with the firewall on
 *   `fwpr<vmid>p<n>`/`fwln<vmid>i<n>` (the firewall bridge `fwbr<vmid>i<n>` sits between;
 *   https://pve.proxmox.com/wiki/Firewall, "VM/Container configuration");
 * - containers and test rigs: `veth*`; generic `tap*`.
 * `--uplink <ifname>` overrides (a `veth` towards another namespace can be the uplink).
 */
import type { PortKind } from './model.js';

const VM_FACING = /^(vnet|macvtap|vif|tap|veth|fwpr|fwln)/;

/**
 * @param otherwise what a port that is neither named VM-facing nor listed as uplink is: on a bridge's
 * forwarding table every other port leads to the network (`uplink`); in a capture it is not known.
 */
export function portKind(
  port: string | null,
  uplinks: readonly string[],
  otherwise: PortKind = 'unknown',
): PortKind {
  if (port === null) return 'unknown';
  if (uplinks.includes(port)) return 'uplink';
  return VM_FACING.test(port) ? 'vm' : otherwise;
}
