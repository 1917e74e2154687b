/**
 * The network name given to `<interface type='user'>`: QEMU user-mode networking. libvirt: "connects the
 * guest interface to the outside via a transparent userspace proxy" — QEMU's internal SLIRP (or passt),
 * https://libvirt.org/formatdomain.html#userspace-slirp-stack; SLIRP "provides a full TCP/IP stack within
 * QEMU and uses that stack to implement a virtual NAT'd network" (QEMU docs, "User Networking"). The stack
 * lives in the VM's own QEMU process, one per interface: the adapter shares an L2 segment with nothing,
 * not even another VM's user-mode adapter on the same host.
 */
export const LIBVIRT_USER_NETWORK = 'user (SLIRP)';

/**
 * True for an adapter on QEMU user-mode networking (see LIBVIRT_USER_NETWORK), in a scan or in the
 * inventory an import built from one (where a host's hypervisor comes from its first VM's format).
 */
export const isUserModeNetwork = (network: string | null): boolean => network === LIBVIRT_USER_NETWORK;
