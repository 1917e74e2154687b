/**
 * Migration 3: what `macfleet observe --record` keeps — one row per observation (a MAC at a place,
 * between two times, from a source), so `whois` and `history` can say where and when a MAC was seen.
 * MACs are 48-bit integers, times ms since the epoch, like the other tables.
 */
const table = (int: string, id: string): string => `
CREATE TABLE observations (
  id ${id},
  mac ${int} NOT NULL,
  source TEXT NOT NULL,
  kind TEXT NOT NULL,
  host TEXT,
  port TEXT,
  vlan INTEGER,
  segment TEXT,
  first_at ${int},
  last_at ${int},
  count ${int} NOT NULL,
  recorded_at ${int} NOT NULL
);
CREATE INDEX observations_mac ON observations (mac, last_at);
`;

export const OBSERVATION_MIGRATION = {
  name: 'observations',
  sqlite: table('INTEGER', 'INTEGER PRIMARY KEY'),
  postgres: table('BIGINT', 'BIGSERIAL PRIMARY KEY'),
} as const;
