// Hypervisor allocation models: one file per hypervisor, the shared address-set algebra and birthday bounds.
export * from './address-set.js';
export * from './birthday.js';
export * from './scheme.js';
export * from './virtual-server-scheme.js';
export * from './hyper-v-scheme.js';
export * from './vmware-scheme.js';
export * from './qemu-scheme.js';
export * from './xen-scheme.js';
export * from './virtualbox-scheme.js';
export * from './proxmox-scheme.js';
export * from './fleet-hosts.js';
export * from './collisions.js';
export * from './hosts-file.js';
export * from './lifecycle-profiles.js';
export * from './predict-json.js';
