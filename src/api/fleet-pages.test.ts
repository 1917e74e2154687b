/**
 * The host and VM lists are keyset pages read in SQL (the cursor is the last key), over more than one
 * page, with their filters; and a VM start answers with the warnings `macfleet vm start` prints.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testApi, type TestApi } from './test-api.js';

let api: TestApi;
beforeEach(async () => {
  api = await testApi();
});
afterEach(async () => {
  await api.close();
});

async function ok(method: string, path: string, body: unknown, token = 'admin'): Promise<void> {
  const r = await api.call(method, path, { token, body });
  expect(r.status, `${method} ${path}: ${r.text}`).toBeLessThan(300);
}

/** Every page of a list, following `next`. */
async function pages(path: string): Promise<{ name: string; host?: string; state?: string }[][]> {
  const out: { name: string }[][] = [];
  let next: string | null = path;
  while (next !== null) {
    const r = await api.call('GET', next, { token: 'viewer' });
    expect(r.status, r.text).toBe(200);
    const b = r.body as { items: { name: string }[]; next: string | null };
    out.push(b.items);
    next = b.next;
  }
  return out;
}

describe('host and VM lists', () => {
  it('page hosts by name over several pages', async () => {
    for (const name of ['hv-c', 'hv-a', 'esx-b', 'kvm-1', 'hv-b'])
      await ok('POST', '/api/v1/hosts', {
        name,
        hypervisor: 'kvm',
        nics: [{ mac: `02:00:00:00:00:0${name.length}` }],
      });
    const got = await pages('/api/v1/hosts?limit=2');
    expect(got.map((p) => p.map((h) => h.name))).toEqual([['esx-b', 'hv-a'], ['hv-b', 'hv-c'], ['kvm-1']]);
    expect(got[0]![0]).toMatchObject({ nics: [{ mac: '02:00:00:00:00:05', kind: 'physical' }] });
  });

  it('page VMs by host and name, filtered by host and state', async () => {
    for (const host of ['b', 'a']) {
      await ok('POST', '/api/v1/hosts', { name: host, hypervisor: 'kvm' });
      await ok('POST', '/api/v1/networks', { host, name: 'lan' });
    }
    for (const [host, name] of [
      ['b', 'web'],
      ['a', 'z'],
      ['a', 'db'],
      ['b', 'app'],
      ['a', 'mail'],
    ] as const)
      await ok('POST', '/api/v1/vms', { host, name, adapters: [{ network: 'lan' }] }, 'operator');
    await ok('POST', '/api/v1/vms/a/mail/start', undefined, 'operator');
    await ok('POST', '/api/v1/vms/b/web/start', undefined, 'operator');
    const all = await pages('/api/v1/vms?limit=2');
    expect(all.map((p) => p.map((v) => `${v.host}/${v.name}`))).toEqual([
      ['a/db', 'a/mail'],
      ['a/z', 'b/app'],
      ['b/web'],
    ]);
    expect((await pages('/api/v1/vms?limit=1&host=a')).flat().map((v) => v.name)).toEqual([
      'db',
      'mail',
      'z',
    ]);
    expect((await pages('/api/v1/vms?limit=1&state=running')).map((p) => p.map((v) => v.name))).toEqual([
      ['mail'],
      ['web'],
    ]);
    const stopped = await pages('/api/v1/vms?host=b&state=stopped');
    expect(stopped).toEqual([[expect.objectContaining({ name: 'app', state: 'stopped' })]]);
  });

  it('refuses a cursor it did not hand out, and a state that is not one', async () => {
    const hostCursor = Buffer.from('a', 'utf8').toString('base64url');
    for (const path of [
      `/api/v1/vms?cursor=${hostCursor}`,
      '/api/v1/hosts?cursor=%%%',
      '/api/v1/vms?cursor=x!',
    ])
      expect(await api.call('GET', path, { token: 'viewer' }), path).toMatchObject({
        status: 400,
        body: { code: 'INVALID_ARGUMENT', field: 'cursor' },
      });
    expect(await api.call('GET', '/api/v1/vms?state=paused', { token: 'viewer' })).toMatchObject({
      status: 400,
      body: { field: 'query.state' },
    });
    expect(await api.call('GET', '/api/v1/hosts', { token: null })).toMatchObject({ status: 401 });
  });
});

describe('POST /api/v1/vms/{host}/{name}/start', () => {
  it('answers with the duplicates the VM started with, as `vm start` warns of them', async () => {
    await ok('POST', '/api/v1/hosts', { name: 'kvm1', hypervisor: 'kvm' });
    await ok('POST', '/api/v1/networks', { host: 'kvm1', name: 'br0' });
    for (const name of ['a', 'b'])
      await ok(
        'POST',
        '/api/v1/vms',
        { host: 'kvm1', name, adapters: [{ network: 'br0', static: '52:54:00:aa:bb:cc' }], force: true },
        'operator',
      );
    const first = await api.call('POST', '/api/v1/vms/kvm1/a/start', { token: 'operator' });
    expect(first).toMatchObject({ status: 200, body: { name: 'a', state: 'running', warnings: [] } });
    const second = await api.call('POST', '/api/v1/vms/kvm1/b/start', { token: 'operator' });
    expect(second).toMatchObject({
      status: 200,
      body: {
        name: 'b',
        state: 'running',
        warnings: [
          {
            adapter: 0,
            mac: '52:54:00:aa:bb:cc',
            network: 'br0',
            heldBy: ['kvm1/a#0'],
            behaviour: 'no-check',
          },
        ],
      },
    });
    const w = (second.body as { warnings: { message: string; consequence: string }[] }).warnings[0]!;
    expect(w.message).toBe(
      `kvm1/b#0 started with 52:54:00:aa:bb:cc on br0, also used by kvm1/a#0: ${w.consequence}`,
    );
    expect(await api.call('POST', '/api/v1/vms/kvm1/b/start', { token: 'viewer' })).toMatchObject({
      status: 403,
    });
    expect(await api.call('POST', '/api/v1/vms/kvm1/nope/start', { token: 'operator' })).toMatchObject({
      status: 404,
      body: { code: 'NOT_FOUND' },
    });
  });

  it('409 MAC_CONFLICT where the hypervisor refuses (Virtual Server)', async () => {
    await ok('POST', '/api/v1/hosts', { name: 'vs', hypervisor: 'virtual-server' });
    await ok('POST', '/api/v1/networks', { host: 'vs', name: 'lan' });
    for (const name of ['a', 'b'])
      await ok(
        'POST',
        '/api/v1/vms',
        { host: 'vs', name, adapters: [{ network: 'lan', static: '00:03:ff:00:00:01' }], force: true },
        'operator',
      );
    await ok('POST', '/api/v1/vms/vs/a/start', undefined, 'operator');
    expect(await api.call('POST', '/api/v1/vms/vs/b/start', { token: 'operator' })).toMatchObject({
      status: 409,
      body: { code: 'MAC_CONFLICT' },
    });
  });
});
