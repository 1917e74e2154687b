/**
 * macfleet as a library: `import { parseMac, scan, audit, openStore, PoolStore } from 'macfleet'`.
 * This file is the package's one entry (package.json `exports`); everything not named here is internal
 * and may change without notice.
 *
 * @example
 * import { classifyMac, formatMac, parseMac } from 'macfleet';
 * const mac = parseMac('00-15-5D-05-14-00');
 * formatMac(mac); // '00:15:5d:05:14:00'
 * classifyMac(mac).kind; // 'hyper-v'
 */

// Errors: one class, with a stable `code`.
export { ERROR_CODES, isMacfleetError, MacfleetError, type ErrorCode, type ErrorLocation } from './errors.js';

// The MAC core: values, notations, flags, ranges, NLB addresses, classification, scheme prefixes.
export {
  canonicalMac,
  classifyMac,
  formatMac,
  formatMacRange,
  isLocal,
  isMulticast,
  macFlags,
  macFromNumber,
  nlbAddresses,
  parseMac,
  parseMacRange,
  rangeContains,
  safeParseMac,
  HYPER_V_OUI,
  PROXMOX_OUI,
  QEMU_OUI,
  VIRTUAL_SERVER_OUI,
  VIRTUALBOX_OUI,
  VMWARE_GENERATED_OUI,
  VMWARE_OUI,
  VMWARE_STATIC_RANGE,
  XEN_OUI,
  type Classification,
  type Mac,
  type MacNotation,
  type MacRange,
} from './mac/index.js';

// Hypervisor models: predict which hosts' dynamic schemes collide.
export { parseHostsFile, predictCollisions, type CollisionReport, type HostSpec } from './schemes/index.js';

// Config formats: text → adapter records with exact positions.
export { detectFormat, PARSERS } from './formats/registry.js';
export type { AdapterRecord, FormatIssue, FormatName, ParseResult } from './formats/types.js';

// The audit (pure) and the scan of directory trees (reads files, uses worker threads).
export {
  audit,
  Auditor,
  duplicateGroups,
  refusesSameHostDuplicate,
  segmentRulesFrom,
  type AuditOptions,
  type DuplicateScope,
  type Finding,
  type FindingMember,
  type SegmentRule,
} from './audit/index.js';
export { scan, type ScanOptions, type ScanResult } from './scan/scan.js';
export { hostMatcher } from './scan/host-from-path.js';
export { scanCsv, scanJson, scanText } from './scan/report.js';

// The scan document (`scan --json`): its schema, the type written, and the reader `import` uses.
export {
  readScanDocument,
  ScanDocumentSchema,
  type ReadScanAdapter,
  type ScanDocument,
  type ScanDocumentAdapter,
} from './audit/scan-document.js';

// Storage and the fleet allocator: SQLite file or PostgreSQL URL; pools, allocation, release.
export { openStore, type OpenStoreOptions } from './store/open-store.js';
export type { Store } from './store/store.js';
export { PoolStore, type AllocateInput, type Allocation } from './store/pool-store.js';

// The virtual switch and NLB lab.
export { doctorNlb, readScenario, runScenario } from './lab/index.js';
