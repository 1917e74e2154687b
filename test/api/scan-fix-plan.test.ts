/**
 * `POST /api/v1/scans/{id}/fix-plan`: the plan for an uploaded scan, its diffs and fixed files; the plan
 * saved and applied by `macfleet fix --apply` in a copy of the upload's root rewrites the file the
 * diff shows, and planning again replays the same MAC. Expected MACs follow from the pool's range.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { zipSync } from 'fflate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testApi, type TestApi } from '../../src/api/test-api.js';
import { runCli } from '../helpers/cli.js';

const vmx = (name: string, mac: string): string =>
  `displayName = "${name}"\nethernet0.present = "TRUE"\nethernet0.networkName = "VM Network"\nethernet0.addressType = "static"\nethernet0.address = "${mac}"\n`;
const TREE: Record<string, string> = {
  'esx01/web01/web01.vmx': vmx('web01', '00:50:56:10:00:01'),
  'esx01/web02/web02.vmx': vmx('web02', '00:50:56:10:00:01'),
};
const POOL = { name: 'vmw', ranges: ['00:50:56:20:00:00-00:50:56:20:00:0f'], default: true };

interface Answer {
  scan: number;
  summary: string;
  plan: {
    changes: { file: string; oldMac: string; newMac: string; keeps: string }[];
    files: { file: string }[];
    allocations: { mac: string; pool: string }[];
  };
  files: { file: string; diff: string; content?: string }[];
}

let api: TestApi;
let dir: string;
beforeEach(async () => {
  api = await testApi();
  dir = mkdtempSync(join(tmpdir(), 'macfleet-fixplan-'));
});
afterEach(async () => {
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

async function upload(files: Record<string, string>): Promise<number> {
  const bytes = zipSync(
    Object.fromEntries(Object.entries(files).map(([k, v]) => [k, new TextEncoder().encode(v)])),
  );
  const r = await api.call('POST', '/api/v1/scans?hostFromPath=%7Bhost%7D/**', {
    token: 'operator',
    bytes,
    headers: { 'content-type': 'application/zip' },
  });
  expect(r.status, r.text).toBe(201);
  return (r.body as { id: number }).id;
}

describe('POST /api/v1/scans/{id}/fix-plan', () => {
  it('plans a new MAC from the pool for the second holder, with a diff and the fixed file', async () => {
    expect((await api.call('POST', '/api/v1/pools', { body: POOL })).status).toBe(201);
    const id = await upload(TREE);
    const r = await api.call('POST', `/api/v1/scans/${id}/fix-plan`, {
      token: 'operator',
      body: { includeFiles: true },
    });
    expect(r.status, r.text).toBe(200);
    const a = r.body as Answer;
    expect(a.scan).toBe(id);
    expect(a.summary).toBe('1 change: 1 written into 1 file; 1 new MAC from pool vmw');
    expect(a.plan.changes).toMatchObject([
      {
        file: 'esx01/web02/web02.vmx',
        oldMac: '00:50:56:10:00:01',
        newMac: '00:50:56:20:00:00',
        keeps: 'esx01/web01/web01.vmx:5 web01 ethernet0',
      },
    ]);
    expect(a.plan.allocations).toMatchObject([{ mac: '00:50:56:20:00:00', pool: 'vmw' }]);
    expect(a.files).toHaveLength(1);
    expect(a.files[0]!.file).toBe('esx01/web02/web02.vmx');
    expect(a.files[0]!.diff).toContain('--- a/esx01/web02/web02.vmx');
    expect(a.files[0]!.diff).toContain(
      '-ethernet0.address = "00:50:56:10:00:01"\n+ethernet0.address = "00:50:56:20:00:00"',
    );
    const fixed = Buffer.from(a.files[0]!.content!, 'base64').toString('utf8');
    expect(fixed).toBe(vmx('web02', '00:50:56:20:00:00'));

    // The same plan again: the same MAC (the key replays), nothing more held.
    const again = await api.call('POST', `/api/v1/scans/${id}/fix-plan`, { token: 'operator', body: {} });
    expect((again.body as Answer).plan.allocations).toMatchObject([{ mac: '00:50:56:20:00:00' }]);
    expect((await api.call('GET', '/api/v1/pools/vmw')).body).toMatchObject({ used: 1 });

    // Applied where the upload came from, by the CLI, from the saved plan.
    for (const [path, text] of Object.entries(TREE)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    writeFileSync(join(dir, 'plan.json'), JSON.stringify((r.body as Answer).plan));
    const applied = await runCli(['fix', '--apply', 'plan.json', '--json'], { cwd: dir });
    expect(applied.code, applied.stderr).toBe(0);
    expect(JSON.parse(applied.stdout)).toMatchObject({ applied: [{ status: 'written' }] });
    expect(readFileSync(join(dir, 'esx01/web02/web02.vmx'), 'utf8')).toBe(fixed);
    expect(readFileSync(join(dir, 'esx01/web01/web01.vmx'), 'utf8')).toBe(TREE['esx01/web01/web01.vmx']);
  });

  it('keeps the MAC where the glob says, and plans nothing for a clean scan', async () => {
    await api.call('POST', '/api/v1/pools', { body: POOL });
    const id = await upload(TREE);
    const r = await api.call('POST', `/api/v1/scans/${id}/fix-plan`, {
      token: 'operator',
      body: { keep: '**/web02.vmx', pool: 'vmw' },
    });
    expect((r.body as Answer).plan.changes).toMatchObject([{ file: 'esx01/web01/web01.vmx' }]);
    const clean = await upload({ 'a/one.vmx': vmx('one', '00:50:56:10:00:07') });
    expect(await api.call('POST', `/api/v1/scans/${clean}/fix-plan`, { token: 'operator' })).toMatchObject({
      status: 200,
      body: { summary: 'nothing to fix', files: [], plan: { changes: [] } },
    });
  });

  it('refuses with the code and field at fault', async () => {
    const id = await upload(TREE);
    const cases: [string, Parameters<TestApi['call']>[2], number, Record<string, unknown>][] = [
      [`/api/v1/scans/${id}/fix-plan`, { token: 'viewer' }, 403, { code: 'FORBIDDEN' }],
      [`/api/v1/scans/${id}/fix-plan`, { token: null }, 401, { code: 'UNAUTHENTICATED' }],
      ['/api/v1/scans/99/fix-plan', { token: 'operator' }, 404, { code: 'NOT_FOUND' }],
      [
        `/api/v1/scans/${id}/fix-plan`,
        { token: 'operator', body: { keep: 'oldest' } },
        400,
        { field: 'json.keep' },
      ],
      [
        `/api/v1/scans/${id}/fix-plan`,
        { token: 'operator', body: { scope: 'all' } },
        400,
        { field: 'json.scope' },
      ],
      [`/api/v1/scans/${id}/fix-plan`, { token: 'operator', body: { pol: 'x' } }, 400, { field: 'json.pol' }],
      // No pool at all: the new MAC has nowhere to come from.
      [
        `/api/v1/scans/${id}/fix-plan`,
        { token: 'operator', body: { pool: 'ghost' } },
        404,
        { code: 'NOT_FOUND' },
      ],
    ];
    for (const [path, options, status, body] of cases)
      expect(await api.call('POST', path, options), `${path} ${JSON.stringify(options)}`).toMatchObject({
        status,
        body,
      });
    await api.call('POST', '/api/v1/pools', {
      body: { name: 'tiny', ranges: ['00:50:56:20:00:00-00:50:56:20:00:00'] },
    });
    await api.call('POST', '/api/v1/pools/tiny/allocations', { token: 'operator', body: { count: 1 } });
    expect(
      await api.call('POST', `/api/v1/scans/${id}/fix-plan`, { token: 'operator', body: { pool: 'tiny' } }),
    ).toMatchObject({ status: 409, body: { code: 'POOL_EXHAUSTED' } });
  });
});
