/**
 * GET /api/v1/findings pages a list that is computed on every request: the cursor names the last finding
 * handed out, so findings fixed between two pages neither skip nor repeat the ones after it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testApi, type TestApi } from '../../src/api/test-api.js';

interface Page {
  items: { kind: string; scope?: string; mac: string }[];
  next: string | null;
}

let api: TestApi;
beforeEach(async () => {
  api = await testApi();
  const ok = (r: { status: number; text: string }, status = 201): void =>
    expect(r.status, r.text).toBe(status);
  ok(await api.call('POST', '/api/v1/hosts', { body: { name: 'kvm1', hypervisor: 'kvm' } }));
  ok(await api.call('POST', '/api/v1/networks', { body: { host: 'kvm1', name: 'LAN' } }));
  // Three MACs, each on two VMs of one host and network: three blocking duplicates, in MAC order.
  for (const n of [1, 2, 3]) {
    for (const vm of ['a', 'b']) {
      ok(
        await api.call('POST', '/api/v1/vms', {
          body: {
            host: 'kvm1',
            name: `${vm}${n}`,
            adapters: [{ network: 'LAN', static: `52:54:00:00:00:0${n}` }],
            force: true,
          },
        }),
      );
    }
  }
});
afterEach(async () => {
  await api.close();
});

const page = async (path: string): Promise<Page> => {
  const r = await api.call('GET', path, { token: 'viewer' });
  expect(r.status, r.text).toBe(200);
  return r.body as Page;
};
const fix = async (vm: string): Promise<void> => {
  const r = await api.call('PATCH', `/api/v1/vms/kvm1/${vm}/adapters/0`, { body: { mode: 'dynamic' } });
  expect(r.status, r.text).toBe(200);
};
const macs = (p: Page): string[] => p.items.map((f) => f.mac);

describe('the findings cursor', () => {
  it('pages through every finding in order', async () => {
    const seen: string[] = [];
    for (let next: string | null = '/api/v1/findings?limit=1'; next !== null;) {
      const p = await page(next);
      seen.push(...macs(p));
      next = p.next;
    }
    expect(seen).toEqual(['52:54:00:00:00:01', '52:54:00:00:00:02', '52:54:00:00:00:03']);
  });

  it('a finding fixed before the cursor does not skip the next one', async () => {
    const first = await page('/api/v1/findings?limit=2');
    expect(macs(first)).toEqual(['52:54:00:00:00:01', '52:54:00:00:00:02']);
    await fix('b1');
    const second = await page(first.next!);
    expect(macs(second)).toEqual(['52:54:00:00:00:03']);
    expect(second.next).toBeNull();
  });

  it('the finding the cursor names, fixed since, gives its place to the one after it', async () => {
    const first = await page('/api/v1/findings?limit=1');
    expect(macs(first)).toEqual(['52:54:00:00:00:01']);
    await fix('b1');
    const second = await page(first.next!);
    expect(macs(second)).toEqual(['52:54:00:00:00:02']);
  });

  it('refuses a cursor it did not hand out', async () => {
    const cursor = Buffer.from('7').toString('base64url');
    const r = await api.call('GET', `/api/v1/findings?cursor=${cursor}`, { token: 'viewer' });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
