/**
 * Migration 1: pools, their ranges and free lists, the fleet-wide MAC table, its history, keyed requests.
 */
import type { Migration } from '../migrations.js';

// Pools and the fleet-wide MAC table. `macs.mac` is the primary key: the database, not a process,
// guarantees that a MAC is held by at most one owner across every pool, host and macfleet instance.
// `pool_free` is the run-length free list of each pool (disjoint, non-adjacent intervals), kept in the
// same transactions as `macs`, so finding a free MAC is an index seek, never a scan of allocated MACs.
export const POOLS_MIGRATION: Omit<Migration, 'version'> = {
  name: 'pools-and-macs',
  sql: (t) => `
CREATE TABLE pools (
  id ${t.serialKey},
  name TEXT NOT NULL UNIQUE,
  is_default ${t.flag} NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
  quarantine_ms ${t.int} NOT NULL CHECK (quarantine_ms >= 0),
  cursor ${t.int} NOT NULL,
  size ${t.int} NOT NULL,
  free_count ${t.int} NOT NULL,
  created_at ${t.int} NOT NULL
);
CREATE UNIQUE INDEX pools_one_default ON pools (is_default) WHERE is_default = 1;
CREATE TABLE pool_ranges (
  pool_id ${t.int} NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('range', 'exclude')),
  start_mac ${t.int} NOT NULL,
  end_mac ${t.int} NOT NULL,
  CHECK (start_mac <= end_mac)
);
CREATE INDEX pool_ranges_pool ON pool_ranges (pool_id);
CREATE INDEX pool_ranges_span ON pool_ranges (kind, start_mac, end_mac);
CREATE TABLE pool_free (
  pool_id ${t.int} NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
  start_mac ${t.int} NOT NULL,
  end_mac ${t.int} NOT NULL,
  PRIMARY KEY (pool_id, end_mac),
  CHECK (start_mac <= end_mac)
)${t.clustered};
CREATE UNIQUE INDEX pool_free_start ON pool_free (pool_id, start_mac);
CREATE TABLE macs (
  mac ${t.int} PRIMARY KEY,
  state TEXT NOT NULL CHECK (state IN ('allocated', 'reserved', 'in_use', 'quarantined')),
  pool_id ${t.int} REFERENCES pools (id),
  owner TEXT,
  request_key TEXT,
  since ${t.int} NOT NULL,
  quarantine_until ${t.int}
);
CREATE INDEX macs_quarantine ON macs (pool_id, quarantine_until) WHERE state = 'quarantined';
CREATE TABLE mac_events (
  id ${t.serialKey},
  mac ${t.int} NOT NULL,
  event TEXT NOT NULL,
  pool_id ${t.int},
  owner TEXT,
  request_key TEXT,
  at ${t.int} NOT NULL
);
CREATE INDEX mac_events_mac ON mac_events (mac, id);
CREATE TABLE allocation_requests (
  request_key TEXT PRIMARY KEY,
  pool_id ${t.int} NOT NULL REFERENCES pools (id),
  count INTEGER NOT NULL,
  owner TEXT,
  macs TEXT NOT NULL,
  created_at ${t.int} NOT NULL
);
`,
};
