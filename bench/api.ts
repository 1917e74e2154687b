/**
 * The API's lists and scan uploads (`npm run bench api`), in process (`app.request`, no socket).
 *
 * VM list: GET /api/v1/vms?limit=100 over 50,000 VMs (100,000 adapters), the first page and a page
 * deep in the table (by its cursor). The baseline, measured in the same run, is what the route did
 * before it paged in SQL: every VM with its adapters read, sorted and sliced in JavaScript.
 *
 * Scan upload: POST /api/v1/scans of a zip of 2,000 .vmx files (scanned, then kept in the store with
 * its document and files). The baseline is the same zip opened and scanned in memory, kept nowhere.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipSync } from 'fflate';
import { createApp } from '../src/api/app.js';
import { apiDeps } from '../src/api/deps.js';
import { vmView } from '../src/api/routes/fleet-routes.js';
import { importScan, type ScanAdapter } from '../src/fleet/index.js';
import { macFromNumber } from '../src/mac/index.js';
import { seededRandom } from '../src/random.js';
import { expandUpload, scanUploaded } from '../src/scan/upload.js';
import { openStore } from '../src/store/open-store.js';
import { measureAsync } from './lib/timing.js';

const here = dirname(fileURLToPath(import.meta.url));
const tmp = join(here, '..', '.bench-tmp', `api-${process.pid}`);
rmSync(tmp, { recursive: true, force: true });
mkdirSync(tmp, { recursive: true });

const store = await openStore(join(tmp, 'api.db'));
const deps = apiDeps(store, { random: seededRandom(9) });
const app = createApp(deps, { log: () => undefined, rateLimit: false });
const token = (await deps.tokens.create({ role: 'operator', name: 'bench' })).token;
const headers = { authorization: `Bearer ${token}` };

const VMS = 50_000;
const adapters: ScanAdapter[] = [];
for (let v = 0; v < VMS; v++)
  for (const nic of [0, 1])
    adapters.push({
      file: `h${v % 40}/vm${v}.vmx`,
      line: 20 + nic,
      vm: `vm${v}`,
      host: `h${v % 40}`,
      network: 'lan',
      mac: macFromNumber(0x005056000000 + 2 * v + nic),
      mode: 'static',
      hypervisor: 'vmware',
      enabled: true,
      hostPrivate: false,
    });
const t0 = performance.now();
await importScan(deps.fleet('bench'), adapters);
console.log(
  `${VMS.toLocaleString('en-US')} VMs (${adapters.length.toLocaleString('en-US')} adapters) imported in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
);

const get = async (path: string): Promise<{ next: string | null }> => {
  const r = await app.request(path, { headers });
  if (r.status !== 200) throw new Error(`${path}: ${r.status} ${await r.text()}`);
  return (await r.json()) as { next: string | null };
};
// A cursor deep in the table: the last VM of host h29.
const deep = `/api/v1/vms?limit=100&cursor=${Buffer.from(JSON.stringify(['h29', 'vm9989'])).toString('base64url')}`;
const inMemory = async (): Promise<void> => {
  const all = await deps.fleet('bench').repo.listVms();
  const key = (v: { host: string; name: string }) => `${v.host}\u0000${v.name}`;
  all.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  JSON.stringify({ items: all.slice(0, 100).map(vmView), next: null });
};
const ROUNDS = 7;
const base = await measureAsync('in memory', ROUNDS, inMemory);
const first = await measureAsync(
  'keyset, first page',
  ROUNDS,
  async () => void (await get('/api/v1/vms?limit=100')),
);
const far = await measureAsync('keyset, deep page', ROUNDS, async () => void (await get(deep)));
console.log(`\nGET /api/v1/vms?limit=100 over ${VMS.toLocaleString('en-US')} VMs (median of ${ROUNDS})`);
console.log(
  `baseline: all VMs read, sorted and sliced in JS (the route before): ${base.medianMs.toFixed(1)} ms`,
);
for (const m of [first, far])
  console.log(
    `${m.label.padEnd(20)} ${m.medianMs.toFixed(1).padStart(8)} ms   ${(base.medianMs / m.medianMs).toFixed(1)}x faster than the baseline`,
  );

const FILES = 2_000;
const zip = zipSync(
  Object.fromEntries(
    Array.from({ length: FILES }, (_, i) => [
      `esx${i % 20}/vm${i}/vm${i}.vmx`,
      new TextEncoder().encode(
        `displayName = "vm${i}"\nethernet0.present = "TRUE"\nethernet0.networkName = "VM Network"\nethernet0.addressType = "static"\nethernet0.address = "00:50:56:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}:01"\n`,
      ),
    ]),
  ),
);
const scanOnly = await measureAsync('scan in memory', ROUNDS, async () => {
  scanUploaded(await expandUpload([{ path: 'fleet.zip', bytes: zip }]), { hostFromPath: '{host}/**' });
});
const upload = await measureAsync('upload and keep', ROUNDS, async () => {
  const r = await app.request('/api/v1/scans?hostFromPath=%7Bhost%7D/**', {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/zip' },
    body: zip,
  });
  if (r.status !== 201) throw new Error(`upload: ${r.status} ${await r.text()}`);
  await r.arrayBuffer();
});
console.log(
  `\nPOST /api/v1/scans, a zip of ${FILES.toLocaleString('en-US')} .vmx files (${zip.length.toLocaleString('en-US')} bytes; median of ${ROUNDS})`,
);
console.log(`baseline: opened and scanned in memory, kept nowhere: ${scanOnly.medianMs.toFixed(1)} ms`);
console.log(
  `upload, scan, keep in the store, answer the document: ${upload.medianMs.toFixed(1)} ms (${(upload.medianMs / scanOnly.medianMs).toFixed(2)}x the baseline)`,
);

await store.close();
rmSync(tmp, { recursive: true, force: true });
