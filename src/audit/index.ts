// The audit: findings from adapter records (pure).
export * from './audit.js';
export * from './finding-types.js';
export * from './duplicate-values.js';
export * from './segments.js';
export * from './duplicate-scope.js';
// The scan document (scan-document.ts) is imported from its file: it loads zod, which a scan does not need.
