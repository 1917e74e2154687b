/**
 * The demo fleet `npm start` seeds into an empty database: the example fleet's configurations
 * imported, a pool with a week of allocations behind it, and a few VMs on Virtual Server, Hyper-V and
 * VMware hosts — among them an NLB cluster on two Hyper-V hosts with MAC address spoofing off (the
 * problem to find), and two Hyper-V hosts whose IPv4 addresses end alike (they share one MAC pool).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { addHost, addNetwork, createVm, startVm, type FleetDeps, type ImportResult } from '../fleet/index.js';
import { parseIpv4, parseMac, type Mac } from '../mac/index.js';
import type { Clock } from '../random.js';
import { hostMatcher } from '../scan/host-from-path.js';
import { scan, type ScanResult } from '../scan/scan.js';
import { PoolStore } from '../store/pool-store.js';
import type { Store } from '../store/store.js';
import { importScanResult } from '../scan/import-result.js';
import type { ScanShelf } from './scan-shelf.js';

/** Audit a fleet tree laid out as `<host>/**` (as the README's `macfleet scan` example does). */
export function scanFleetTree(dir: string): Promise<ScanResult> {
  return scan([dir], { hostFromPath: hostMatcher('{host}/**'), workers: 0 });
}

/** Whether the database has no fleet yet (the demo seeds only then). */
export async function isEmptyFleet(store: Store): Promise<boolean> {
  const row = await store.transaction(
    (tx) => tx.get<{ n: number }>('SELECT COUNT(*) AS n FROM fleet_hosts'),
    {
      mode: 'read',
    },
  );
  return Number(row?.n ?? 0) === 0;
}

const DAY = 86_400_000;

/** A week of pool activity, so the Pools page has a history to draw. */
async function seedPool(store: Store, now: number): Promise<void> {
  let t = now - 7 * DAY;
  const clock: Clock = { now: () => t };
  const pools = new PoolStore(store, clock);
  await pools.createPool({
    name: 'fleet',
    ranges: ['0a:1b:2c:00:00:00-0a:1b:2c:00:03:ff'],
    quarantineMs: DAY,
    isDefault: true,
  });
  const held: Mac[] = [];
  for (let day = 0; day < 7; day++) {
    t = now - (7 - day) * DAY + 3_600_000;
    const a = await pools.allocate({
      pool: 'fleet',
      count: 40 + day * 25,
      owner: `provisioning batch ${day + 1}`,
    });
    held.push(...a.macs);
    t += 6 * 3_600_000;
    for (let i = 0; i < 10 + day * 3; i++) {
      const mac = held.shift();
      if (mac !== undefined) await pools.release(mac);
    }
  }
  t = now - 3_600_000;
  await pools.reserve(parseMac('0a:1b:2c:00:03:fe'), 'gateway');
}

/** The hosts and VMs the README's two procedures are followed on. */
async function seedHosts(fleet: FleetDeps): Promise<void> {
  // Virtual Server: a staging host whose VMs were switched to static MACs "for tracking".
  await addHost(fleet, {
    name: 'vs-staging',
    hypervisor: 'virtual-server',
    nics: [
      { mac: parseMac('00-16-31-53-32-68'), kind: 'physical' },
      { mac: parseMac('02-00-4C-4F-4F-50'), kind: 'loopback' },
    ],
  });
  await addNetwork(fleet, { host: 'vs-staging', name: 'External', nic: parseMac('00-16-31-53-32-68') });
  await createVm(fleet, {
    host: 'vs-staging',
    name: 'web1',
    adapters: [{ network: 'External', static: parseMac('00:03:ff:53:32:68') }],
  });
  await createVm(fleet, { host: 'vs-staging', name: 'web2', adapters: [{ network: 'External' }] });
  await startVm(fleet, { host: 'vs-staging', name: 'web2' });
  // Hyper-V: an NLB cluster (unicast, VIP 10.0.0.50) over two hosts, spoofing off on the NLB adapters.
  for (const [host, ip, vm] of [
    ['hv-a', '10.1.5.20', 'nlb1'],
    ['hv-b', '10.2.5.20', 'nlb2'],
  ] as const) {
    await addHost(fleet, { name: host, hypervisor: 'hyper-v', ip: parseIpv4(ip) });
    await addNetwork(fleet, { host, name: 'External' });
    await createVm(fleet, {
      host,
      name: vm,
      adapters: [{ network: 'External' }, { network: 'External', static: parseMac('02-BF-0A-00-00-32') }],
      force: true,
    });
    await startVm(fleet, { host, name: vm });
  }
  await createVm(fleet, {
    host: 'hv-a',
    name: 'sql01',
    adapters: [{ network: 'External', dhcpGuard: true }],
  });
  // VMware: port group security policies on each adapter.
  await addHost(fleet, { name: 'esx-demo', hypervisor: 'vmware' });
  await addNetwork(fleet, { host: 'esx-demo', name: 'VM Network' });
  await createVm(fleet, { host: 'esx-demo', name: 'app1', adapters: [{ network: 'VM Network' }] });
  await createVm(fleet, {
    host: 'esx-demo',
    name: 'app2',
    adapters: [{ network: 'VM Network', vmware: { forgedTransmits: true } }],
  });
  await startVm(fleet, { host: 'esx-demo', name: 'app1' });
}

export interface DemoSeed {
  readonly imported: ImportResult;
}

/** Seed an empty database: the example fleet's audit imported, a pool, the demo hosts and VMs. */
export async function seedDemoFleet(
  store: Store,
  fleet: FleetDeps,
  exampleScan: ScanResult,
  now: number,
): Promise<DemoSeed> {
  const imported = await importScanResult(fleet, exampleScan, 'examples/fleet');
  await seedPool(store, now);
  await seedHosts(fleet);
  return { imported };
}

/**
 * Put the example fleet's tree on the console's scan shelf, as if uploaded (it lists under Conflicts and
 * Scan upload, and stays in the database).
 */
export async function shelveExampleScan(scans: ScanShelf, dir: string): Promise<void> {
  const files = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => {
      const path = join(e.parentPath, e.name);
      return { path: relative(dir, path).split(sep).join('/'), bytes: new Uint8Array(readFileSync(path)) };
    });
  await scans.upload({ files, actor: 'demo', hostFromPath: '{host}/**' });
}
