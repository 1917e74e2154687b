/**
 * Whatever bytes arrive as an upload body (random, or a real zip or tar.gz cut short or flipped), the
 * API answers 201 with a scan or a 4xx problem naming what is wrong: never a 500, never a hang.
 */
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApi, type TestApi } from './test-api.js';

let api: TestApi;
beforeAll(async () => {
  api = await testApi({}, { uploadLimits: { maxUploadBytes: 1 << 22, maxFiles: 50, maxTotalBytes: 1 << 20, maxFileBytes: 1 << 16 } });
});
afterAll(async () => {
  await api.close();
});

const vmx = new TextEncoder().encode(
  'displayName = "a"\nethernet0.present = "TRUE"\nethernet0.address = "00:50:56:00:00:01"\n',
);
const seeds = [zipSync({ 'a/a.vmx': vmx, 'b/b.vmx': vmx }), new Uint8Array(gzipSync(vmx))];
const TYPES = ['application/zip', 'application/gzip', 'application/x-tar', 'application/octet-stream'];

const body = fc.oneof(
  fc.uint8Array({ maxLength: 2048 }),
  fc
    .tuple(
      fc.constantFrom(...seeds),
      fc.nat(),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
    )
    .map(([seed, cut, flips]) => {
      const b = seed.slice(0, 1 + (cut % seed.length));
      for (const [at, v] of flips) b[at % b.length] = v;
      return b;
    }),
);

describe('POST /api/v1/scans with arbitrary bodies', () => {
  it('answers 201 or a 4xx problem, never a 500', async () => {
    await fc.assert(
      fc.asyncProperty(body, fc.constantFrom(...TYPES), async (bytes, type) => {
        const r = await api.call('POST', '/api/v1/scans?filename=x.vmx', {
          token: 'operator',
          bytes,
          headers: { 'content-type': type },
        });
        if (r.status === 201) return;
        expect([400, 413, 422], r.text).toContain(r.status);
        expect(r.headers.get('content-type')).toBe('application/problem+json');
        expect(r.body).toMatchObject({
          code: expect.any(String) as unknown,
          detail: expect.any(String) as unknown,
        });
      }),
      { numRuns: 150 },
    );
  });
});
