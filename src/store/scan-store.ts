/**
 * Uploaded scans in the database (migration 6, scan-migration.ts): what POST /api/v1/scans and the
 * console's Scan upload keep, so a scan uploaded through one face shows in the other and survives a
 * restart. The newest `keep` scans are kept (default 100, `macfleet serve --keep-scans`); adding one
 * past that deletes the oldest, with their files, in the same transaction. Lists are keyset-paged by id,
 * newest first, and never read a scan's document or files.
 */
import type { ImportResult } from '../fleet/index.js';
import { MacfleetError } from '../errors.js';
import { systemClock, type Clock } from '../random.js';
import { chunks, valuesPlaceholders } from './sql.js';
import type { SqlSession, Store } from './store.js';

export const DEFAULT_SCAN_RETENTION = 100;

export interface ScanCounts {
  /** Files read as VM configurations, and files looked at in all. */
  readonly files: number;
  readonly filesSeen: number;
  readonly adapters: number;
  readonly findings: { readonly error: number; readonly warning: number; readonly info: number };
}

export interface ScanImport {
  readonly at: number;
  readonly by: string;
  readonly result: ImportResult;
}

export interface ScanSummary extends ScanCounts {
  readonly id: number;
  /** What was uploaded, in words (file names). */
  readonly name: string;
  readonly createdAt: number;
  /** The token (or console user) that uploaded it. */
  readonly actor: string;
  /** Host for adapters whose file and path name none (the import's default). */
  readonly host: string | null;
  readonly hostFromPath: string | null;
  readonly imported: ScanImport | null;
}

export interface StoredFile {
  readonly path: string;
  readonly bytes: Uint8Array;
}

export interface NewScan extends ScanCounts {
  readonly name: string;
  readonly actor: string;
  readonly host: string | null;
  readonly hostFromPath: string | null;
  /** The scan document as `macfleet scan --json` writes it. */
  readonly document: string;
  /** The files that count for the scan (its configurations), in upload order. */
  readonly contents: readonly StoredFile[];
}

interface ScanRow {
  id: number;
  name: string;
  created_at: number;
  actor: string;
  host: string | null;
  host_from_path: string | null;
  files: number;
  files_seen: number;
  adapters: number;
  errors: number;
  warnings: number;
  infos: number;
  imported_at: number | null;
  imported_by: string | null;
  import_result: string | null;
  [k: string]: unknown;
}

const SUMMARY_COLUMNS =
  'id, name, created_at, actor, host, host_from_path, files, files_seen, adapters, errors, warnings, infos, imported_at, imported_by, import_result';

const toSummary = (r: ScanRow): ScanSummary => ({
  id: Number(r.id),
  name: r.name,
  createdAt: Number(r.created_at),
  actor: r.actor,
  host: r.host,
  hostFromPath: r.host_from_path,
  files: Number(r.files),
  filesSeen: Number(r.files_seen),
  adapters: Number(r.adapters),
  findings: { error: Number(r.errors), warning: Number(r.warnings), info: Number(r.infos) },
  imported:
    r.imported_at === null || r.imported_by === null || r.import_result === null
      ? null
      : {
          at: Number(r.imported_at),
          by: r.imported_by,
          result: JSON.parse(r.import_result) as ImportResult,
        },
});

const notFound = (id: number): MacfleetError => new MacfleetError('NOT_FOUND', `no scan ${id}`);

export class ScanStore {
  constructor(
    readonly store: Store,
    private readonly clock: Clock = systemClock,
    /** How many scans are kept: adding one more deletes the oldest. */
    readonly keep: number = DEFAULT_SCAN_RETENTION,
  ) {
    if (!Number.isInteger(keep) || keep < 1)
      throw new MacfleetError('INVALID_ARGUMENT', `scan retention: expected an integer >= 1, got ${keep}`);
  }

