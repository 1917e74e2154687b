/**
 * `macfleet serve` as a real process on 127.0.0.1: a client storm against a child killed with SIGKILL
 * (every MAC acknowledged with 201 is in the store exactly once after the restart, none was handed out
 * twice, and the store hands none of them out again), and a SIGTERM that lets in-flight requests finish
 * and exits 0. The storm's shape comes from a seed, printed so a failure can be replayed
 * (MACFLEET_CRASH_SEED=<n>).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { seededRandom, randomInt } from '../../src/random.js';
import { verifyFreeList } from '../../src/store/pool/free-list.js';
import { findPool } from '../../src/store/pool/pool-rows.js';
import { openStore } from '../../src/store/open-store.js';
import { PoolStore } from '../../src/store/pool-store.js';
import { TokenStore } from '../../src/store/token-store.js';
import { PG_URL, dropSchemas, freshSchema } from '../store/pg-test-url.js';

const here = dirname(fileURLToPath(import.meta.url));
const worker = join(here, '..', 'workers', 'serve.ts');
const dir = mkdtempSync(join(tmpdir(), 'macfleet-serve-'));
const schemas: string[] = [];
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (PG_URL !== undefined && PG_URL !== '') await dropSchemas(PG_URL, schemas);
});

async function prepare(db: string): Promise<string> {
  const store = await openStore(db);
  await new PoolStore(store).createPool({
    name: 'p',
    ranges: ['0a:1b:2c:00:00:00-0a:1b:2c:00:ff:ff'],
    quarantineMs: 0,
  });
  const { token } = await new TokenStore(store).create({ role: 'operator', name: 'storm' });
  await store.close();
  return token;
}

function startServe(db: string): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', worker, '--db', db, '--listen', '127.0.0.1:0'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, MACFLEET_DB: '' },
  });
  let err = '';
  return new Promise((resolve, reject) => {
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      err += chunk;
      const m = / on (http:\/\/127\.0\.0\.1:\d+) /.exec(err);
      if (m !== null) resolve({ child, url: m[1]!, stderr: () => err });
    });
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
}

const exited = (child: ChildProcess): Promise<number | null> =>
  child.exitCode !== null
    ? Promise.resolve(child.exitCode)
    : new Promise((resolve) => child.once('exit', (code) => resolve(code)));

async function allocate(url: string, token: string, count: number, key: string): Promise<string[] | null> {
  const res = await fetch(`${url}/api/v1/pools/p/allocations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ count, key, owner: key }),
  });
  const body = (await res.json()) as { macs?: string[] };
  return res.status === 201 ? body.macs! : null;
}

describe('macfleet serve as a process', () => {
  it('loses no acknowledged MAC and hands none out twice when killed with SIGKILL mid-storm', async () => {
    const seed = Number(process.env['MACFLEET_CRASH_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
    console.log(`serve crash test seed: ${seed} (replay with MACFLEET_CRASH_SEED=${seed})`);
    const random = seededRandom(seed);
    const db = join(dir, `crash-${seed}.db`);
    const token = await prepare(db);
    const { child, url } = await startServe(db);
    const acked: string[] = [];
    let killed = false;
    let sent = 0;
    const clients = 8 + randomInt(random, 25);
    const client = async (c: number): Promise<void> => {
      for (let i = 0; !killed && i < 400; i++) {
        const count = 1 + randomInt(random, 3);
        sent++;
        try {
          const macs = await allocate(url, token, count, `c${c}-${i}`);
          if (macs !== null) acked.push(...macs);
        } catch {
          return; // the server is gone: this request was never acknowledged
        }
      }
    };
    const storm = Promise.all(Array.from({ length: clients }, (_, c) => client(c)));
    // Kill mid-storm, once a seeded number of MACs were acknowledged (so the checks below check something).
    const killAt = 50 + randomInt(random, 300);
    const deadline = Date.now() + 30_000;
    while (acked.length < killAt && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 5));
    child.kill('SIGKILL');
    killed = true;
    await exited(child);
    await storm;
    expect(new Set(acked).size, `seed ${seed}: a MAC was acknowledged twice`).toBe(acked.length);

    // After the restart: every acknowledged MAC is held, once; the free list is whole.
    const store = await openStore(db);
    const rows = await store.transaction((tx) =>
      tx.all<{ mac: number; state: string }>('SELECT mac, state FROM macs'),
    );
    const held = new Map(rows.map((r) => [r.mac, r.state]));
    expect(held.size).toBe(rows.length);
    for (const mac of acked)
      expect(held.get(parseInt(mac.replaceAll(':', ''), 16)), `seed ${seed}: ${mac}`).toBe('allocated');
    const issues = await store.transaction(async (tx) =>
      verifyFreeList(tx, (await findPool(tx, 'p', false)).id),
    );
    expect(issues).toEqual([]);
    await store.close();

    // And a restarted server never hands one of them out again.
    const again = await startServe(db);
    try {
      const more = await allocate(again.url, token, 50, 'after-restart');
      expect(more).toHaveLength(50);
      expect(more!.filter((m) => acked.includes(m))).toEqual([]);
    } finally {
      again.child.kill('SIGTERM');
      expect(await exited(again.child)).toBe(0);
    }
    console.log(
      `serve crash test seed ${seed}: ${clients} clients, killed at ${acked.length} MACs acknowledged (target ${killAt}), ${sent} requests, ${acked.length} MACs acknowledged`,
    );
  }, 120_000);

  it('on SIGTERM stops accepting, answers the requests in flight, closes the store and exits 0', async () => {
    const db = join(dir, 'term.db');
    const token = await prepare(db);
    const { child, url, stderr } = await startServe(db);
    const inFlight = Array.from({ length: 20 }, (_, i) => allocate(url, token, 1, `t${i}`));
    await new Promise((resolve) => setTimeout(resolve, 5));
    child.kill('SIGTERM');
    const answers = await Promise.allSettled(inFlight);
    expect(await exited(child)).toBe(0);
    expect(stderr()).toMatch(/SIGTERM: finishing in-flight requests\nmacfleet: stopped\n/);
    const acked = answers.flatMap((a) => (a.status === 'fulfilled' && a.value !== null ? a.value : []));
    const store = await openStore(db);
    const rows = await store.transaction((tx) =>
      tx.all<{ mac: number }>("SELECT mac FROM macs WHERE state = 'allocated'"),
    );
    await store.close();
    expect(rows.length).toBe(acked.length);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  }, 60_000);

  it.skipIf(PG_URL === undefined || PG_URL === '')(
    'two serve processes on one PostgreSQL database never hand out a MAC twice',
    async () => {
      const schema = freshSchema('serve2');
      schemas.push(schema);
      const db = `${PG_URL}${PG_URL!.includes('?') ? '&' : '?'}schema=${schema}`;
      const token = await prepare(db);
      const servers = [await startServe(db), await startServe(db)];
      try {
        const acked: string[] = [];
        await Promise.all(
          Array.from({ length: 12 }, async (_, c) => {
            for (let i = 0; i < 9; i++)
              acked.push(...((await allocate(servers[c % 2]!.url, token, 1 + (i % 3), `pg${c}-${i}`)) ?? []));
          }),
        );
        expect(acked.length).toBe(12 * (3 * 1 + 3 * 2 + 3 * 3));
        expect(new Set(acked).size).toBe(acked.length);
        const store = await openStore(db);
        const count = await store.transaction((tx) =>
          tx.get<{ n: number }>("SELECT COUNT(*) AS n FROM macs WHERE state = 'allocated'"),
        );
        await store.close();
        expect(Number(count!.n)).toBe(acked.length);
      } finally {
        for (const s of servers) s.child.kill('SIGTERM');
        for (const s of servers) expect(await exited(s.child)).toBe(0);
      }
    },
    120_000,
  );
});
