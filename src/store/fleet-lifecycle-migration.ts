/**
 * Migration 4, issue 11 (hypervisor lifecycle profiles): hosts carry the hypervisor's version (`host add --version`,
 * where a rule depends on it), and an adapter's MAC may be NULL — a dynamic adapter on a hypervisor that
 * assigns the MAC at the VM's first start (Hyper-V). fleet_adapters is
 * rebuilt with the same columns, keys and indexes (nothing references it, so the rebuild is safe inside
 * the migration transaction).
 */
import type { Migration } from './migrations.js';

const adapters = (int: string, bool: string, withoutRowid: string, name: string): string => `
CREATE TABLE ${name} (
  host TEXT NOT NULL,
  vm TEXT NOT NULL,
  idx INTEGER NOT NULL CHECK (idx >= 0),
  network TEXT NOT NULL,
  mode TEXT NOT NULL CHECK (mode IN ('dynamic', 'static')),
  mac ${int} CHECK (mac IS NOT NULL OR mode = 'dynamic'),
  spoofing ${bool} NOT NULL CHECK (spoofing IN (0, 1)),
  dhcp_guard ${bool} NOT NULL CHECK (dhcp_guard IN (0, 1)),
  router_guard ${bool} NOT NULL CHECK (router_guard IN (0, 1)),
  vmware TEXT,
  PRIMARY KEY (host, vm, idx),
  FOREIGN KEY (host, vm) REFERENCES fleet_vms (host, name) ON DELETE CASCADE,
  FOREIGN KEY (host, network) REFERENCES fleet_networks (host, name)
)${withoutRowid};`;

// One rebuild for both databases: SQLite cannot drop NOT NULL in place, and PostgreSQL takes the same
// create-copy-drop-rename (no table references fleet_adapters, and its indexes are recreated by name).
const sql = (int: string, bool: string, withoutRowid: string): string => `
ALTER TABLE fleet_hosts ADD COLUMN version TEXT;
${adapters(int, bool, withoutRowid, 'fleet_adapters_v3')}
INSERT INTO fleet_adapters_v3 SELECT host, vm, idx, network, mode, mac, spoofing, dhcp_guard, router_guard, vmware FROM fleet_adapters;
DROP TABLE fleet_adapters;
ALTER TABLE fleet_adapters_v3 RENAME TO fleet_adapters;
CREATE INDEX fleet_adapters_mac ON fleet_adapters (mac);
CREATE INDEX fleet_adapters_host_mac ON fleet_adapters (host, mac);
`;

export const FLEET_LIFECYCLE_MIGRATION: Omit<Migration, 'version'> = {
  name: 'host-version-and-unassigned-macs',
  sql: (t) => sql(t.int, t.flag, t.clustered),
};
