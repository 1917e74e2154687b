/**
 * `npm run bench serve`: the HTTP service under load, with undici as the client library.
 *
 *  - Baseline, same run: one committed better-sqlite3 INSERT per allocation in a loop (WAL,
 *    synchronous=FULL): what one fsync per allocation allows on this machine.
 *  - SQLite: one `macfleet serve` process, 64 concurrent clients each allocating one MAC per request
 *    (POST /api/v1/pools/bench/allocations {"count": 1}) for a fixed time: durable allocations/s (each 201
 *    is sent after its commit), p50/p99 latency, then GET /api/v1/macs/{mac} requests/s.
 *  - PostgreSQL (MACFLEET_BENCH_PG_URL or MACFLEET_TEST_PG_URL): two `macfleet serve` processes on one
 *    database, 32 clients on each: allocations/s, p50/p99, and duplicates across both (must be 0).
 *
 * After each run the store is checked: every acknowledged MAC is there, once. The servers run with
 * `--rate-limit 0`: one token sends everything here, and the per-token limit (default 5,000/s) would
 * measure the limiter, not the service. A "ceiling" line gives what a bare node:http process answers the
 * same client on the same machine (the client shares the cores).
 */
import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Pool } from 'undici';
import { openStore } from '../src/store/open-store.js';
import { PoolStore } from '../src/store/pool-store.js';
import { TokenStore } from '../src/store/token-store.js';

const here = dirname(fileURLToPath(import.meta.url));
const BIN = join(here, '..', 'bin', 'macfleet');
const tmp = join(here, '..', '.bench-tmp', `serve-${process.pid}`);
rmSync(tmp, { recursive: true, force: true });
mkdirSync(tmp, { recursive: true });
const CLIENTS = 64;
const SECONDS = Number(process.env['MACFLEET_BENCH_SECONDS'] ?? 5);
const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const pct = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

// --- baseline: one committed insert per allocation ---
function baseline(): number {
  const db = new Database(join(tmp, 'baseline.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE macs (mac INTEGER PRIMARY KEY, owner TEXT, since INTEGER NOT NULL)');
  const insert = db.prepare('INSERT INTO macs (mac, owner, since) VALUES (?, ?, ?)');
  const one = db.transaction((mac: number) => insert.run(mac, 'bench', Date.now()));
  for (let i = 0; i < 200; i++) one(0x0200_0000_0000 + i);
  const n = 3000;
  const start = performance.now();
  for (let i = 0; i < n; i++) one(0x0200_0001_0000 + i);
  const perSecond = n / ((performance.now() - start) / 1000);
  db.close();
  return perSecond;
}

// --- the service ---
async function prepare(db: string): Promise<string> {
  const store = await openStore(db);
  await new PoolStore(store).createPool({
    name: 'bench',
    ranges: ['0a:1b:00:00:00:00-0a:1b:00:ff:ff:ff'],
    quarantineMs: 0,
  });
  const { token } = await new TokenStore(store).create({ role: 'operator', name: 'bench' });
  await store.close();
  return token;
}

async function startServe(db: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(BIN, ['serve', '--db', db, '--listen', '127.0.0.1:0', '--rate-limit', '0'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, MACFLEET_DB: '' },
  });
  const url = await new Promise<string>((resolve, reject) => {
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      err += chunk;
      const m = / on (http:\/\/[^ ]+) /.exec(err);
      if (m !== null) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
  return { child, url };
}

async function stop(child: ChildProcess): Promise<void> {
  const done = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await done;
}

/** CPU seconds a process has used (Linux /proc; utime + stime at 100 ticks/s), or NaN elsewhere. */
function cpuSeconds(pids: readonly (number | undefined)[]): number {
  try {
    return pids.reduce<number>((sum, pid) => {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return sum + (Number(fields[11]) + Number(fields[12])) / 100;
    }, 0);
  } catch {
    return NaN;
  }
}

interface LoadResult {
  readonly ok: number;
  readonly failed: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly macs: string[];
  /** Server CPU per answered request (ms), all serve processes together. */
  readonly cpuMs: number;
}

async function load(
  urls: readonly string[],
  token: string,
  request: (i: number) => { method: 'GET' | 'POST'; path: string; body?: string },
  seconds: number,
  pids: readonly (number | undefined)[] = [],
): Promise<LoadResult> {
  const pools = urls.map((u) => new Pool(u, { connections: CLIENTS / urls.length, pipelining: 1 }));
  const latencies: number[] = [];
  const macs: string[] = [];
  let ok = 0;
  let failed = 0;
  let n = 0;
  const end = performance.now() + seconds * 1000;
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const client = async (c: number): Promise<void> => {
    const pool = pools[c % pools.length]!;
    while (performance.now() < end) {
      const r = request(n++);
      const t0 = performance.now();
      const res = await pool.request({ ...r, headers });
      const text = await res.body.text();
      latencies.push(performance.now() - t0);
      if (res.statusCode === 200 || res.statusCode === 201) {
        ok++;
        if (r.method === 'POST') macs.push(...(JSON.parse(text) as { macs: string[] }).macs);
      } else failed++;
    }
  };
  const start = performance.now();
  const cpu0 = cpuSeconds(pids);
  await Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c)));
  const elapsed = (performance.now() - start) / 1000;
  const cpuMs = ((cpuSeconds(pids) - cpu0) * 1000) / ok;
  await Promise.all(pools.map((p) => p.close()));
  latencies.sort((a, b) => a - b);
  return {
    ok,
    failed,
    perSecond: ok / elapsed,
    p50: pct(latencies, 50),
    p99: pct(latencies, 99),
    macs,
    cpuMs,
  };
}

