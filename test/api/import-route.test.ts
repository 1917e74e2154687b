/**
 * POST /api/v1/imports: the real `scan --json` of examples/fleet sent to the API gives the same
 * duplicate findings and NLB problems through GET /api/v1/findings as the scan; a bad document is answered with the
 * JSON path of each bad field; a second import changes nothing.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testApi, type TestApi } from '../../src/api/test-api.js';
import { REPO_ROOT, runCli } from '../helpers/cli.js';

interface DupFinding {
  kind?: string;
  severity: string;
  scope: string;
  mac: string;
  members: { host: string | null; vm: string; network: string | null }[];
}

let api: TestApi;
beforeEach(async () => {
  api = await testApi();
});
afterEach(async () => {
  await api.close();
});

const scanOf = async (root: string): Promise<{ adapters: unknown[]; findings: DupFinding[] }> => {
  const scan = await runCli(['scan', root, '--host-from-path', '{host}/**', '--json', '--fail-on', 'none']);
  expect(scan.code, scan.stderr).toBe(0);
  return JSON.parse(scan.stdout) as { adapters: unknown[]; findings: DupFinding[] };
};

describe('POST /api/v1/imports', () => {
  it('imports the real scan of examples/fleet; the API findings name the scan duplicates with their scopes', async () => {
    const doc = await scanOf(join(REPO_ROOT, 'examples', 'fleet'));
    const first = await api.call('POST', '/api/v1/imports?hypervisor=virtual-server', {
      token: 'operator',
      body: doc,
    });
    expect(first.status, first.text).toBe(200);
    const result = first.body as { adapters: { imported: number }; vms: { created: number } };
    expect(result.adapters.imported).toBeGreaterThan(10);
    expect(result.vms.created).toBeGreaterThan(3);

    const findings: DupFinding[] = [];
    for (let next: string | null = '/api/v1/findings?limit=3'; next !== null;) {
      const page = await api.call('GET', next, { token: 'viewer' });
      expect(page.status, page.text).toBe(200);
      const body = page.body as { items: DupFinding[]; next: string | null };
      findings.push(...body.items);
      next = body.next;
    }
    const key = (f: DupFinding) =>
      `${f.scope} ${f.mac} ${f.members
        .map((m) => `${m.host}/${m.vm}@${m.network ?? '(not connected)'}`)
        .sort()
        .join(',')}`;
    const fromScan = doc.findings.filter((f) => f.kind === 'duplicate').map(key);
    expect(fromScan.length).toBeGreaterThan(4);
    expect(
      findings
        .filter((f) => f.kind === 'duplicate')
        .map(key)
        .sort(),
    ).toEqual(fromScan.sort());
    // The NLB problems too: the same rules over the inventory's adapters and guards as over the files.
    const nlb = (f: DupFinding) => `${f.severity} ${f.mac}`;
    const nlbFromScan = doc.findings.filter((f) => f.kind === 'nlb').map(nlb);
    expect(nlbFromScan.length).toBeGreaterThan(1);
    expect(
      findings
        .filter((f) => f.kind === 'nlb')
        .map(nlb)
        .sort(),
    ).toEqual(nlbFromScan.sort());

    const again = await api.call('POST', '/api/v1/imports?hypervisor=virtual-server', {
      token: 'operator',
      body: doc,
    });
    expect(again.body).toMatchObject({ vms: { created: 0, updated: 0 }, hosts: { created: 0 } });
  });

  it('names each bad adapter by its JSON path and imports the rest; refuses a document with nothing readable', async () => {
    const good = {
      file: 'a/web.vmx',
      vm: 'web',
      host: 'h1',
      network: 'lan',
      mac: '00:50:56:00:00:01',
      mode: 'static',
      hypervisor: 'vmware',
    };
    const partial = await api.call('POST', '/api/v1/imports', {
      token: 'operator',
      body: { adapters: [good, { ...good, vm: 'db', mac: 'not-a-mac' }] },
    });
    expect(partial.status, partial.text).toBe(200);
    expect(partial.body).toMatchObject({
      adapters: { imported: 1 },
      issues: [{ field: 'adapters[1].mac', code: 'PARSE_ERROR' }],
    });

    const none = await api.call('POST', '/api/v1/imports', {
      token: 'operator',
      body: { adapters: [{ ...good, mac: 12 }] },
    });
    expect(none.status).toBe(400);
    expect(none.body).toMatchObject({ code: 'PARSE_ERROR', field: 'body.adapters[0].mac' });

    const shape = await api.call('POST', '/api/v1/imports', { token: 'operator', body: { vms: [] } });
    expect(shape.status).toBe(400);
    expect(shape.body).toMatchObject({ code: 'INVALID_ARGUMENT' });
    const notJson = await api.call('POST', '/api/v1/imports', { token: 'operator', raw: '{"adapters": [' });
    expect(notJson.status).toBe(400);
  });

  it('needs the operator role and a known hypervisor', async () => {
    const viewer = await api.call('POST', '/api/v1/imports', { token: 'viewer', body: { adapters: [] } });
    expect(viewer.status).toBe(403);
    const unknown = await api.call('POST', '/api/v1/imports?hypervisor=hal9000', {
      token: 'operator',
      body: { adapters: [] },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ field: 'query.hypervisor' });
    const none = await api.call('POST', '/api/v1/imports', { token: null, body: { adapters: [] } });
    expect(none.status).toBe(401);
  });
});
