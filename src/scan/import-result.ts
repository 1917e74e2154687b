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
import { scanJsonText } from './report.js';
import type { ScanResult } from './scan.js';

export interface ImportScanOptions {
  readonly host?: string | undefined;
  readonly hypervisor?: HypervisorKind | undefined;
}

/** Import a scan document (the text `scan --json` writes); `name` is how its issues name it. */
export function importScanDocument(
  deps: FleetDeps,
  document: string,
  name: string,
  options: ImportScanOptions = {},
): Promise<ImportResult> {
  const parsed = parseScanJson(document, name);
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

export const importScanResult = (
  deps: FleetDeps,
  result: ScanResult,
  name: string,
  options: ImportScanOptions = {},
): Promise<ImportResult> => importScanDocument(deps, scanJsonText(result), name, options);