  /** Keep a scan (and drop the oldest past the retention); its summary. */
  add(scan: NewScan): Promise<ScanSummary> {
    const now = this.clock.now();
    return this.store.transaction(async (tx) => {
      const row = await tx.get<{ id: number }>(
        `INSERT INTO scans (name, created_at, actor, host, host_from_path, files, files_seen, adapters, errors, warnings, infos, document)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
        [
          scan.name,
          now,
          scan.actor,
          scan.host,
          scan.hostFromPath,
          scan.files,
          scan.filesSeen,
          scan.adapters,
          scan.findings.error,
          scan.findings.warning,
          scan.findings.info,
          scan.document,
        ],
      );
      const id = Number(row!.id);
      const files = scan.contents.map((f, i) => [id, i, f.path, Buffer.from(f.bytes).toString('base64')]);
      // A few files a statement: each may be megabytes of base64.
      for (const part of chunks(files, 64))
        await tx.run(
          `INSERT INTO scan_files (scan_id, position, path, content) VALUES ${valuesPlaceholders(part.length, 4)}`,
          part.flat(),
        );
      await this.#prune(tx);
      return toSummary((await tx.get<ScanRow>(`SELECT ${SUMMARY_COLUMNS} FROM scans WHERE id = ?`, [id]))!);
    });
  }

  async #prune(tx: SqlSession): Promise<void> {
    const edge = await tx.get<{ id: number }>('SELECT id FROM scans ORDER BY id DESC LIMIT 1 OFFSET ?', [
      this.keep,
    ]);
    if (edge === undefined) return;
    // Files first: the cascade would do it, but an explicit delete does not depend on the pragma.
    await tx.run('DELETE FROM scan_files WHERE scan_id <= ?', [edge.id]);
    await tx.run('DELETE FROM scans WHERE id <= ?', [edge.id]);
  }

  /** Newest first: `limit` scans with an id below `before` (the next page), and whether more follow. */
  list(query: {
    limit: number;
    before?: number | undefined;
  }): Promise<{ items: ScanSummary[]; more: boolean }> {
    return this.store.transaction(
      async (tx) => {
        const rows = await tx.all<ScanRow>(
          `SELECT ${SUMMARY_COLUMNS} FROM scans ${query.before === undefined ? '' : 'WHERE id < ?'} ORDER BY id DESC LIMIT ?`,
          query.before === undefined ? [query.limit + 1] : [query.before, query.limit + 1],
        );
        return { items: rows.slice(0, query.limit).map(toSummary), more: rows.length > query.limit };
      },
      { mode: 'read' },
    );
  }

  /** A scan's summary; NOT_FOUND when there is none (never uploaded, or past the retention). */
  summary(id: number): Promise<ScanSummary> {
    return this.store.transaction(
      async (tx) => {
        const row = await tx.get<ScanRow>(`SELECT ${SUMMARY_COLUMNS} FROM scans WHERE id = ?`, [id]);
        if (row === undefined) throw notFound(id);
        return toSummary(row);
      },
      { mode: 'read' },
    );
  }

  /** A scan's summary and its document text. */
  withDocument(id: number): Promise<{ summary: ScanSummary; document: string }> {
    return this.store.transaction(
      async (tx) => {
        const row = await tx.get<ScanRow & { document: string }>(
          `SELECT ${SUMMARY_COLUMNS}, document FROM scans WHERE id = ?`,
          [id],
        );
        if (row === undefined) throw notFound(id);
        return { summary: toSummary(row), document: row.document };
      },
      { mode: 'read' },
    );
  }

  /** The configuration files a scan read, in upload order. */
  files(id: number): Promise<StoredFile[]> {
    return this.store.transaction(
      async (tx) => {
        if ((await tx.get('SELECT id FROM scans WHERE id = ?', [id])) === undefined) throw notFound(id);
        const rows = await tx.all<{ path: string; content: string }>(
          'SELECT path, content FROM scan_files WHERE scan_id = ? ORDER BY position',
          [id],
        );
        return rows.map((r) => ({ path: r.path, bytes: new Uint8Array(Buffer.from(r.content, 'base64')) }));
      },
      { mode: 'read' },
    );
  }

  /** Record that the scan was imported into the inventory (the latest import wins). */
  markImported(id: number, by: string, result: ImportResult): Promise<ScanSummary> {
    const now = this.clock.now();
    return this.store.transaction(async (tx) => {
      const { changes } = await tx.run(
        'UPDATE scans SET imported_at = ?, imported_by = ?, import_result = ? WHERE id = ?',
        [now, by, JSON.stringify(result), id],
      );
      if (changes === 0) throw notFound(id);
      return toSummary((await tx.get<ScanRow>(`SELECT ${SUMMARY_COLUMNS} FROM scans WHERE id = ?`, [id]))!);
    });
  }
}
