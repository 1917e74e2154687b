/**
 * Uploaded scans, for both faces (POST /api/v1/scans and the console's Scan upload): an upload is
 * expanded (archives opened), scanned as `macfleet scan` scans a tree, and kept in the store with its
 * document and the files that count for it; an import reads the kept document back as `macfleet import`
 * reads `scan --json`; the scan is rebuilt from its kept files when its records are needed again.
 */
import { inField } from '../errors.js';
import type { FleetDeps, HypervisorKind, ImportResult } from '../fleet/index.js';
import type { ScanStore, ScanSummary } from '../store/scan-store.js';
import { hostMatcher } from './host-from-path.js';
import { importScanDocument } from './import-result.js';
import { scanJsonText } from './report.js';
import type { ScanResult } from './scan.js';
import {
  expandUpload,
  scanUploaded,
  scanUploadedFiles,
  UPLOAD_LIMITS,
  type UploadedFile,
  type UploadLimits,
} from './upload.js';

export interface UploadInput {
  /** As sent: configuration files and archives. */
  readonly files: readonly UploadedFile[];
  readonly actor: string;
  /** Host for adapters whose file and path name none (the import's default). */
  readonly host?: string | undefined;
  readonly hostFromPath?: string | undefined;
}

/** `a.vmx, b.vmx` or `a.vmx, b.vmx, c.vmx and 4 more`. */
export function uploadName(paths: readonly string[]): string {
  return paths.length <= 3
    ? paths.join(', ')
    : `${paths.slice(0, 3).join(', ')} and ${paths.length - 3} more`;
}

/** Expand, scan and keep an upload. */
export async function uploadScan(
  scans: ScanStore,
  input: UploadInput,
  limits: UploadLimits = UPLOAD_LIMITS,
): Promise<{ summary: ScanSummary; result: ScanResult; document: string }> {
  if (input.hostFromPath !== undefined) inField('hostFromPath', () => hostMatcher(input.hostFromPath!));
  const expanded = await expandUpload(input.files, limits);
  const { result, kept } = scanUploadedFiles(expanded, { hostFromPath: input.hostFromPath });
  const document = scanJsonText(result);
  const severity = (s: string) => result.findings.filter((f) => f.severity === s).length;
  const summary = await scans.add({
    name: uploadName(input.files.map((f) => f.path)),
    actor: input.actor,
    host: input.host ?? null,
    hostFromPath: input.hostFromPath ?? null,
    files: result.files,
    filesSeen: result.filesSeen,
    adapters: result.adapters.length,
    findings: { error: severity('error'), warning: severity('warning'), info: severity('info') },
    document,
    contents: kept,
  });
  return { summary, result, document };
}

/**
 * The scan of a kept upload, rebuilt from its files: the same records and findings; the issues and
 * the count of files seen are the document's (entries skipped at upload were not kept).
 */
export async function rebuildScan(scans: ScanStore, summary: ScanSummary): Promise<ScanResult> {
  const files = await scans.files(summary.id);
  const { document } = await scans.withDocument(summary.id);
  const result = scanUploaded(files, { hostFromPath: summary.hostFromPath ?? undefined });
  const issues = (JSON.parse(document) as { issues: ScanResult['issues'] }).issues;
  return { ...result, issues, filesSeen: summary.filesSeen };
}

/** Import a kept scan into the inventory, and record the import on the scan. */
export async function importKeptScan(
  fleet: FleetDeps,
  scans: ScanStore,
  id: number,
  options: { host?: string | undefined; hypervisor?: HypervisorKind | undefined } = {},
): Promise<{ summary: ScanSummary; result: ImportResult }> {
  const { summary, document } = await scans.withDocument(id);
  const host = options.host ?? summary.host ?? undefined;
  const result = await importScanDocument(fleet, document, `scan ${id}`, {
    host,
    hypervisor: options.hypervisor,
  });
  return { summary: await scans.markImported(id, fleet.actor, result), result };
}
