/** The pool commands end to end, in-process through runCli() and a temporary database. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { latestVersion } from '../src/store/migrations.js';

const dir = mkdtempSync(join(tmpdir(), 'macfleet-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; out: string; err: string }> {
  // These tests replay fixed times through commands that write: the test-only clock override.
  const r = await runCli(args, { env: { HOME: dir, MACFLEET_ALLOW_CLOCK_OVERRIDE: '1', ...env }, cwd: dir });
  return { code: r.code, out: r.stdout, err: r.stderr };
}

describe('pool commands', () => {
  const db = join(dir, 'cli.db');
  const T0 = '2026-01-01T00:00:00Z';

  it('init picks a random locally administered /24 and makes it the default pool', async () => {
    const a = await cli(['init', '--db', join(dir, 'a.db'), '--json']);
    const b = await cli(['init', '--db', join(dir, 'b.db'), '--json']);
    expect(a.code).toBe(0);
    const pa = JSON.parse(a.out) as { ranges: string[]; size: number; default: boolean };
    const pb = JSON.parse(b.out) as { ranges: string[] };
    expect(pa).toMatchObject({ size: 2 ** 24, default: true });
    expect(pa.ranges[0]).toMatch(/^[0-9a-f][26ae]:[0-9a-f]{2}:[0-9a-f]{2}:00:00:00-/);
    expect(pa.ranges[0]).not.toBe(pb.ranges[0]);
    expect((await cli(['init', '--db', join(dir, 'a.db')])).code).toBe(3);
    const fixed = await cli([
      'init',
      '--db',
      join(dir, 'c.db'),
      '--prefix',
      '0a:1b:2c:00:00:00/40',
      '--json',
    ]);
    expect(JSON.parse(fixed.out)).toMatchObject({
      ranges: ['0a:1b:2c:00:00:00-0a:1b:2c:00:00:ff'],
      size: 256,
    });
  });

  it('creates, allocates, reserves, releases with quarantine, and tells who holds a MAC', async () => {
    const base = ['--db', db];
    expect(
      (
        await cli([
          'pool',
          'create',
          'lab',
          '--range',
          '0a:1b:2c:00:00:00-0a:1b:2c:00:00:0f',
          '--quarantine',
          '1h',
          '--default',
          ...base,
        ])
      ).code,
    ).toBe(0);
    const overlap = await cli(['pool', 'create', 'lab2', '--range', '0a:1b:2c:00:00:08/45', ...base]);
    expect(overlap).toMatchObject({ code: 3 });
    expect(overlap.err).toMatch(
      /overlaps pool lab on .*; pass --force to create it anyway \[RANGE_OVERLAP\]/,
    );
    const bad = await cli(['pool', 'create', 'x', '--range', '0a:1b:2c:00:00:0f-0a:1b:2c:00:00:00', ...base]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('is above its end');

    const keyed = ['allocate', '--count', '3', '--owner', 'vm-1', '--key', 'vm-1', '--json', ...base];
    const alloc = await cli([...keyed, '--now', T0]);
    expect(alloc.code).toBe(0);
    expect(JSON.parse(alloc.out)).toEqual(['0a:1b:2c:00:00:00', '0a:1b:2c:00:00:01', '0a:1b:2c:00:00:02']);
    const again = await cli(keyed);
    expect(again.out).toBe(alloc.out);
    expect((await cli(['allocate', '--pool', 'lab', ...base])).out).toBe('0a:1b:2c:00:00:03\n');

    const taken = await cli(['reserve', '0A-1B-2C-00-00-01', '--owner', 'router', ...base]);
    expect(taken.code).toBe(3);
    expect(taken.err).toContain('0a:1b:2c:00:00:01 is already allocated by "vm-1" (pool lab)');
    expect((await cli(['reserve', '0a1b.2c00.0004', '--owner', 'router', ...base])).code).toBe(0);

    const rel = await cli(['release', '0a:1b:2c:00:00:01', '0a:1b:2c:00:00:0e', '--now', T0, ...base]);
    expect(rel.code).toBe(3);
    expect(rel.out).toContain(
      '0a:1b:2c:00:00:01 released from "vm-1", quarantined until 2026-01-01T01:00:00.000Z',
    );
    expect(rel.err).toContain('0a:1b:2c:00:00:0e is not allocated');
    expect((await cli(['release', 'zz:zz', ...base])).code).toBe(2);

    const show = await cli(['pool', 'show', 'lab', '--json', '--now', T0, ...base]);
    expect(JSON.parse(show.out)).toMatchObject({ size: 16, used: 4, free: 11, quarantined: 1 });
    const later = await cli(['pool', 'show', 'lab', '--json', '--now', '2026-01-01T01:00:00Z', ...base]);
    expect(JSON.parse(later.out)).toMatchObject({ used: 4, free: 12, quarantined: 0 });

    const who = await cli(['whois', '0a:1b:2c:00:00:01', ...base]);
    expect(who.out).toMatch(
      /holder {3}quarantined \(pool lab\) until 2026-01-01T01:00:00.000Z, released by "vm-1"/,
    );
    expect(who.out).toMatch(
      /allocated pool lab owner "vm-1" key "vm-1"\n.*released {2}pool lab owner "vm-1"/,
    );

    const rest = await cli(['allocate', '--count', '12', '--json', '--now', T0, ...base]);
    expect(rest.code).toBe(3);
    expect(rest.err).toContain('"code":"POOL_EXHAUSTED"');
    expect(rest.err).toContain(
      'pool lab is exhausted: 12 requested, 11 free of 16 addresses (1 more in quarantine)',
    );

    const list = await cli(['pool', 'list', ...base]);
    expect(list.out).toMatch(/^POOL +SIZE +USED +FREE +QUARANTINED +USED% +RANGES\nlab\* +16 +4 +/);
  });

  it('db status shows the schema version and where the database came from', async () => {
    // db status reports a missing database and creates nothing (a mistyped path must not leave a file).
    const missing = await cli(['db', 'status', '--db', 'rel.db']);
    expect(missing.code).toBe(3);
    expect(missing.err).toContain(`no database at ${join(dir, 'rel.db')}`);
    expect(existsSync(join(dir, 'rel.db'))).toBe(false);
    for (const env of [{ MACFLEET_DB: join(dir, 'env.db') }, {}, { XDG_DATA_HOME: join(dir, 'xdg') }])
      expect((await cli(['init'], env)).code).toBe(0);
    expect((await cli(['init', '--db', 'rel.db'])).code).toBe(0);
    const status = await cli(['db', 'status', '--json'], { MACFLEET_DB: join(dir, 'env.db') });
    expect(JSON.parse(status.out)).toMatchObject({
      dialect: 'sqlite',
      location: join(dir, 'env.db'),
      source: 'MACFLEET_DB',
      version: latestVersion(),
      latest: latestVersion(),
    });
    // $MACFLEET_DB wins over --db (the allocator issue's order); the ignored --db is named on stderr.
    const both = await cli(['db', 'status', '--db', 'rel.db'], { MACFLEET_DB: join(dir, 'env.db') });
    expect(both.out).toContain(`SQLite ${join(dir, 'env.db')}`);
    expect(both.out).toContain('chosen by     MACFLEET_DB');
    expect(both.err).toContain('takes precedence over --db rel.db');
    const flag = await cli(['db', 'status', '--db', 'rel.db']);
    expect(flag.out).toContain(`SQLite ${join(dir, 'rel.db')}`);
    expect(flag.out).toContain('chosen by     --db');
    const home = await cli(['db', 'status']);
    expect(home.out).toContain(join(dir, '.local', 'share', 'macfleet', 'macfleet.db'));
    const xdg = await cli(['db', 'status'], { XDG_DATA_HOME: join(dir, 'xdg') });
    expect(xdg.out).toContain(join(dir, 'xdg', 'macfleet', 'macfleet.db'));
  });
});