const allocate = () => ({
  method: 'POST' as const,
  path: '/api/v1/pools/bench/allocations',
  body: '{"count":1}',
});

async function checkStore(db: string, acked: readonly string[]): Promise<string> {
  const store = await openStore(db);
  const rows = await store.transaction((tx) =>
    tx.all<{ mac: number }>("SELECT mac FROM macs WHERE state = 'allocated'"),
  );
  await store.close();
  const inStore = new Set(rows.map((r) => r.mac));
  const ackedSet = new Set(acked);
  const missing = acked.filter((m) => !inStore.has(parseInt(m.replaceAll(':', ''), 16))).length;
  return `acknowledged ${fmt(acked.length)}, duplicates among them ${acked.length - ackedSet.size}, missing from the store ${missing}`;
}

console.log(
  `machine: ${cpus().length} cores, load average ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')} at the start`,
);
const base = baseline();
console.log(
  `baseline: one committed better-sqlite3 insert per allocation (WAL, synchronous=FULL): ${fmt(base)}/s`,
);

// --- the ceiling: a bare node:http process answering a constant JSON body to the same client ---
// What this machine and client allow any HTTP service in node (the client shares the 2 cores).
let ceiling: number;
{
  const child = spawn(
    process.execPath,
    [
      '-e',
      `const s = require('node:http').createServer((q, r) => { q.resume(); q.on('end', () => { r.writeHead(200, { 'content-type': 'application/json' }); r.end('{"ok":true}'); }); });
       s.listen(0, '127.0.0.1', () => process.stderr.write(' on http://127.0.0.1:' + s.address().port + ' \\n'));`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const url = await new Promise<string>((resolve) => {
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      const m = / on (http:\/\/[^ ]+) /.exec((err += chunk));
      if (m !== null) resolve(m[1]!);
    });
  });
  await load([url], 'none', () => ({ method: 'GET', path: '/' }), 1);
  const r = await load([url], 'none', () => ({ method: 'GET', path: '/' }), SECONDS, [child.pid]);
  ceiling = r.perSecond;
  console.log(
    `ceiling: bare node:http answering a constant 200, same client: ${fmt(r.perSecond)} requests/s, p50 ${fmt(r.p50, 1)} ms, p99 ${fmt(r.p99, 1)} ms; server CPU ${fmt(r.cpuMs, 3)} ms/request`,
  );
  await stop(child);
}

{
  const db = join(tmp, 'serve.db');
  const token = await prepare(db);
  const { child, url } = await startServe(db);
  try {
    await load([url], token, allocate, 1); // warm-up
    const r = await load([url], token, allocate, SECONDS, [child.pid]);
    console.log(
      `SQLite, 1 serve process, ${CLIENTS} clients, 1 MAC per request: ${fmt(r.perSecond)} durable allocations/s ` +
        `(${fmt(r.perSecond / base, 1)}x baseline, ${fmt((100 * r.perSecond) / ceiling)}% of the ceiling), p50 ${fmt(r.p50, 1)} ms, p99 ${fmt(r.p99, 1)} ms, ${r.failed} failed; server CPU ${fmt(r.cpuMs, 3)} ms/request`,
    );
    const sample = r.macs.slice(0, 1000);
    const lookups = await load(
      [url],
      token,
      (i) => ({ method: 'GET', path: `/api/v1/macs/${sample[i % sample.length]}` }),
      SECONDS,
      [child.pid],
    );
    console.log(
      `SQLite lookups GET /api/v1/macs/{mac}: ${fmt(lookups.perSecond)} requests/s (${fmt((100 * lookups.perSecond) / ceiling)}% of the ceiling), p50 ${fmt(lookups.p50, 1)} ms, p99 ${fmt(lookups.p99, 1)} ms, ${lookups.failed} failed; server CPU ${fmt(lookups.cpuMs, 3)} ms/request`,
    );
    await stop(child);
    console.log(`  store check: ${await checkStore(db, r.macs)}`);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

const PG = process.env['MACFLEET_BENCH_PG_URL'] ?? process.env['MACFLEET_TEST_PG_URL'];
if (PG === undefined || PG === '') {
  console.log('PostgreSQL: skipped (set MACFLEET_BENCH_PG_URL or MACFLEET_TEST_PG_URL)');
} else {
  const schema = `mf_bench_serve_${process.pid}`;
  const db = `${PG}${PG.includes('?') ? '&' : '?'}schema=${schema}`;
  const token = await prepare(db);
  const servers = [await startServe(db), await startServe(db)];
  try {
    const urls = servers.map((s) => s.url);
    await load(urls, token, allocate, 1);
    const r = await load(
      urls,
      token,
      allocate,
      SECONDS,
      servers.map((x) => x.child.pid),
    );
    console.log(
      `PostgreSQL, 2 serve processes, ${CLIENTS} clients: ${fmt(r.perSecond)} durable allocations/s ` +
        `(${fmt(r.perSecond / base, 1)}x the SQLite baseline), p50 ${fmt(r.p50, 1)} ms, p99 ${fmt(r.p99, 1)} ms, ${r.failed} failed; server CPU ${fmt(r.cpuMs, 3)} ms/request`,
    );
    for (const s of servers) await stop(s.child);
    console.log(`  store check: ${await checkStore(db, r.macs)}`);
  } finally {
    for (const s of servers) if (s.child.exitCode === null) s.child.kill('SIGKILL');
    const client = new pg.Client({ connectionString: PG });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  }
}
rmSync(tmp, { recursive: true, force: true });
