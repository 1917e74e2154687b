/**
 * Fleet inventory benchmarks (`npm run bench fleet`), on SQLite:
 *  1. import of a scan with 100,000 adapters (25,000 VMs on 50 hosts), against a baseline that inserts
 *     the same rows into a bare table in one transaction; and, as a second floor, the same VMs and
 *     adapters written straight into the inventory's own tables (their keys, foreign keys and indexes
 *     as the migrations make them) in key order, multi-row statements, no audit log and no checks:
 *     what the schema alone costs before an import does anything an import must do;
 *  2. re-import of the same scan (nothing changes, nothing is written);
 *  3. `vm start` on a host already running 2,000 VMs, divided by the time on an empty host (the conflict
 *     check reads the host's running adapters);
 *  4. duplicate findings over the 100,000 imported adapters, against sorting the MACs (the `sort | uniq -d`
 *     of the inventory).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  adapterMacs,
  addHost,
  addNetwork,
  createVm,
  duplicateFindings,
  hypervisorMacSource,
  importScan,
  startVm,
  type FleetDeps,
  type ScanAdapter,
} from '../src/fleet/index.js';
import { macFromNumber } from '../src/mac/index.js';
import { seededRandom, type Clock } from '../src/random.js';
import { StoreFleetRepository } from '../src/store/fleet-store.js';
import { openStore } from '../src/store/open-store.js';
import { valuesPlaceholders } from '../src/store/sql.js';
import type { SqlSession, SqlValue } from '../src/store/store.js';

const here = dirname(fileURLToPath(import.meta.url));
const tmp = join(here, '..', '.bench-tmp', `fleet-${process.pid}`);
rmSync(tmp, { recursive: true, force: true });
mkdirSync(tmp, { recursive: true });
const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
let t = Date.UTC(2026, 0, 1);
const clock: Clock = { now: () => t++ };

async function fleetOn(file: string) {
  const store = await openStore(join(tmp, file));
  const random = seededRandom(7);
  const repo = new StoreFleetRepository(store);
  const deps: FleetDeps = {
    repo,
    clock,
    actor: 'bench',
    sources: (_h, tx) => hypervisorMacSource(tx, random),
  };
  return { store, repo, deps };
}

const HOSTS = 50;
const VMS = 25_000;
const PER_VM = 4;
// 1 in 1,000 MACs repeats an earlier one, as copied VMs do.
const scan: ScanAdapter[] = [];
for (let v = 0; v < VMS; v++) {
  for (let a = 0; a < PER_VM; a++) {
    const n = v * PER_VM + a;
    const mac = n % 1000 === 999 ? n - 500 : n;
    scan.push({
      file: `esx${v % HOSTS}/vm${v}/vm${v}.vmx`,
      line: 10 + a,
      vm: `vm${v}`,
      host: `esx${v % HOSTS}`,
      network: `net${a}`,
      mac: macFromNumber(0x005056000000 + mac),
      mode: 'static',
      hypervisor: 'vmware',
      enabled: true,
      hostPrivate: false,
    });
  }
}

// 1 and 2: import, re-import, baseline.
{
  const { store, repo, deps } = await fleetOn('import.db');
  let start = performance.now();
  const first = await importScan(deps, scan);
  const importMs = performance.now() - start;
  // SQLite's count of rows changed on this connection: the re-import must not move it.
  const changes = async (): Promise<number> =>
    (await store.transaction((tx) => tx.get<{ n: number }>('SELECT total_changes() AS n')))?.n ?? -1;
  const before = await changes();
  start = performance.now();
  const again = await importScan(deps, scan);
  const reimportMs = performance.now() - start;
  if (first.vms.created !== VMS || again.vms.unchanged !== VMS) throw new Error('import counted wrong');
  const written = (await changes()) - before;
  if (written !== 0) throw new Error(`the re-import wrote ${written} rows`);

  const base = await openStore(join(tmp, 'baseline.db'));
  await base.transaction((tx) =>
    tx.run('CREATE TABLE rows (host TEXT, vm TEXT, idx INTEGER, network TEXT, mac INTEGER)'),
  );
  start = performance.now();
  await base.transaction(async (tx) => {
    for (const a of scan)
      await tx.run('INSERT INTO rows VALUES (?, ?, ?, ?, ?)', [a.host, a.vm, a.line, a.network, a.mac]);
  });
  const baseMs = performance.now() - start;
  await base.close();

  const floor = await openStore(join(tmp, 'floor.db'));
  const insert = async (tx: SqlSession, table: string, width: number, rows: SqlValue[]): Promise<void> => {
    const step = 800 * width;
    for (let i = 0; i < rows.length; i += step) {
      const part = rows.slice(i, i + step);
      await tx.run(`INSERT INTO ${table} VALUES ${valuesPlaceholders(part.length / width, width)}`, part);
    }
  };
  const byVm = [...new Map(scan.map((a) => [`${a.host}\u0000${a.vm}`, a])).values()].sort((x, y) =>
    x.host! < y.host! ? -1 : x.host! > y.host! ? 1 : x.vm < y.vm ? -1 : x.vm > y.vm ? 1 : 0,
  );
  const adaptersOf = new Map<string, ScanAdapter[]>();
  for (const a of scan) {
    const k = `${a.host}\u0000${a.vm}`;
    const list = adaptersOf.get(k);
    if (list === undefined) adaptersOf.set(k, [a]);
    else list.push(a);
  }
  const policy = JSON.stringify({ promiscuous: false, macChanges: false, forgedTransmits: false });
  start = performance.now();
  await floor.transaction(async (tx) => {
    const hostNames = [...new Set(scan.map((a) => a.host!))];
    await insert(
      tx,
      'fleet_hosts (name, hypervisor, ip, allocation, scheme, version)',
      6,
      hostNames.flatMap((h) => [h, 'vmware', null, 'hypervisor', '{}', null]),
    );
    const networks = [...new Set(scan.map((a) => `${a.host}\u0000${a.network}`))].map((k) =>
      k.split('\u0000'),
    );
    await insert(
      tx,
      'fleet_networks (host, name, nic, segment)',
      4,
      networks.flatMap(([h, n]) => [h!, n!, null, n!]),
    );
    await insert(
      tx,
      'fleet_vms (host, name, state)',
      3,
      byVm.flatMap((v) => [v.host!, v.vm, 'stopped']),
    );
    const rows: SqlValue[] = [];
    for (const v of byVm) {
      for (const [i, a] of (adaptersOf.get(`${v.host}\u0000${v.vm}`) ?? []).entries())
        rows.push(a.host, a.vm, i, a.network, 'static', a.mac, 0, 0, 0, policy);
    }
    await insert(
      tx,
      'fleet_adapters (host, vm, idx, network, mode, mac, spoofing, dhcp_guard, router_guard, vmware)',
      10,
      rows,
    );
  });
  const floorMs = performance.now() - start;
  await floor.close();
  console.log(
    `import of ${fmt(scan.length)} adapters (${fmt(VMS)} VMs, ${HOSTS} hosts): ${fmt(importMs / 1000, 2)} s ` +
      `(${fmt(scan.length / (importMs / 1000))} adapters/s); bare-table baseline ${fmt(baseMs / 1000, 2)} s; ` +
      `ratio ${fmt(importMs / baseMs, 1)}x`,
  );
  console.log(
    `  floor: the same VMs and adapters straight into the inventory's tables (keys, foreign keys, indexes; ` +
      `no audit log, no checks): ${fmt(floorMs / 1000, 2)} s, ratio ${fmt(floorMs / baseMs, 1)}x the bare table; ` +
      `the import is ${fmt(importMs / floorMs, 1)}x this floor`,
  );
  console.log(`re-import (nothing changes, ${written} rows written): ${fmt(reimportMs / 1000, 2)} s`);

  // 4: findings over the inventory vs sorting the MACs.
  start = performance.now();
  const vms = await repo.listVms();
  const networks = await repo.listNetworks();
  const loadMs = performance.now() - start;
  start = performance.now();
  const findings = duplicateFindings(vms, networks);
  const findMs = performance.now() - start;
  start = performance.now();
  const sorted = vms.flatMap((v) => adapterMacs(v.adapters)).sort((x, y) => x - y);
  let dups = 0;
  for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) dups++;
  const sortMs = performance.now() - start;
  console.log(
    `duplicate findings over ${fmt(sorted.length)} adapters: ${fmt(findMs, 1)} ms (${findings.length} findings, ${dups} repeats; ` +
      `loading the inventory ${fmt(loadMs)} ms); sort baseline ${fmt(sortMs, 1)} ms; ratio ${fmt(findMs / sortMs, 2)}x`,
  );
  await store.close();
}

// 3: start on a busy host vs an empty one.
{
  const { store, deps } = await fleetOn('start.db');
  for (const name of ['busy', 'empty']) {
    await addHost(deps, {
      name,
      hypervisor: 'hyper-v',
      min: macFromNumber(0x00155d000000),
      max: macFromNumber(0x00155d00ffff),
    });
    await addNetwork(deps, { host: name, name: 'LAN' });
  }
  const timeStarts = async (host: string, n: number, prefix: string): Promise<number> => {
    for (let i = 0; i < n; i++)
      await createVm(deps, { host, name: `${prefix}${i}`, adapters: [{ network: 'LAN' }] });
    const start = performance.now();
    for (let i = 0; i < n; i++) await startVm(deps, { name: `${prefix}${i}`, host });
    return (performance.now() - start) / n;
  };
  await timeStarts('busy', 2000, 'fill');
  const busy = await timeStarts('busy', 200, 'b');
  const empty = await timeStarts('empty', 200, 'e');
  console.log(
    `vm start with 2,000 VMs running on the host: ${fmt(busy, 2)} ms; on an empty host: ${fmt(empty, 2)} ms; ratio ${fmt(busy / empty, 1)}x`,
  );
  await store.close();
}
rmSync(tmp, { recursive: true, force: true });
