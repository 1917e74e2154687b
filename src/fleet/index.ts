// The fleet core: inventory values, the hypervisor rules, the audit log, and the two ports it talks through.
export * from './model.js';
export * from './events.js';
export * from './ports.js';
export * from './rules.js';
export * from './session.js';
export * from './host-service.js';
export * from './vm-service.js';
export * from './adapter-service.js';
export * from './findings.js';
export * from './history.js';
export * from './views.js';
export * from './hypervisor-source.js';
export { MemoryFleetRepository } from './memory-repository.js';
export * from './pool-source.js';
export * from './mac-sources.js';
export * from './import-scan.js';
export * from './describe-event.js';
export * from './host-collisions.js';
