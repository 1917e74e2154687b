/**
 * The pool facade at its old path: the SQL side of pools now lives in src/store/pool/. The CLI, the
 * API and the console import `PoolStore` from here or from there.
 */
export * from './pool/pool-store.js';
