/**
 * Migration 7 (6 on its branch, before the api helper's 6 is merged), issue 10 (import at scale): an
 * event's MACs are stored with the event, in position order in `fleet_events.macs` (decimal, comma-separated; '' for none), and `fleet_event_macs` becomes only
 * the index that finds a MAC's events: `(mac, seq)`, clustered on SQLite. Each MAC of an event was a row
 * in three B-trees (the table, its `(seq, position)` key and its MAC index) and a foreign-key check;
 * it is now one entry in one B-tree, and reading events needs no second query. The migration lifts the
 * log's append-only triggers to fill the new column, and puts them back.
 */
import type { Migration } from './migrations.js';
import type { Ddl } from './dialect.js';

const sql = (t: Ddl): string => `
${t.dropAppendOnly(['fleet_events', 'fleet_event_macs'])}
ALTER TABLE fleet_events ADD COLUMN macs TEXT NOT NULL DEFAULT '';
UPDATE fleet_events SET macs = COALESCE((SELECT string_agg(CAST(m.mac AS TEXT), ',' ORDER BY m.position)
  FROM fleet_event_macs m WHERE m.seq = fleet_events.seq), '');
CREATE TABLE fleet_event_macs_v7 (
  mac ${t.int} NOT NULL,
  seq ${t.int} NOT NULL,
  PRIMARY KEY (mac, seq)
)${t.clustered};
INSERT INTO fleet_event_macs_v7 (mac, seq) SELECT DISTINCT mac, seq FROM fleet_event_macs;
DROP TABLE fleet_event_macs;
ALTER TABLE fleet_event_macs_v7 RENAME TO fleet_event_macs;
${t.appendOnly('fleet_log_append_only', ['fleet_events', 'fleet_event_macs'], 'the fleet audit log')}
`;

export const EVENT_MACS_MIGRATION: Omit<Migration, 'version'> = {
  name: 'event-macs-with-the-event',
  sql,
};
