/**
 * Issue 16's store items through the CLI, each repro as a test: a replayed key whose MACs were released
 * (#1), times at the edge and bad stored times (#2), `--now` on writes (#3), an unreachable store (#5),
 * a mistyped or read-only database (#12), a huge `--count` (#8).
 */
import Database from 'better-sqlite3';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exitCodeFor } from '../src/cli/exit-codes.js';
import { runCli } from './helpers/cli.js';
import { PG_URL, dropSchemas, freshSchema } from './store/pg-test-url.js';

const dir = mkdtempSync(join(tmpdir(), 'macfleet-store-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshDb = (): string => join(dir, `s${++n}.db`);

async function cli(args: string[], env: Record<string, string> = {}) {
  const r = await runCli(args, { env: { HOME: dir, ...env }, cwd: dir });
  return { code: r.code, out: r.stdout, err: r.stderr };
}

const pgUrl = PG_URL ?? '';
const schemas: string[] = [];
afterAll(() => (pgUrl === '' ? undefined : dropSchemas(pgUrl, schemas)));
const backends: [string, () => string][] = [['SQLite', freshDb]];
if (pgUrl !== '') {
  backends.push([
    'PostgreSQL',
    () => {
      const s = freshSchema('cli16');
      schemas.push(s);
      return `${pgUrl}${pgUrl.includes('?') ? '&' : '?'}schema=${s}`;
    },
  ]);
}

describe.each(backends)('issue 16 #1 on %s', (_name, fresh) => {
  it('refuses to replay a key whose MAC was released and handed to bob (exit 3, ALLOCATION_RELEASED)', async () => {
    const db = fresh();
    const base = ['--db', db];
    expect(
      (
        await cli([
          'pool',
          'create',
          't',
          '--range',
          '0a:00:00:00:09:00-0a:00:00:00:09:00',
          '--quarantine',
          '0',
          ...base,
        ])
      ).code,
    ).toBe(0);
    const a1 = await cli(['allocate', '--pool', 't', '--owner', 'alice', '--key', 'a1', ...base]);
    expect(a1).toMatchObject({ code: 0, out: '0a:00:00:00:09:00\n' });
    expect((await cli(['release', '0a:00:00:00:09:00', ...base])).code).toBe(0);
    expect((await cli(['allocate', '--pool', 't', '--owner', 'bob', '--key', 'b1', ...base])).out).toBe(
      '0a:00:00:00:09:00\n',
    );
    const replay = await cli(['allocate', '--pool', 't', '--owner', 'alice', '--key', 'a1', ...base]);
    expect(replay.code).toBe(3);
    expect(replay.out).toBe('');
    expect(replay.err).toMatch(/idempotency key "a1".*were released since.*\[ALLOCATION_RELEASED\]/);
    const who = await cli(['whois', '0a:00:00:00:09:00', '--json', ...base]);
    expect((JSON.parse(who.out) as { holding: { owner: string } }).holding.owner).toBe('bob');
  });
});

describe('issue 16 #2 and #3: times', () => {
  it('refuses an out-of-range --now everywhere (exit 2), before anything is written', async () => {
    const db = freshDb();
    await cli(['init', '--db', db]);
    for (const args of [['allocate'], ['whois', '0a:00:00:00:00:01'], ['pool', 'show'], ['events']]) {
      const r = await cli([...args, '--db', db, '--now', '99999999999999999999'], {
        MACFLEET_ALLOW_CLOCK_OVERRIDE: '1',
      });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(/--now: expected an ISO 8601 time .* between 1970-01-01 and 9999-12-31/);
    }
    expect((await cli(['events', '--db', db, '--since', '+275760-09-13'])).code).toBe(2);
    expect((await cli(['pool', 'show', '--db', db, '--json'])).out).toContain('"used": 0');
  });

  it('refuses --now for a command that writes unless the test setting allows it', async () => {
    const db = freshDb();
    await cli(['init', '--db', db]);
    const refused = await cli(['allocate', '--db', db, '--now', '2020-01-01T00:00:00Z']);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/this command writes.*MACFLEET_ALLOW_CLOCK_OVERRIDE=1/);
    expect((await cli(['pool', 'show', '--db', db, '--json'])).out).toContain('"used": 0');
    // A what-if on a command that only reads is fine.
    expect((await cli(['pool', 'show', '--db', db, '--now', '2020-01-01T00:00:00Z'])).code).toBe(0);
    const allowed = await cli(['allocate', '--db', db, '--now', '2020-01-01T00:00:00Z'], {
      MACFLEET_ALLOW_CLOCK_OVERRIDE: '1',
    });
    expect(allowed.code).toBe(0);
  });

  it('reads a database holding a time no date can show (written by hand or an older macfleet)', async () => {
    const db = freshDb();
    await cli(['init', '--db', db]);
    const mac = (await cli(['allocate', '--db', db])).out.trim();
    await cli(['host', 'add', 'h1', '--hypervisor', 'kvm', '--db', db]);
    const raw = new Database(db);
    raw.prepare('UPDATE macs SET since = ?').run(9e18);
    raw.prepare('INSERT INTO mac_events (mac, event, at) SELECT mac, ?, ? FROM macs').run('allocated', 9e18);
    raw
      .prepare('INSERT INTO fleet_events (seq, time, actor, kind, host) VALUES (?, ?, ?, ?, ?)')
      .run(99, 9e18, 'mallory', 'host.added', 'h1');
    raw.close();
    const who = await cli(['whois', mac, '--db', db]);
    expect(who.code).toBe(0);
    expect(who.out).toContain('(invalid time 9000000000000000000)');
    const events = await cli(['events', '--db', db]);
    expect(events.code).toBe(0);
    expect(events.out).toContain('(invalid time 9000000000000000000)');
    expect((await cli(['events', '--db', db, '--json'])).code).toBe(0);
    const reserve = await cli(['reserve', mac, '--owner', 'x', '--db', db]);
    expect(reserve.code).toBe(3);
    expect(reserve.err).toContain('(invalid time 9000000000000000000)');
  });
});

describe('issue 16 #12: which database, and whether it can be read', () => {
  it('a mistyped MACFLEET_DB is NOT_FOUND for a command that only reads, and no file appears', async () => {
    const typo = join(dir, 'typo', 'macfleet.db');
    for (const args of [
      ['pool', 'list'],
      ['whois', '0a:00:00:00:00:01'],
      ['events'],
      ['vm', 'list'],
      ['findings'],
    ]) {
      const r = await cli(args, { MACFLEET_DB: typo });
      expect(r.code, args.join(' ')).toBe(3);
      expect(r.err).toContain(`no database at ${typo}`);
    }
    expect(existsSync(typo)).toBe(false);
    expect(existsSync(join(dir, 'typo'))).toBe(false);
  });

  it('a read-only database file serves the commands that only read', async () => {
    const db = freshDb();
    await cli(['init', '--db', db]);
    const mac = (await cli(['allocate', '--db', db])).out.trim();
    chmodSync(db, 0o444);
    try {
      expect((await cli(['pool', 'list', '--db', db])).code).toBe(0);
      const who = await cli(['whois', mac, '--db', db]);
      expect(who.code).toBe(0);
      expect(who.out).toContain('allocated');
      expect((await cli(['events', '--db', db])).code).toBe(0);
      if (process.getuid?.() !== 0) {
        // (root writes through file modes: only an unprivileged user sees the refusal.)
        const w = await cli(['allocate', '--db', db]);
        expect(w.code).toBe(4);
      }
    } finally {
      chmodSync(db, 0o644);
    }
  });

  it('an unreachable PostgreSQL is STORE_UNAVAILABLE, exit 4, not bad input or internal', async () => {
    const r = await cli(['pool', 'list', '--db', 'postgres://nobody@127.0.0.1:1/none']);
    expect(r.code).toBe(4);
    expect(r.err).toMatch(/unavailable.*\[STORE_UNAVAILABLE\]/);
    expect(r.err).not.toMatch(/internal error|at .*\.ts:\d+/);
  });

  it('maps the store codes to exit statuses', () => {
    expect(
      (
        ['STORE_UNAVAILABLE', 'STORE_LOCKED', 'IO_FAILED', 'ALLOCATION_RELEASED', 'LIMIT_EXCEEDED'] as const
      ).map(exitCodeFor),
    ).toEqual([4, 4, 4, 3, 2]);
  });
});

describe('issue 16 #8: allocate --count 10000000', () => {
  it('is refused with a clear limit (exit 2) and allocates nothing', async () => {
    const db = freshDb();
    await cli(['init', '--db', db]);
    const r = await cli(['allocate', '--count', '10000000', '--db', db]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('count 10000000 is more than one request may allocate (1000000)');
    expect(r.err).toContain('[LIMIT_EXCEEDED]');
    expect((await cli(['pool', 'show', '--db', db, '--json'])).out).toContain('"used": 0');
  });

  it('prints a large allocation in the same JSON as before', async () => {
    const db = freshDb();
    await cli(['init', '--db', db]);
    const r = await cli(['allocate', '--count', '25001', '--json', '--db', db]);
    expect(r.code).toBe(0);
    const macs = JSON.parse(r.out) as string[];
    expect(macs).toHaveLength(25001);
    expect(new Set(macs).size).toBe(25001);
    expect(r.out).toBe(`${JSON.stringify(macs, null, 2)}\n`);
  });
});
