/**
 * Uploaded scans, kept in this process for the Scan upload and Conflicts pages (the most recent
 * ones; they are not stored in the database, so a restart forgets them — an import into the
 * inventory is what lasts).
 */
import type { ImportResult } from '../fleet/index.js';
import type { ScanResult } from '../scan/scan.js';

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
  imported?: { readonly at: number; readonly by: string; readonly result: ImportResult };
}

export class ScanShelf {
  readonly #scans = new Map<number, ShelvedScan>();
  #next = 1;
  constructor(private readonly keep = 20) {}

  add(scan: Omit<ShelvedScan, 'id'>): ShelvedScan {
    const s: ShelvedScan = { ...scan, id: this.#next++ };
    this.#scans.set(s.id, s);
    while (this.#scans.size > this.keep) this.#scans.delete(this.#scans.keys().next().value!);
    return s;
  }

  get(id: number): ShelvedScan | undefined {
    return this.#scans.get(id);
  }

  /** Newest first. */
  list(): ShelvedScan[] {
    return [...this.#scans.values()].reverse();
  }
}
