// The virtual switch and NLB lab: switch model, port policies, scenarios, replay, diagnosis, doctors.
export * from './frame.js';
export * from './mac-table.js';
export * from './port-policy.js';
export * from './virtual-switch.js';
export * from './scenario.js';
export * from './scenario-yaml.js';
export * from './scenario-yaml-write.js';
export * from './station.js';
export * from './lab-world.js';
export * from './diagnose.js';
export * from './diagnose-switching.js';
export * from './lab-run.js';
export * from './nlb-doctor.js';
export * from './spoofing-report.js';
export { resolvePolicy } from './resolve-policy.js';
