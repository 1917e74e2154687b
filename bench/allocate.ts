/**
 * Allocation benchmarks (`npm run bench allocate`):
 *  1. single allocations per second on SQLite, each its own committed transaction;
 *  2. one bulk allocation of 1,000,000 MACs on SQLite;
 *  3. a 2^24 pool at 99.99% used (free MACs scattered at random): time per allocation divided by the time
 *     on an empty pool of the same size (target <= 2);
 *  4. PostgreSQL, 4 processes allocating at once (MACFLEET_BENCH_PG_URL or MACFLEET_TEST_PG_URL):
 *     allocations per second and duplicates (must be 0).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { macFromNumber, type Mac } from '../src/mac/index.js';
import { seededRandom, randomInt } from '../src/random.js';
import { openStore } from '../src/store/open-store.js';
import { MAX_ALLOCATION } from '../src/pool/planner.js';
import { PoolStore } from '../src/store/pool-store.js';

const here = dirname(fileURLToPath(import.meta.url));
const tmp = join(here, '..', '.bench-tmp', `allocate-${process.pid}`);
rmSync(tmp, { recursive: true, force: true });
mkdirSync(tmp, { recursive: true });
const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const BIG = 2 ** 24;
const PREFIX = 0x0a1b2c000000;
let t = 0;
const clock = { now: () => t };

async function timePerAllocation(pools: PoolStore, pool: string, n: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < n; i++) await pools.allocate({ pool });
  return (performance.now() - start) / n;
}

// 1. Single committed allocations.
{
  const store = await openStore(join(tmp, 'single.db'));
  const pools = new PoolStore(store, clock);
  await pools.createPool({ name: 'p', ranges: [{ start: PREFIX as Mac, end: (PREFIX + BIG - 1) as Mac }] });
  await timePerAllocation(pools, 'p', 200);
  const ms = await timePerAllocation(pools, 'p', 3000);
  console.log(
    `SQLite single allocations (each committed, synchronous=FULL): ${fmt(1000 / ms)}/s (${fmt(ms, 3)} ms each)`,
  );
  await store.close();
}

// 2. Bulk.
{
  const store = await openStore(join(tmp, 'bulk.db'));
  const pools = new PoolStore(store, clock);
  await pools.createPool({ name: 'p', ranges: [{ start: PREFIX as Mac, end: (PREFIX + BIG - 1) as Mac }] });
  const start = performance.now();
  const { macs } = await pools.allocate({ pool: 'p', count: 1_000_000, owner: 'bulk' });
  const s = (performance.now() - start) / 1000;
  console.log(
    `SQLite bulk allocation of ${fmt(macs.length)} MACs: ${fmt(s, 2)} s (${fmt(macs.length / s)} MACs/s)`,
  );
  await store.close();
}

// 3. Nearly full versus empty, on pools of 2^24 addresses.
{
  const N = 2000;
  const store = await openStore(join(tmp, 'full.db'));
  const pools = new PoolStore(store, clock);
  await pools.createPool({
    name: 'empty',
    ranges: [{ start: (PREFIX + BIG) as Mac, end: (PREFIX + 2 * BIG - 1) as Mac }],
  });
  await pools.createPool({
    name: 'full',
    ranges: [{ start: PREFIX as Mac, end: (PREFIX + BIG - 1) as Mac }],
  });
  const fillStart = performance.now();
  // In requests of the most one may ask for (MAX_ALLOCATION).
  for (let left = BIG; left > 0; left -= MAX_ALLOCATION)
    await pools.allocate({ pool: 'full', count: Math.min(left, MAX_ALLOCATION), owner: 'fill' });
  // Free 0.01% + the N the measurement takes, scattered at random, past their quarantine.
  const random = seededRandom(2024);
  const holes = new Set<number>();
  const keepFree = Math.round(BIG * 0.0001);
  while (holes.size < keepFree + N) holes.add(PREFIX + randomInt(random, BIG));
  for (const mac of holes) await pools.release(macFromNumber(mac));
  t += 25 * 3600 * 1000;
  const filled = await pools.showPool('full');
  console.log(
    `filled a 2^24 pool in ${fmt((performance.now() - fillStart) / 1000, 1)} s: ${fmt(filled.used)} used, ${fmt(filled.free)} free in ${fmt(holes.size)} scattered holes`,
  );
  await timePerAllocation(pools, 'empty', 200);
  // Interleaved, so both pools see the same disk and CPU conditions (fsync times drift on a shared machine).
  let emptyTotal = 0;
  let fullTotal = 0;
  for (let i = 0; i < N; i++) {
    emptyTotal += await timePerAllocation(pools, 'empty', 1);
    fullTotal += await timePerAllocation(pools, 'full', 1);
  }
  const emptyMs = emptyTotal / N;
  const fullMs = fullTotal / N;
  const after = await pools.showPool('full');
  console.log(`empty 2^24 pool:  ${fmt(emptyMs, 3)} ms per allocation`);
  console.log(
    `${fmt((100 * filled.used) / filled.size, 2)}% -> ${fmt((100 * after.used) / after.size, 2)}% full: ${fmt(fullMs, 3)} ms per allocation`,
  );
  console.log(`ratio full/empty: ${fmt(fullMs / emptyMs, 2)} (target <= 2)`);
  await store.close();
}

// 4. PostgreSQL, 4 processes.
const pgUrl = process.env['MACFLEET_BENCH_PG_URL'] ?? process.env['MACFLEET_TEST_PG_URL'];
if (pgUrl === undefined || pgUrl === '') {
  console.log('PostgreSQL: skipped (set MACFLEET_BENCH_PG_URL or MACFLEET_TEST_PG_URL)');
} else {
  const worker = join(here, '..', 'test', 'workers', 'allocate-loop.ts');
  for (const parallel of [1, 16]) {
    const schema = `mf_bench_${process.pid}_${parallel}`;
    const url = `${pgUrl}${pgUrl.includes('?') ? '&' : '?'}schema=${schema}`;
    const store = await openStore(url);
    await new PoolStore(store).createPool({
      name: 'p',
      ranges: [{ start: PREFIX as Mac, end: (PREFIX + BIG - 1) as Mac }],
    });
    await store.close();
    const each = parallel === 1 ? 1000 : 5000;
    const start = performance.now();
    const outputs = await Promise.all(
      Array.from(
        { length: 4 },
        () =>
          new Promise<{ macs: string[]; ms: number }>((resolve, reject) => {
            const child = spawn(process.execPath, [
              '--import',
              'tsx',
              worker,
              url,
              'p',
              String(each),
              String(parallel),
            ]);
            let out = '';
            child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
            child.stderr.pipe(process.stderr);
            child.on('close', (code) => {
              const lines = out.split('\n');
              const ms = Number(/done in (\d+) ms/.exec(out)?.[1] ?? NaN);
              if (code === 0) resolve({ macs: lines.filter((l) => l.includes(':')), ms });
              else reject(new Error(`worker exited ${code}`));
            });
          }),
      ),
    );
    const wall = (performance.now() - start) / 1000;
    // Rate over the allocating time (the slowest worker's), not the processes' start-up.
    const s = Math.max(...outputs.map((o) => o.ms)) / 1000;
    const all = outputs.flatMap((o) => o.macs);
    const duplicates = all.length - new Set(all).size;
    console.log(
      `PostgreSQL, 4 processes x ${fmt(each)} allocations (${parallel} concurrent per process): ${fmt(all.length / s)} allocations/s, ${duplicates} duplicates (${fmt(wall, 1)} s wall with start-up)`,
    );
    const client = new pg.Client({ connectionString: pgUrl });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  }
}
rmSync(tmp, { recursive: true, force: true });
