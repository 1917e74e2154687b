/**
 * Uploaded scans as the Scan upload and Conflicts pages show them: kept in the store (ScanStore, the
 * same scans the API's /api/v1/scans serves), so they survive a restart and an upload through either
 * face shows in both. A scan's records are rebuilt from its kept files once per process and cached
 * (scans never change after the upload; only their import record does, and that is read each time).
 */
import type { FleetDeps, HypervisorKind, ImportResult } from '../fleet/index.js';
import type { ScanResult } from '../scan/scan.js';
import { importKeptScan, rebuildScan, uploadScan, type UploadInput } from '../scan/uploaded-scans.js';
import type { ScanStore, ScanSummary } from '../store/scan-store.js';
import { MacfleetError } from '../errors.js';

export interface ShelvedScan {
  readonly id: number;
  /** What was uploaded, in words (file names). */
  readonly name: string;
  readonly at: number;
  readonly by: string;
  readonly hostFromPath: string | undefined;
  /** Host for adapters whose file and path do not name one (used by the import). */
  readonly host: string | undefined;
  readonly result: ScanResult;
  readonly imported?: { readonly at: number; readonly by: string; readonly result: ImportResult };
}

const SHOWN = 20;

export class ScanShelf {
  readonly #results = new Map<number, ScanResult>();
  constructor(readonly scans: ScanStore) {}

  async upload(input: UploadInput): Promise<ShelvedScan> {
    const { summary, result } = await uploadScan(this.scans, input);
    this.#results.set(summary.id, result);
    return shelved(summary, result);
  }

  async get(id: number): Promise<ShelvedScan | undefined> {
    try {
      const summary = await this.scans.summary(id);
      return shelved(summary, await this.#result(summary));
    } catch (e) {
      if (e instanceof MacfleetError && e.code === 'NOT_FOUND') return undefined;
      throw e;
    }
  }

  /**
   * The newest kept scans (20 by default, as the console listed before scans were stored; the API lists
   * them all), newest first.
   */
  async list(limit = SHOWN): Promise<ShelvedScan[]> {
    const { items } = await this.scans.list({ limit: Math.min(limit, this.scans.keep) });
    const ids = new Set(items.map((s) => s.id));
    // Only the scans listed stay cached (a scan opened by id is cached until the next list).
    for (const id of this.#results.keys()) if (!ids.has(id)) this.#results.delete(id);
    const out: ShelvedScan[] = [];
    for (const s of items) out.push(shelved(s, await this.#result(s)));
    return out;
  }

  async import(
    fleet: FleetDeps,
    id: number,
    options: { host?: string | undefined; hypervisor?: HypervisorKind | undefined },
  ): Promise<ImportResult> {
    return (await importKeptScan(fleet, this.scans, id, options)).result;
  }

  async #result(summary: ScanSummary): Promise<ScanResult> {
    let r = this.#results.get(summary.id);
    if (r === undefined) {
      r = await rebuildScan(this.scans, summary);
      this.#results.set(summary.id, r);
    }
    return r;
  }
}

const shelved = (s: ScanSummary, result: ScanResult): ShelvedScan => ({
  id: s.id,
  name: s.name,
  at: s.createdAt,
  by: s.actor,
  hostFromPath: s.hostFromPath ?? undefined,
  host: s.host ?? undefined,
  result,
  ...(s.imported === null ? {} : { imported: s.imported }),
});
