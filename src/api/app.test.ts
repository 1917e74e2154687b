/**
 * The HTTP API in-process (`app.request`): every route, every error status, the write log, request ids,
 * the OpenAPI document. Expected values are written out by hand (MACs follow from the pool's range:
 * next-fit hands out the range's first addresses in order).
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

const LAB = { name: 'lab', ranges: ['02:00:00:00:00:00-02:00:00:00:00:0f'], quarantineMs: 0 };

async function fleet(): Promise<void> {
  expect((await api.call('POST', '/api/v1/pools', { body: LAB })).status).toBe(201);
  expect(
    (
      await api.call('POST', '/api/v1/hosts', {
        body: { name: 'h1', hypervisor: 'virtual-server', allocation: 'pool:lab' },
      })
    ).status,
  ).toBe(201);
  expect((await api.call('POST', '/api/v1/networks', { body: { host: 'h1', name: 'lan' } })).status).toBe(
    201,
  );
}

describe('health, metrics, documents', () => {
  it('answers /healthz and /readyz without a token', async () => {
    expect(await api.call('GET', '/healthz', { token: null })).toMatchObject({
      status: 200,
      body: { status: 'ok' },
    });
    expect(await api.call('GET', '/readyz', { token: null })).toMatchObject({
      status: 200,
      body: { status: 'ready', store: { dialect: 'sqlite', version: 7, latest: 7 } },
    });
  });

  it('answers /readyz 503 once the store is gone', async () => {
    await api.deps.store.close();
    expect(await api.call('GET', '/readyz', { token: null })).toMatchObject({
      status: 503,
      body: { status: 'unavailable' },
    });
  });

  it('serves an OpenAPI 3.1 document with every /api/v1 route, and a docs page built from it', async () => {
    const doc = await api.call('GET', '/openapi.json', { token: null });
    expect(doc.status).toBe(200);
    const d = doc.body as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(d.openapi).toBe('3.1.0');
    expect(Object.keys(d.paths['/api/v1/pools/{name}/allocations'] ?? {})).toEqual(['post']);
    expect(Object.keys(d.paths['/api/v1/vms/{host}/{name}/adapters/{index}'] ?? {})).toEqual(['patch']);
    expect(Object.keys(d.paths['/api/v1/macs/{mac}'] ?? {})).toEqual(['get']);
    // Every /api/v1 route the app answers is in the document, with its method.
    const served = api.app.routes
      .filter((r) => r.path.startsWith('/api/v1/') && r.method !== 'ALL')
      .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/g, '{$1}')}`);
    const documented = Object.entries(d.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m} ${path}`),
    );
    expect(served.length).toBeGreaterThan(40);
    expect(documented).toEqual(expect.arrayContaining(served));
    for (const route of [
      'post /api/v1/scans',
      'get /api/v1/scans',
      'get /api/v1/scans/{id}',
      'post /api/v1/scans/{id}/import',
      'post /api/v1/scans/{id}/fix-plan',
      'post /api/v1/predict',
      'post /api/v1/doctor/nlb',
    ])
      expect(documented).toContain(route);
    const docs = await api.call('GET', '/docs', { token: null });
    expect(docs.status).toBe(200);
    expect(docs.headers.get('content-type')).toMatch(/^text\/html/);
    expect(docs.text).toContain('/api/v1/pools/{name}/allocations');
    expect(docs.text).not.toMatch(/<script|https?:\/\/(?!127)/);
  });

  it('counts requests by route and status, allocations, and pool utilisation in /metrics', async () => {
    await fleet();
    await api.call('POST', '/api/v1/pools/lab/allocations', { token: 'operator', body: { count: 4 } });
    await api.call('GET', '/api/v1/pools/nope');
    const m = await api.call('GET', '/metrics', { token: null });
    expect(m.status).toBe(200);
    expect(m.text).toContain(
      'macfleet_http_requests_total{method="POST",route="/api/v1/pools/:name/allocations",status="201"} 1',
    );
    expect(m.text).toContain(
      'macfleet_http_requests_total{method="GET",route="/api/v1/pools/:name",status="404"} 1',
    );
    expect(m.text).toContain('macfleet_allocated_macs_total{pool="lab"} 4');
    expect(m.text).toContain('macfleet_pool_used_macs{pool="lab"} 4');
    expect(m.text).toContain('macfleet_pool_utilisation_ratio{pool="lab"} 0.25');
    expect(m.text).toContain('macfleet_http_request_duration_seconds_bucket');
  });
});

describe('pools, allocation, MACs', () => {
  it('creates, lists and shows pools with utilisation', async () => {
    const created = await api.call('POST', '/api/v1/pools', { body: LAB });
    expect(created).toMatchObject({ status: 201, body: { name: 'lab', size: 16, used: 0, free: 16 } });
    expect(await api.call('GET', '/api/v1/pools', { token: 'viewer' })).toMatchObject({
      status: 200,
      body: { items: [{ name: 'lab', size: 16 }], next: null },
    });
    expect(await api.call('GET', '/api/v1/pools/lab', { token: 'viewer' })).toMatchObject({
      status: 200,
      body: { name: 'lab' },
    });
  });

  it('pages lists with a cursor and a next link', async () => {
    for (const [i, name] of ['a', 'b', 'c'].entries())
      await api.call('POST', '/api/v1/pools', {
        body: { name, ranges: [`02:00:00:00:0${i}:00-02:00:00:00:0${i}:ff`] },
      });
    const first = await api.call('GET', '/api/v1/pools?limit=2');
    expect(first.body).toMatchObject({ items: [{ name: 'a' }, { name: 'b' }] });
    const next = (first.body as { next: string }).next;
    expect(next).toMatch(/^\/api\/v1\/pools\?limit=2&cursor=/);
    expect(await api.call('GET', next)).toMatchObject({ body: { items: [{ name: 'c' }], next: null } });
    expect(await api.call('GET', '/api/v1/pools?cursor=%%%')).toMatchObject({
      status: 400,
      body: { code: 'INVALID_ARGUMENT', field: 'cursor' },
    });
  });

  it('allocates all or nothing, idempotent by key, and looks MACs up in any notation', async () => {
    await api.call('POST', '/api/v1/pools', { body: LAB });
    const a = await api.call('POST', '/api/v1/pools/lab/allocations', {
      token: 'operator',
      body: { count: 2, owner: 'vm-1', key: 'k1' },
    });
    expect(a).toMatchObject({
      status: 201,
      body: { pool: 'lab', macs: ['02:00:00:00:00:00', '02:00:00:00:00:01'], replayed: false },
    });
    const again = await api.call('POST', '/api/v1/pools/lab/allocations', {
      token: 'operator',
      body: { count: 2, owner: 'vm-1', key: 'k1' },
    });
    expect(again).toMatchObject({
      status: 200,
      body: { macs: ['02:00:00:00:00:00', '02:00:00:00:00:01'], replayed: true },
    });
    for (const notation of ['02-00-00-00-00-01', '0200.0000.0001', '020000000001']) {
      const look = await api.call('GET', `/api/v1/macs/${notation}`, { token: 'viewer' });
      expect(look).toMatchObject({
        status: 200,
        body: {
          mac: '02:00:00:00:00:01',
          local: true,
          holder: { state: 'allocated', owner: 'vm-1', pool: 'lab' },
          pools: [{ name: 'lab', excluded: false }],
        },
      });
    }
    const exhausted = await api.call('POST', '/api/v1/pools/lab/allocations', {
      token: 'operator',
      body: { count: 15 },
    });
    expect(exhausted).toMatchObject({ status: 409, body: { code: 'POOL_EXHAUSTED', status: 409 } });
    expect((await api.call('GET', '/api/v1/pools/lab')).body).toMatchObject({ used: 2, free: 14 });
  });

  it('reserves and releases', async () => {
    await api.call('POST', '/api/v1/pools', { body: LAB });
    const r = await api.call('POST', '/api/v1/reservations', {
      token: 'operator',
      body: { mac: '02:00:00:00:00:05', owner: 'gw' },
    });
    expect(r).toMatchObject({
      status: 201,
      body: { mac: '02:00:00:00:00:05', state: 'reserved', owner: 'gw', pool: 'lab' },
    });
    const twice = await api.call('POST', '/api/v1/reservations', {
      token: 'operator',
      body: { mac: '02-00-00-00-00-05' },
    });
    expect(twice).toMatchObject({ status: 409, body: { code: 'MAC_CONFLICT' } });
    const rel = await api.call('POST', '/api/v1/macs/02:00:00:00:00:05/release', { token: 'operator' });
    expect(rel).toMatchObject({ status: 200, body: { mac: '02:00:00:00:00:05' } });
    const again = await api.call('POST', '/api/v1/macs/02:00:00:00:00:05/release', { token: 'operator' });
    expect(again).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
  });
});

describe('the fleet', () => {
  it('hosts, networks, VMs and their lifecycle, adapter settings, events, findings', async () => {
    await fleet();
    expect(await api.call('GET', '/api/v1/hosts', { token: 'viewer' })).toMatchObject({
      body: { items: [{ name: 'h1', hypervisor: 'virtual-server', allocation: 'pool:lab' }], next: null },
    });
    expect(await api.call('GET', '/api/v1/hosts/h1', { token: 'viewer' })).toMatchObject({
      status: 200,
      body: { name: 'h1' },
    });
    expect(await api.call('PATCH', '/api/v1/hosts/h1', { body: { allocation: 'hypervisor' } })).toMatchObject(
      {
        status: 200,
        body: { allocation: 'hypervisor' },
      },
    );
    await api.call('PATCH', '/api/v1/hosts/h1', { body: { allocation: 'pool:lab' } });
    expect(await api.call('GET', '/api/v1/networks?host=h1', { token: 'viewer' })).toMatchObject({
      body: { items: [{ name: 'lan', host: 'h1', segment: 'lan', nic: null }] },
    });

    const vm = await api.call('POST', '/api/v1/vms', {
      token: 'operator',
      body: { host: 'h1', name: 'web', adapters: [{ network: 'lan' }] },
    });
    expect(vm).toMatchObject({
      status: 201,
      body: {
        name: 'web',
        state: 'stopped',
        adapters: [{ index: 0, mode: 'dynamic', mac: '02:00:00:00:00:00' }],
      },
    });
    const twin = await api.call('POST', '/api/v1/vms', {
      token: 'operator',
      body: {
        host: 'h1',
        name: 'twin',
        adapters: [{ network: 'lan', static: '02:00:00:00:00:00' }],
        force: true,
      },
    });
    expect(twin.status).toBe(201);
    expect(await api.call('GET', '/api/v1/vms?host=h1&limit=1', { token: 'viewer' })).toMatchObject({
      body: { items: [{ name: 'twin' }], next: expect.stringMatching(/cursor=/) as unknown },
    });
    expect(await api.call('GET', '/api/v1/vms/h1/web', { token: 'viewer' })).toMatchObject({
      status: 200,
      body: { name: 'web' },
    });

    expect(await api.call('POST', '/api/v1/vms/h1/web/start', { token: 'operator' })).toMatchObject({
      status: 200,
      body: { state: 'running' },
    });
    const clash = await api.call('POST', '/api/v1/vms/h1/twin/start', { token: 'operator' });
    expect(clash).toMatchObject({ status: 409, body: { code: 'MAC_CONFLICT' } });
    const running = await api.call('PATCH', '/api/v1/vms/h1/web/adapters/0', {
      token: 'operator',
      body: { mode: 'static' },
    });
    expect(running).toMatchObject({ status: 409, body: { code: 'VM_RUNNING' } });
    expect(await api.call('POST', '/api/v1/vms/h1/web/save', { token: 'operator' })).toMatchObject({
      body: { state: 'saved' },
    });
    expect(await api.call('POST', '/api/v1/vms/h1/web/stop', { token: 'operator' })).toMatchObject({
      body: { state: 'stopped' },
    });
    const set = await api.call('PATCH', '/api/v1/vms/h1/web/adapters/0', {
      token: 'operator',
      body: { mode: 'static', mac: '02:00:00:00:00:0a', spoofing: true },
    });
    expect(set).toMatchObject({
      status: 200,
      body: { adapters: [{ mode: 'static', mac: '02:00:00:00:00:0a', spoofing: true }] },
    });
    expect(
      await api.call('PATCH', '/api/v1/vms/h1/web/adapters/7', {
        token: 'operator',
        body: { spoofing: false },
      }),
    ).toMatchObject({
      status: 404,
    });

    await api.call('POST', '/api/v1/hosts', {
      body: { name: 'h2', hypervisor: 'kvm', allocation: 'pool:lab' },
    });
    await api.call('POST', '/api/v1/networks', { body: { host: 'h2', name: 'lan' } });
    const moved = await api.call('POST', '/api/v1/vms/h1/twin/register', {
      token: 'operator',
      body: { host: 'h2' },
    });
    expect(moved).toMatchObject({ status: 200, body: { host: 'h2', name: 'twin' } });
    expect(await api.call('DELETE', '/api/v1/vms/h2/twin', { token: 'operator' })).toMatchObject({
      status: 200,
      body: { name: 'twin' },
    });
    expect(await api.call('GET', '/api/v1/vms/h2/twin', { token: 'viewer' })).toMatchObject({ status: 404 });

    const events = await api.call('GET', '/api/v1/events?vm=web&limit=2', { token: 'viewer' });
    expect(events).toMatchObject({
      status: 200,
      body: {
        items: [{ seq: expect.any(Number) as unknown, actor: 'operator-token' }, { actor: 'operator-token' }],
      },
    });
    const next = (events.body as { next: string }).next;
    const rest = await api.call('GET', next, { token: 'viewer' });
    const seqs = [
      ...(events.body as { items: { seq: number }[] }).items,
      ...(rest.body as { items: { seq: number }[] }).items,
    ].map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    const byMac = await api.call('GET', '/api/v1/events?mac=02-00-00-00-00-0a', { token: 'viewer' });
    expect((byMac.body as { items: { kind: string }[] }).items.map((e) => e.kind)).toContain(
      'adapter.mode_changed',
    );
    const late = await api.call('GET', '/api/v1/events?since=2030-01-01T00:00:00Z', { token: 'viewer' });
    expect(late.body).toEqual({ items: [], next: null });
    expect((await api.call('GET', '/api/v1/findings', { token: 'viewer' })).status).toBe(200);
  });

  it('reports a blocking duplicate as a finding', async () => {
    await fleet();
    for (const name of ['a', 'b'])
      await api.call('POST', '/api/v1/vms', {
        token: 'operator',
        body: { host: 'h1', name, adapters: [{ network: 'lan', static: '02:00:00:00:00:09' }], force: true },
      });
    expect(await api.call('GET', '/api/v1/findings', { token: 'viewer' })).toMatchObject({
      body: { items: [{ kind: 'duplicate', scope: 'blocking', mac: '02:00:00:00:00:09' }], next: null },
    });
  });
});

describe('tokens, roles and the write log', () => {
  it('401 without a token or with an unknown, malformed, revoked or expired one', async () => {
    for (const token of [
      null,
      'nope',
      'mft_AAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    ] as const) {
      const r = await api.call('GET', '/api/v1/pools', { token });
      expect(r).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED', status: 401 } });
      expect(r.headers.get('www-authenticate')).toBe('Bearer realm="macfleet"');
      expect(r.headers.get('content-type')).toBe('application/problem+json');
    }
    const made = await api.call('POST', '/api/v1/tokens', {
      body: { role: 'viewer', name: 'short', expiresInMs: 60_000 },
    });
    expect(made).toMatchObject({
      status: 201,
      body: {
        name: 'short',
        role: 'viewer',
        expiresAt: '2026-11-29T08:01:00.000Z',
        token: expect.stringMatching(/^mft_\w{12}\.[\w-]{43}$/) as unknown,
      },
    });
    const { token } = made.body as { token: string };
    expect((await api.call('GET', '/api/v1/pools', { token })).status).toBe(200);
    api.advance(59_999);
    expect((await api.call('GET', '/api/v1/pools', { token })).status).toBe(200);
    api.advance(1);
    expect((await api.call('GET', '/api/v1/pools', { token })).status).toBe(401);
    const tampered = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    expect((await api.call('GET', '/api/v1/pools', { token: tampered })).status).toBe(401);
    expect(await api.call('DELETE', '/api/v1/tokens/viewer-token')).toMatchObject({
      status: 200,
      body: { name: 'viewer-token', revokedAt: expect.any(String) as unknown },
    });
    expect((await api.call('GET', '/api/v1/pools', { token: 'viewer' })).status).toBe(401);
    expect((await api.call('DELETE', '/api/v1/tokens/ghost')).status).toBe(404);
  });

  it("403 for a role below the route's", async () => {
    await api.call('POST', '/api/v1/pools', { body: LAB });
    const cases = [
      ['viewer', 'POST', '/api/v1/pools/lab/allocations', { count: 1 }],
      ['viewer', 'PATCH', '/api/v1/vms/h/v/adapters/0', { spoofing: true }],
      ['operator', 'POST', '/api/v1/pools', LAB],
      ['operator', 'POST', '/api/v1/hosts', { name: 'x', hypervisor: 'kvm' }],
      ['operator', 'GET', '/api/v1/tokens', undefined],
    ] as const;
    for (const [token, method, path, body] of cases) {
      const r = await api.call(method, path, { token, ...(body === undefined ? {} : { body }) });
      expect(r, `${token} ${method} ${path}`).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    }
  });

  it('lists tokens without their secrets', async () => {
    const list = await api.call('GET', '/api/v1/tokens');
    expect((list.body as { items: { name: string }[] }).items.map((t) => t.name)).toEqual([
      'admin-token',
      'operator-token',
      'viewer-token',
    ]);
    expect(list.text).not.toContain(api.tokens.admin.split('.')[1]);
  });

  it("records every write with the token's name and the request id it echoes", async () => {
    const r = await api.call('POST', '/api/v1/pools', { body: LAB, headers: { 'x-request-id': 'req-42' } });
    expect(r.headers.get('x-request-id')).toBe('req-42');
    const refused = await api.call('POST', '/api/v1/pools/lab/allocations', {
      token: 'operator',
      body: { count: 99 },
    });
    const id = refused.headers.get('x-request-id')!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect((refused.body as { requestId: string }).requestId).toBe(id);
    const log = await api.call('GET', '/api/v1/writes');
    expect(log.body).toMatchObject({
      items: [
        {
          requestId: id,
          actor: 'operator-token',
          method: 'POST',
          path: '/api/v1/pools/lab/allocations',
          status: 409,
          code: 'POOL_EXHAUSTED',
        },
        {
          requestId: 'req-42',
          actor: 'admin-token',
          method: 'POST',
          path: '/api/v1/pools',
          status: 201,
          code: null,
        },
      ],
      next: null,
    });
    expect((await api.call('GET', '/api/v1/writes?requestId=req-42')).body).toMatchObject({
      items: [{ status: 201 }],
    });
    const bogus = await api.call('GET', '/healthz', { headers: { 'x-request-id': 'a b<script>' } });
    expect(bogus.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('an allocation records its write in its own transaction: once, 201, then 200 for a replayed key', async () => {
    expect((await api.call('POST', '/api/v1/pools', { body: LAB })).status).toBe(201);
    const first = await api.call('POST', '/api/v1/pools/lab/allocations', {
      token: 'operator',
      body: { count: 2, key: 'k1' },
      headers: { 'x-request-id': 'alloc-1' },
    });
    expect(first.status, first.text).toBe(201);
    const again = await api.call('POST', '/api/v1/pools/lab/allocations', {
      token: 'operator',
      body: { count: 2, key: 'k1' },
      headers: { 'x-request-id': 'alloc-2' },
    });
    expect(again.status, again.text).toBe(200);
    const rows = await api.deps.store.transaction((tx) =>
      tx.all<{ request_id: string; status: number; actor: string }>(
        "SELECT request_id, status, actor FROM api_writes WHERE request_id LIKE 'alloc-%' ORDER BY id",
      ),
    );
    expect(rows).toEqual([
      { request_id: 'alloc-1', status: 201, actor: 'operator-token' },
      { request_id: 'alloc-2', status: 200, actor: 'operator-token' },
    ]);
  });

  it('allocations of one round: each recorded once, a replay as 200, a refusal as its own 409', async () => {
    const tiny = await api.call('POST', '/api/v1/pools', {
      body: { name: 'tiny', ranges: ['02:00:00:00:00:00-02:00:00:00:00:03'] },
    });
    expect(tiny.status, tiny.text).toBe(201);
    const ask = (id: string, body: object) =>
      api.call('POST', '/api/v1/pools/tiny/allocations', {
        token: 'operator',
        body,
        headers: { 'x-request-id': id },
      });
    // Asked in one turn: they share one group transaction.
    const [made, replay, refused] = await Promise.all([
      ask('round-1', { count: 2, key: 'same' }),
      ask('round-2', { count: 2, key: 'same' }),
      ask('round-3', { count: 3 }),
    ]);
    expect([made.status, replay.status, refused.status]).toEqual([201, 200, 409]);
    const rows = await api.deps.store.transaction((tx) =>
      tx.all<{ request_id: string; status: number; code: string | null }>(
        "SELECT request_id, status, code FROM api_writes WHERE request_id LIKE 'round-%' ORDER BY request_id",
      ),
    );
    expect(rows).toEqual([
      { request_id: 'round-1', status: 201, code: null },
      { request_id: 'round-2', status: 200, code: null },
      { request_id: 'round-3', status: 409, code: 'POOL_EXHAUSTED' },
    ]);
  });

  it('an allocation whose write-log record cannot be written is not made', async () => {
    expect((await api.call('POST', '/api/v1/pools', { body: LAB })).status).toBe(201);
    // The record and the allocation share one transaction: a record refused by the database takes the
    // allocation with it, and the client is told so.
    await api.deps.store.transaction((tx) =>
      tx.exec(
        "CREATE TRIGGER refuse_write BEFORE INSERT ON api_writes WHEN NEW.request_id = 'doomed' BEGIN SELECT RAISE(ABORT, 'refused'); END",
      ),
    );
    const r = await api.call('POST', '/api/v1/pools/lab/allocations', {
      token: 'operator',
      body: { count: 1 },
      headers: { 'x-request-id': 'doomed' },
    });
    expect(r.status).toBeGreaterThanOrEqual(500);
    const held = await api.deps.store.transaction((tx) =>
      tx.get<{ n: number }>("SELECT COUNT(*) AS n FROM macs WHERE state = 'allocated'"),
    );
    expect(held?.n).toBe(0);
  });
});

describe('errors: one map, problem+json, no stack traces', () => {
  it('400 for a body that breaks the schema, naming the field, and for malformed JSON', async () => {
    const bad = await api.call('POST', '/api/v1/pools/lab/allocations', {
      token: 'operator',
      body: { count: 0 },
    });
    expect(bad).toMatchObject({
      status: 400,
      body: { code: 'INVALID_ARGUMENT', field: 'json.count', type: 'urn:macfleet:problem:invalid-argument' },
    });
    const broken = await api.call('POST', '/api/v1/pools', { raw: '{"name": ' });
    expect(broken).toMatchObject({ status: 400, body: { code: 'PARSE_ERROR' } });
    const q = await api.call('GET', '/api/v1/pools?limit=0');
    expect(q).toMatchObject({ status: 400, body: { field: 'query.limit' } });
  });

  it('404 for unknown routes, pools, hosts and VMs', async () => {
    expect(await api.call('GET', '/api/v1/nothing')).toMatchObject({
      status: 404,
      body: { code: 'NOT_FOUND' },
    });
    expect(await api.call('GET', '/nothing', { token: null })).toMatchObject({
      status: 404,
      body: { code: 'NOT_FOUND' },
    });
    expect(await api.call('GET', '/api/v1/pools/ghost')).toMatchObject({
      status: 404,
      body: { code: 'NOT_FOUND', instance: '/api/v1/pools/ghost' },
    });
    expect(await api.call('GET', '/api/v1/hosts/ghost')).toMatchObject({ status: 404 });
    expect(await api.call('POST', '/api/v1/vms/h/ghost/start', { token: 'operator' })).toMatchObject({
      status: 404,
    });
  });

  it('409 for a name taken or ranges overlapping', async () => {
    await api.call('POST', '/api/v1/pools', { body: LAB });
    expect(await api.call('POST', '/api/v1/pools', { body: LAB })).toMatchObject({
      status: 409,
      body: { code: 'ALREADY_EXISTS', field: 'name' },
    });
    const overlap = await api.call('POST', '/api/v1/pools', { body: { ...LAB, name: 'other' } });
    expect(overlap).toMatchObject({
      status: 409,
      body: { code: 'RANGE_OVERLAP', details: { overlaps: [{ pool: 'lab' }] } },
    });
  });

  it('422 for a MAC or range that is not one', async () => {
    expect(await api.call('GET', '/api/v1/macs/zz:zz', { token: 'viewer' })).toMatchObject({
      status: 422,
      body: { code: 'INVALID_MAC' },
    });
    const range = await api.call('POST', '/api/v1/pools', {
      body: { name: 'x', ranges: ['02:00:00:00:00:09-02:00:00:00:00:01'] },
    });
    expect(range.status).toBe(422);
    expect(
      await api.call('POST', '/api/v1/reservations', {
        token: 'operator',
        body: { mac: '01:00:5e:00:00:01' },
      }),
    ).toMatchObject({
      status: 422,
      body: { code: 'INVALID_MAC', field: 'mac' },
    });
  });

  it('413 for a body over the limit', async () => {
    const small = await testApi({ bodyLimitBytes: 64 });
    try {
      const r = await small.call('POST', '/api/v1/pools', {
        body: { ...LAB, exclusions: new Array(20).fill('02:00:00:00:00:01') },
      });
      expect(r).toMatchObject({ status: 413, body: { code: 'PAYLOAD_TOO_LARGE' } });
    } finally {
      await small.close();
    }
  });

  it('429 with Retry-After past the per-token limit, per token', async () => {
    const limited = await testApi({ rateLimit: { perSecond: 1, burst: 3 } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++)
        statuses.push((await limited.call('GET', '/api/v1/pools', { token: 'viewer' })).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const r = await limited.call('GET', '/api/v1/pools', { token: 'viewer' });
      expect(r).toMatchObject({ status: 429, body: { code: 'RATE_LIMITED' } });
      expect(r.headers.get('retry-after')).toBe('1');
      expect((await limited.call('GET', '/api/v1/pools', { token: 'admin' })).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('the default limit lets thousands of requests through from one token', async () => {
    const statuses = new Set<number>();
    const burst = await Promise.all(
      Array.from({ length: 3000 }, () => api.call('GET', '/api/v1/pools', { token: 'viewer' })),
    );
    for (const r of burst) statuses.add(r.status);
    expect([...statuses]).toEqual([200]);
  });

  it('503 TIMEOUT when a request takes too long, and STORE_UNAVAILABLE when the store is gone', async () => {
    const slow = await testApi({ requestTimeoutMs: 20 });
    try {
      const store = slow.deps.store;
      const hold = store.transaction(() => new Promise((resolve) => setTimeout(resolve, 200)));
      const r = await slow.call('GET', '/api/v1/pools/lab', { token: 'viewer' });
      expect(r).toMatchObject({ status: 503, body: { code: 'TIMEOUT' } });
      await hold;
    } finally {
      await slow.close();
    }
    await api.deps.tokens.authenticate(api.tokens.viewer);
    await api.deps.store.close();
    const gone = await api.call('GET', '/api/v1/pools', { token: 'viewer' });
    expect(gone).toMatchObject({ status: 503, body: { code: 'STORE_UNAVAILABLE' } });
    expect(gone.text).not.toMatch(/\n\s+at /);
  });

  it('500 without a stack trace for a bug', async () => {
    const lines: string[] = [];
    const buggy = await testApi({ log: (l) => lines.push(l) });
    try {
      (buggy.deps.pools as { listPools: unknown }).listPools = () =>
        Promise.reject(new TypeError('boom at secret/path.ts:1'));
      const r = await buggy.call('GET', '/api/v1/pools', { token: 'viewer' });
      expect(r).toMatchObject({ status: 500, body: { code: 'INTERNAL' } });
      expect(r.text).not.toContain('boom');
      expect(lines.join('\n')).toContain('boom');
    } finally {
      await buggy.close();
    }
  });
});

describe('tools', () => {
  it('derives NLB addresses from a VIP', async () => {
    const r = await api.call('GET', '/api/v1/nlb/192.168.0.10', { token: 'viewer' });
    expect(r).toMatchObject({
      status: 200,
      body: {
        vip: '192.168.0.10',
        unicast: '02:bf:c0:a8:00:0a',
        multicast: '03:bf:c0:a8:00:0a',
        igmp: '01:00:5e:7f:00:0a',
        igmpGroup: '239.255.0.10',
      },
    });
    expect((r.body as { maskedSource: Record<string, string> }).maskedSource['2']).toBe('02:02:c0:a8:00:0a');
    expect(await api.call('GET', '/api/v1/nlb/300.1.1.1', { token: 'viewer' })).toMatchObject({
      status: 400,
    });
  });

  it('predicts that two Hyper-V hosts whose IPs end alike collide', async () => {
    const hosts =
      'hosts:\n  - {name: a, hypervisor: hyper-v, ip: 10.1.5.20}\n  - {name: b, hypervisor: hyper-v, ip: 10.2.5.20}\n';
    const r = await api.call('POST', '/api/v1/collide', { token: 'viewer', body: { hosts } });
    expect(r).toMatchObject({
      status: 200,
      body: { hosts: 2, findings: [{ certainty: 'certain', hosts: ['a', 'b'] }] },
    });
  });

  it('runs a lab scenario from YAML text', async () => {
    const { readFileSync } = await import('node:fs');
    const scenario = readFileSync(
      new URL('../../examples/lab/dhcp-and-router-guard.yaml', import.meta.url),
      'utf8',
    );
    const r = await api.call('POST', '/api/v1/lab/runs', { token: 'viewer', body: { scenario } });
    expect(r.status).toBe(200);
    expect(Object.keys(r.body as object)).toContain('steps');
    const bad = await api.call('POST', '/api/v1/lab/runs', {
      token: 'viewer',
      body: { scenario: 'name: [' },
    });
    expect(bad.status).toBe(400);
  });

  it('says which adapters may spoof and whom they could impersonate (doctor spoofing)', async () => {
    const { readFileSync } = await import('node:fs');
    const inventory = readFileSync(
      new URL('../../examples/lab/spoofing-attack-guard-off.yaml', import.meta.url),
      'utf8',
    );
    const r = await api.call('POST', '/api/v1/doctor/spoofing', { token: 'viewer', body: { inventory } });
    expect(r.status, r.text).toBe(200);
    const body = r.body as {
      adapters: { vm: string; allowsSpoofing: boolean }[];
      exposureCount: number;
      exposures: { attacker: string; victim: string; effect: string }[];
    };
    // Both VMs on the Hyper-V switch have spoofing on and no guard: each can take the other's MAC.
    expect(body.adapters.map((a) => [a.vm, a.allowsSpoofing])).toEqual([
      ['web', true],
      ['mallory', true],
    ]);
    expect(body.exposureCount).toBe(2);
    expect(body.exposures[0]).toMatchObject({ attacker: 'web', victim: 'mallory', effect: 'redirect' });
    const bad = await api.call('POST', '/api/v1/doctor/spoofing', {
      token: 'viewer',
      body: { inventory: 'switches: [' },
    });
    expect(bad.status).toBe(400);
    expect(
      (await api.call('POST', '/api/v1/doctor/spoofing', { token: null, body: { inventory } })).status,
    ).toBe(401);
  });
});
