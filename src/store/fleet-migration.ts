/**
 * The fleet inventory schema (migration 2): hosts and their NICs, virtual networks, VMs, adapters, and
 * the audit log. The log is append-only in the database itself: triggers refuse UPDATE and DELETE on
 * `fleet_events` and `fleet_event_macs` (and TRUNCATE on PostgreSQL), whatever client writes to it.
 * Adapters are clustered by VM on SQLite (WITHOUT ROWID), so listing a host reads them in order.
 * MACs are 48-bit integers; times milliseconds since the epoch; booleans 0/1; details JSON text.
 */
import type { Migration } from './migrations.js';

const tables = (int: string, bool: string, withoutRowid: string): string => `
CREATE TABLE fleet_hosts (
  name TEXT PRIMARY KEY,
  hypervisor TEXT NOT NULL CHECK (hypervisor IN ('virtual-server', 'hyper-v', 'vmware', 'kvm', 'xen', 'virtualbox', 'proxmox')),
  ip ${int},
  allocation TEXT NOT NULL,
  scheme TEXT NOT NULL
);
CREATE TABLE fleet_host_nics (
  host TEXT NOT NULL REFERENCES fleet_hosts (name) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  mac ${int} NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('physical', 'loopback', 'bridge')),
  PRIMARY KEY (host, position)
);
CREATE TABLE fleet_networks (
  host TEXT NOT NULL REFERENCES fleet_hosts (name) ON DELETE CASCADE,
  name TEXT NOT NULL,
  nic ${int},
  segment TEXT NOT NULL,
  PRIMARY KEY (host, name)
);
CREATE TABLE fleet_vms (
  host TEXT NOT NULL REFERENCES fleet_hosts (name),
  name TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('stopped', 'running', 'saved')),
  PRIMARY KEY (host, name)
);
CREATE INDEX fleet_vms_name ON fleet_vms (name);
CREATE TABLE fleet_adapters (
  host TEXT NOT NULL,
  vm TEXT NOT NULL,
  idx INTEGER NOT NULL CHECK (idx >= 0),
  network TEXT NOT NULL,
  mode TEXT NOT NULL CHECK (mode IN ('dynamic', 'static')),
  mac ${int} NOT NULL,
  spoofing ${bool} NOT NULL CHECK (spoofing IN (0, 1)),
  dhcp_guard ${bool} NOT NULL CHECK (dhcp_guard IN (0, 1)),
  router_guard ${bool} NOT NULL CHECK (router_guard IN (0, 1)),
  vmware TEXT,
  PRIMARY KEY (host, vm, idx),
  FOREIGN KEY (host, vm) REFERENCES fleet_vms (host, name) ON DELETE CASCADE,
  FOREIGN KEY (host, network) REFERENCES fleet_networks (host, name)
)${withoutRowid};
CREATE INDEX fleet_adapters_mac ON fleet_adapters (mac);
CREATE INDEX fleet_adapters_host_mac ON fleet_adapters (host, mac);
CREATE TABLE fleet_events (
  seq ${int} PRIMARY KEY,
  time ${int} NOT NULL,
  actor TEXT NOT NULL,
  kind TEXT NOT NULL,
  host TEXT NOT NULL,
  vm TEXT,
  adapter INTEGER,
  before_json TEXT,
  after_json TEXT
);
CREATE INDEX fleet_events_vm ON fleet_events (vm, seq);
CREATE INDEX fleet_events_time ON fleet_events (time, seq);
CREATE TABLE fleet_event_macs (
  seq ${int} NOT NULL REFERENCES fleet_events (seq),
  position INTEGER NOT NULL,
  mac ${int} NOT NULL,
  PRIMARY KEY (seq, position)
);
CREATE INDEX fleet_event_macs_mac ON fleet_event_macs (mac, seq);
`;

export const FLEET_MIGRATION: Omit<Migration, 'version'> = {
  name: 'fleet-inventory-and-audit-log',
  sql: (t) =>
    tables(t.int, t.flag, t.clustered) +
    t.appendOnly('fleet_log_append_only', ['fleet_events', 'fleet_event_macs'], 'the fleet audit log'),
};
