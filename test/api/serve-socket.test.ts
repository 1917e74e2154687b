/** The API through a real socket on 127.0.0.1: headers, bodies and the listen/stop cycle as clients see them. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { apiDeps } from '../../src/api/deps.js';
import { isLoopback, parseListen, startServer } from '../../src/api/server.js';
import { openStore } from '../../src/store/open-store.js';

const dir = mkdtempSync(join(tmpdir(), 'macfleet-socket-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('serve over a socket', () => {
  it('answers allocations, lookups and problems over HTTP/1.1 on 127.0.0.1, then stops', async () => {
    const store = await openStore(join(dir, 'socket.db'));
    const deps = apiDeps(store);
    const { token } = await deps.tokens.create({ role: 'admin', name: 'sock' });
    const server = await startServer(deps, parseListen('127.0.0.1:0'), { log: () => undefined });
    try {
      expect(server.address.host).toBe('127.0.0.1');
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      const pool = await fetch(`${server.url}/api/v1/pools`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ name: 'net', ranges: ['02:aa:00:00:00:00-02:aa:00:00:00:ff'] }),
      });
      expect(pool.status).toBe(201);
      const alloc = await fetch(`${server.url}/api/v1/pools/net/allocations`, {
        method: 'POST',
        headers: { ...auth, 'x-request-id': 'sock-1' },
        body: JSON.stringify({ count: 3, owner: 'vm-9' }),
      });
      expect(alloc.status).toBe(201);
      expect(alloc.headers.get('x-request-id')).toBe('sock-1');
      expect(await alloc.json()).toEqual({
        pool: 'net',
        macs: ['02:aa:00:00:00:00', '02:aa:00:00:00:01', '02:aa:00:00:00:02'],
        replayed: false,
      });
      const look = await fetch(`${server.url}/api/v1/macs/02AA00000002`, { headers: auth });
      expect(await look.json()).toMatchObject({ mac: '02:aa:00:00:00:02', holder: { owner: 'vm-9' } });
      const denied = await fetch(`${server.url}/api/v1/pools`);
      expect(denied.status).toBe(401);
      expect(denied.headers.get('content-type')).toBe('application/problem+json');
      const huge = await fetch(`${server.url}/api/v1/pools`, {
        method: 'POST',
        headers: auth,
        body: 'x'.repeat(17 * 1024 * 1024),
      });
      expect(huge.status).toBe(413);
      // Chunked (no Content-Length): counted as it streams, refused the same way.
      const chunk = new Uint8Array(1024 * 1024).fill(0x78);
      let sent = 0;
      const chunked = await fetch(`${server.url}/api/v1/pools`, {
        method: 'POST',
        headers: auth,
        duplex: 'half',
        body: new ReadableStream<Uint8Array>({
          pull(c) {
            if (sent++ < 17) c.enqueue(chunk);
            else c.close();
          },
        }),
      });
      expect(chunked.status).toBe(413);
      expect(((await chunked.json()) as { code: string }).code).toBe('PAYLOAD_TOO_LARGE');
      expect(denied.headers.get('x-request-id')).toMatch(/^[\w.:-]+$/);
      expect(look.headers.get('x-request-id')).toMatch(/^[\w.:-]+$/);
    } finally {
      await server.stop();
      await store.close();
    }
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });

  it('parses --listen and tells loopback from the rest', () => {
    expect(parseListen('127.0.0.1:8470')).toEqual({ host: '127.0.0.1', port: 8470 });
    expect(parseListen('[::1]:9000')).toEqual({ host: '::1', port: 9000 });
    expect(parseListen(':8080')).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(parseListen('0.0.0.0:80')).toEqual({ host: '0.0.0.0', port: 80 });
    expect(() => parseListen('host:99999')).toThrow(/--listen/);
    expect(() => parseListen('nonsense')).toThrow(/--listen/);
    expect(['127.0.0.1', '127.8.9.1', '::1', 'localhost'].map(isLoopback)).toEqual([true, true, true, true]);
    expect(['0.0.0.0', '10.0.0.1', '::', 'example.org'].map(isLoopback)).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });
});
