/**
 * POST /api/v1/findings/fix-plan and /findings/fix: the inventory's duplicates (the real scan of
 * examples/fleet, imported) planned, refused on a stale version, then made with MACs from a pool; a change
 * the core refuses (a static MAC an ESXi host of unknown version would not take) gives its MAC back.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testApi, type TestApi } from '../../src/api/test-api.js';
import { REPO_ROOT, runCli } from '../helpers/cli.js';

interface Plan {
  version: number;
  changes: {
    mac: string;
    scope: string;
    adapter: { host: string; vm: string; adapter: number };
    refused: unknown;
  }[];
  leftAlone: number;
}
interface Outcome {
  version: number;
  changed: number;
  refused: number;
  outcomes: { mac: string; macAfter: string | null; error: { code: string } | null }[];
}

let api: TestApi;
beforeEach(async () => {
  api = await testApi();
  const scan = await runCli([
    'scan',
    join(REPO_ROOT, 'examples', 'fleet'),
    '--host-from-path',
    '{host}/**',
    '--json',
    '--fail-on',
    'none',
  ]);
  expect(scan.code, scan.stderr).toBe(0);
  const imported = await api.call('POST', '/api/v1/imports?hypervisor=virtual-server', {
    token: 'operator',
    raw: scan.stdout,
  });
  expect(imported.status, imported.text).toBe(200);
  const pool = await api.call('POST', '/api/v1/pools', {
    body: { name: 'fix', ranges: ['00:50:56:3f:fe:00-00:50:56:3f:fe:ff'] },
  });
  expect(pool.status, pool.text).toBe(201);
});
afterEach(async () => {
  await api.close();
});

const duplicates = async (): Promise<{ scope: string; mac: string }[]> =>
  (
    (await api.call('GET', '/api/v1/findings?limit=1000', { token: 'viewer' })).body as {
      items: { kind: string; scope: string; mac: string }[];
    }
  ).items.filter((f) => f.kind === 'duplicate');

describe('fixing the inventory over HTTP', () => {
  it('plans, refuses a stale confirm, then gives every other member a MAC from the pool', async () => {
    const before = await duplicates();
    const fixable = before.filter((f) => f.scope !== 'latent');
    expect(fixable.length).toBeGreaterThan(1);

    const planned = await api.call('POST', '/api/v1/findings/fix-plan', {
      token: 'viewer',
      body: { action: 'pool', pool: 'fix' },
    });
    expect(planned.status, planned.text).toBe(200);
    const plan = planned.body as Plan;
    // One change per member but the keeper, of each blocking or conflicting finding; the latent ones are left.
    expect(new Set(plan.changes.map((c) => c.mac))).toEqual(new Set(fixable.map((f) => f.mac)));
    expect(plan.leftAlone).toBeGreaterThanOrEqual(before.length - fixable.length);
    // Planning wrote nothing.
    expect(await duplicates()).toEqual(before);

    const stale = await api.call('POST', '/api/v1/findings/fix', {
      token: 'operator',
      body: { action: 'pool', pool: 'fix', version: plan.version - 1 },
    });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ code: 'STALE_PLAN', field: 'json.version' });
    expect(await duplicates()).toEqual(before);

    const viewer = await api.call('POST', '/api/v1/findings/fix', {
      token: 'viewer',
      body: { action: 'pool', pool: 'fix', version: plan.version },
    });
    expect(viewer.status).toBe(403);

    const made = await api.call('POST', '/api/v1/findings/fix', {
      token: 'operator',
      body: { action: 'pool', pool: 'fix', version: plan.version },
    });
    expect(made.status, made.text).toBe(200);
    const outcome = made.body as Outcome;
    expect(outcome.changed + outcome.refused).toBe(plan.changes.length);
    expect(outcome.version).toBeGreaterThan(plan.version);
    // The duplicates of examples/fleet that are not latent are all on ESXi hosts: the pool lies in
    // VMware's static range (00:50:56:00-3f), which every ESXi version takes; the VMs are stopped.
    expect(outcome).toMatchObject({ changed: plan.changes.length, refused: 0 });
    for (const o of outcome.outcomes) expect(o.macAfter).toMatch(/^00:50:56:3f:fe:[0-9a-f]{2}$/);
    const pool = (await api.call('GET', '/api/v1/pools/fix', { token: 'viewer' })).body as { used: number };
    expect(pool.used).toBe(plan.changes.length);
    expect((await duplicates()).filter((f) => f.scope !== 'latent')).toEqual([]);

    // Planned again, nothing is left to do.
    const again = await api.call('POST', '/api/v1/findings/fix-plan', {
      token: 'viewer',
      body: { action: 'pool', pool: 'fix' },
    });
    expect((again.body as Plan).changes).toEqual([]);
  });

  it('gives back the MAC of a change the core refuses (an ESXi host of unknown version, a MAC outside its static range)', async () => {
    const other = await api.call('POST', '/api/v1/pools', {
      body: { name: 'outside', ranges: ['0a:fe:00:00:00:00-0a:fe:00:00:00:ff'] },
    });
    expect(other.status, other.text).toBe(201);
    const plan = (
      await api.call('POST', '/api/v1/findings/fix-plan', {
        token: 'viewer',
        body: { action: 'pool', pool: 'outside' },
      })
    ).body as Plan;
    const made = (
      await api.call('POST', '/api/v1/findings/fix', {
        token: 'operator',
        body: { action: 'pool', pool: 'outside', version: plan.version },
      })
    ).body as Outcome;
    expect(made).toMatchObject({ changed: 0, refused: plan.changes.length, version: plan.version });
    for (const o of made.outcomes) expect(o.error).toMatchObject({ code: 'INVALID_MAC' });
    const pool = (await api.call('GET', '/api/v1/pools/outside', { token: 'viewer' })).body as {
      used: number;
    };
    expect(pool.used).toBe(0);
  });

  it('names a bad option by its field', async () => {
    const r = await api.call('POST', '/api/v1/findings/fix-plan', {
      token: 'viewer',
      body: { action: 'teleport' },
    });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ field: 'json.action' });
  });
});
