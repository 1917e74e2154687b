/**
 * Migration 6: uploaded scans (the API's POST /api/v1/scans and the console's Scan upload), kept so a
 * restart or another process serving the same database sees them. A scan is its options, its scan
 * document (the `scan --json` text, as the API returns it), counts for lists that never read the
 * document, the import result once imported, and the bytes of the configuration files it read (base64
 * text, the same on both dialects), from which the fix planner rewrites files and the console shows each
 * MAC as written. Old scans are deleted past the retention (ScanStore); their files go with them.
 */
import type { Migration } from './migrations.js';

export const SCAN_MIGRATION: Omit<Migration, 'version'> = {
  name: 'uploaded-scans',
  sql: (t) => `
CREATE TABLE scans (
  id ${t.serialKey},
  name TEXT NOT NULL,
  created_at ${t.int} NOT NULL,
  actor TEXT NOT NULL,
  host TEXT,
  host_from_path TEXT,
  files INTEGER NOT NULL,
  files_seen INTEGER NOT NULL,
  adapters INTEGER NOT NULL,
  errors INTEGER NOT NULL,
  warnings INTEGER NOT NULL,
  infos INTEGER NOT NULL,
  document TEXT NOT NULL,
  imported_at ${t.int},
  imported_by TEXT,
  import_result TEXT
);
CREATE TABLE scan_files (
  scan_id ${t.int} NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  path TEXT NOT NULL,
  content TEXT NOT NULL,
  PRIMARY KEY (scan_id, position)
)${t.clustered};
`,
};
