/**
 * Importing an uploaded scan into the inventory: the scan's JSON document read back by the inventory's
 * own reader, exactly the path of `macfleet scan --json > scan.json && macfleet import scan.json`.
 */
import {
  importScan,
  parseScanJson,
  type FleetDeps,
  type HypervisorKind,
  type ImportResult,
} from '../fleet/index.js';
import { scanJson } from '../scan/report.js';
import type { ScanResult } from '../scan/scan.js';

export function importScanResult(
  deps: FleetDeps,
  result: ScanResult,
  name: string,
  options: { host?: string | undefined; hypervisor?: HypervisorKind | undefined } = {},
): Promise<ImportResult> {
  const parsed = parseScanJson(JSON.stringify(scanJson(result)), name);
  return importScan(
    deps,
    parsed.adapters,
    {
      ...(options.host === undefined ? {} : { host: options.host }),
      ...(options.hypervisor === undefined ? {} : { hypervisor: options.hypervisor }),
    },
    parsed.issues,
  );
}
