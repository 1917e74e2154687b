/**
 * Migration 3: what `macfleet observe --record` keeps — one row per observation (a MAC at a place,
 * between two times, from a source), so `whois` and `history` can say where and when a MAC was seen.
 * MACs are 48-bit integers, times ms since the epoch, like the other tables.
 */
import type { Migration } from './migrations.js';

export const OBSERVATION_MIGRATION: Omit<Migration, 'version'> = {
  name: 'observations',
  sql: (t) => `
CREATE TABLE observations (
  id ${t.serialKey},
  mac ${t.int} NOT NULL,
  source TEXT NOT NULL,
  kind TEXT NOT NULL,
  host TEXT,
  port TEXT,
  vlan INTEGER,
  segment TEXT,
  first_at ${t.int},
  last_at ${t.int},
  count ${t.int} NOT NULL,
  recorded_at ${t.int} NOT NULL
);
CREATE INDEX observations_mac ON observations (mac, last_at);
`,
};
