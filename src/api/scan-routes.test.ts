/**
 * Uploaded scans over HTTP: multipart files, a zip and a tar.gz body, the scan document, the import into
 * the inventory (a duplicate MAC in the upload then shows under /findings), persistence across a reopen
 * of the store, retention, paging, and every refusal with its code and field.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { pack } from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testApi, type TestApi } from './test-api.js';

const vmx = (name: string, mac: string): string =>
  [
    '.encoding = "UTF-8"',
    `displayName = "${name}"`,
    'ethernet0.present = "TRUE"',
    'ethernet0.networkName = "VM Network"',
    'ethernet0.addressType = "static"',
    `ethernet0.address = "${mac}"`,
    '',
  ].join('\n');
const MAC = '00:50:56:10:00:01';
const enc = (s: string) => new TextEncoder().encode(s);
const TREE = {
  'esx01/web01/web01.vmx': vmx('web01', MAC),
  'esx01/web02/web02.vmx': vmx('web02', MAC),
  'esx01/notes.txt': 'not a configuration',
};

function tarGz(files: Record<string, string>): Promise<Uint8Array> {
  const p = pack();
  for (const [name, text] of Object.entries(files)) p.entry({ name }, text);
  p.finalize();
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    p.on('data', (c: unknown) => chunks.push(c as Buffer));
    p.on('end', () => resolve(new Uint8Array(gzipSync(Buffer.concat(chunks)))));
    p.on('error', reject);
  });
}
const zip = (files: Record<string, string>): Uint8Array =>
  zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, enc(v)])));

interface ScanBody {
  id: number;
  actor: string;
  files: number;
  filesSeen: number;
  adapters: number;
  findings: { error: number; warning: number; info: number };
  imported: unknown;
  document: {
    files: number;
    adapters: { file: string; host: string | null; mac: string }[];
    findings: { kind: string; mac?: string; members: { file: string }[] }[];
  };
}

let api: TestApi;
beforeEach(async () => {
  api = await testApi();
});
afterEach(async () => {
  await api.close();
});

describe('POST /api/v1/scans', () => {
  it('scans multipart files and keeps them; the document is the scan --json shape', async () => {
    const form = new FormData();
    form.append('files', new Blob([TREE['esx01/web01/web01.vmx']]), 'web01.vmx');
    form.append('files', new Blob([TREE['esx01/web02/web02.vmx']]), 'web02.vmx');
    form.append('host', 'esx01');
    const r = await api.call('POST', '/api/v1/scans', { token: 'operator', form });
    expect(r.status).toBe(201);
    const b = r.body as ScanBody;
    expect(r.headers.get('location')).toBe(`/api/v1/scans/${b.id}`);
    expect(b).toMatchObject({
      actor: 'operator-token',
      name: 'web01.vmx, web02.vmx',
      host: 'esx01',
      hostFromPath: null,
      files: 2,
      filesSeen: 2,
      adapters: 2,
      imported: null,
      createdAt: '2026-11-29T08:00:00.000Z',
    });
    expect(b.document.files).toBe(2);
    expect(b.document.adapters.map((a) => [a.file, a.mac])).toEqual([
      ['web01.vmx', MAC],
      ['web02.vmx', MAC],
    ]);
    expect(b.document.findings.filter((f) => f.kind === 'duplicate').map((f) => f.mac)).toEqual([MAC]);
    const again = await api.call('GET', `/api/v1/scans/${b.id}`, { token: 'viewer' });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(r.body);
  });

  it('opens a zip body, names hosts from paths, imports it, and the duplicate shows under /findings', async () => {
    const r = await api.call('POST', '/api/v1/scans?hostFromPath=%7Bhost%7D/**&import=true', {
      token: 'operator',
      bytes: zip(TREE),
      headers: { 'content-type': 'application/zip' },
    });
    expect(r.status).toBe(201);
    const b = r.body as ScanBody & { imported: { by: string; result: { vms: { created: number } } } };
    expect(b).toMatchObject({ name: 'upload.zip', files: 2, filesSeen: 3 });
    expect(b.document.adapters.map((a) => a.host)).toEqual(['esx01', 'esx01']);
    expect(b.imported).toMatchObject({
      by: 'operator-token',
      result: { hosts: { created: 1 }, vms: { created: 2, updated: 0 }, adapters: { imported: 2 } },
    });
    const findings = await api.call('GET', '/api/v1/findings', { token: 'viewer' });
    expect(findings.body).toMatchObject({
      items: [
        {
          kind: 'duplicate',
          mac: MAC,
          members: [
            { host: 'esx01', vm: 'web01' },
            { host: 'esx01', vm: 'web02' },
          ],
        },
      ],
    });
  });

  it('opens a tar.gz body and imports it later through /import', async () => {
    const r = await api.call('POST', '/api/v1/scans?hostFromPath=%7Bhost%7D/**', {
      token: 'operator',
      bytes: await tarGz(TREE),
      headers: {
        'content-type': 'application/gzip',
        'content-disposition': 'attachment; filename="esx01.tar.gz"',
      },
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ name: 'esx01.tar.gz', files: 2 });
    const { id } = r.body as ScanBody;
    expect((await api.call('GET', '/api/v1/findings', { token: 'viewer' })).body).toEqual({
      items: [],
      next: null,
    });
    const imp = await api.call('POST', `/api/v1/scans/${id}/import`, { token: 'operator' });
    expect(imp).toMatchObject({
      status: 200,
      body: { id, imported: { by: 'operator-token', result: { vms: { created: 2 } } } },
    });
    const twice = await api.call('POST', `/api/v1/scans/${id}/import`, { token: 'operator', body: {} });
    expect(twice.body).toMatchObject({ imported: { result: { vms: { created: 0, unchanged: 2 } } } });
    expect((await api.call('GET', '/api/v1/findings', { token: 'viewer' })).body).toMatchObject({
      items: [{ mac: MAC }],
    });
  });

  it('refuses what it cannot take, naming the field', async () => {
    const cases: [string, Parameters<TestApi['call']>[2], number, string, string][] = [
      [
        'no file part',
        { token: 'operator', form: formWith({ host: 'x' }) },
        400,
        'INVALID_ARGUMENT',
        'form.files',
      ],
      [
        'unknown form field',
        { token: 'operator', form: formWith({ hostfrompath: '{host}/**' }, true) },
        400,
        'INVALID_ARGUMENT',
        'form.hostfrompath',
      ],
      [
        'bad import flag',
        { token: 'operator', form: formWith({ import: 'yes' }, true) },
        400,
        'INVALID_ARGUMENT',
        'form.import',
      ],
      [
        'host pattern without {host}',
        { token: 'operator', form: formWith({ hostFromPath: 'esx/**' }, true) },
        400,
        'INVALID_ARGUMENT',
        'hostFromPath',
      ],
      ['JSON body', { token: 'operator', body: { files: [] } }, 400, 'INVALID_ARGUMENT', 'content-type'],
      [
        'empty archive body',
        { token: 'operator', bytes: new Uint8Array(), headers: { 'content-type': 'application/zip' } },
        400,
        'INVALID_ARGUMENT',
        'body',
      ],
      [
        'declared zip, sent gzip',
        { token: 'operator', bytes: await tarGz(TREE), headers: { 'content-type': 'application/zip' } },
        400,
        'PARSE_ERROR',
        'body',
      ],
      [
        'unknown query option',
        { token: 'operator', bytes: zip(TREE), headers: { 'content-type': 'application/zip' } },
        400,
        'INVALID_ARGUMENT',
        'query.hots',
      ],
    ];
    for (const [what, options, status, code, field] of cases) {
      const path = what === 'unknown query option' ? '/api/v1/scans?hots=x' : '/api/v1/scans';
      const r = await api.call('POST', path, options);
      expect(r, what).toMatchObject({ status, body: { code, field } });
      expect(r.headers.get('content-type'), what).toBe('application/problem+json');
    }
    expect(
      await api.call('POST', '/api/v1/scans?host=a', {
        token: 'operator',
        form: formWith({ host: 'b' }, true),
      }),
    ).toMatchObject({ status: 400, body: { code: 'INVALID_ARGUMENT', field: 'form.host' } });
    const truncated = zip(TREE).slice(0, 60);
    const broken = await api.call('POST', '/api/v1/scans', {
      token: 'operator',
      bytes: truncated,
      headers: { 'content-type': 'application/zip' },
    });
    expect(broken).toMatchObject({ status: 400, body: { code: 'PARSE_ERROR' } });
    expect((await api.call('GET', '/api/v1/scans', { token: 'viewer' })).body).toEqual({
      items: [],
      next: null,
    });
  });

  it('401 without a token, 403 for a viewer upload or import, 404 for an unknown scan', async () => {
    const form = formWith({}, true);
    expect(await api.call('POST', '/api/v1/scans', { token: null, form })).toMatchObject({
      status: 401,
      body: { code: 'UNAUTHENTICATED' },
    });
    expect(
      await api.call('POST', '/api/v1/scans', { token: 'viewer', form: formWith({}, true) }),
    ).toMatchObject({
      status: 403,
      body: { code: 'FORBIDDEN' },
    });
    expect(await api.call('POST', '/api/v1/scans/1/import', { token: 'viewer' })).toMatchObject({
      status: 403,
    });
    expect(await api.call('GET', '/api/v1/scans/999', { token: 'viewer' })).toMatchObject({
      status: 404,
      body: { code: 'NOT_FOUND', detail: 'no scan 999' },
    });
    expect(await api.call('POST', '/api/v1/scans/999/import', { token: 'operator' })).toMatchObject({
      status: 404,
    });
    expect(await api.call('GET', '/api/v1/scans/x', { token: 'viewer' })).toMatchObject({
      status: 400,
      body: { field: 'param.id' },
    });
    expect(
      await api.call('POST', '/api/v1/scans/1/import', { token: 'operator', body: { hypervisor: 'hyperv' } }),
    ).toMatchObject({ status: 400, body: { field: 'json.hypervisor' } });
  });
});

describe('upload bounds', () => {
  const limits = { maxUploadBytes: 1 << 20, maxFiles: 3, maxTotalBytes: 4096, maxFileBytes: 300 };

  it('refuses an archive past the bounds (422 LIMIT_EXCEEDED) and a body past the limit (413)', async () => {
    const bounded = await testApi(
      { bodyLimitBytes: 20_000 },
      { uploadLimits: { ...limits, maxUploadBytes: 25_000 } },
    );
    try {
      const send = (bytes: Uint8Array, type: string) =>
        bounded.call('POST', '/api/v1/scans', {
          token: 'operator',
          bytes,
          headers: { 'content-type': type },
        });
      const four = zip({ 'a.vmx': 'x', 'b.vmx': 'x', 'c.vmx': 'x', 'd.vmx': 'x' });
      expect(await send(four, 'application/zip')).toMatchObject({
        status: 422,
        body: {
          code: 'LIMIT_EXCEEDED',
          field: 'files',
          detail: 'the upload is too large: more than 3 files',
        },
      });
      // 4,000 zeros gzip to a few dozen bytes; the tar around them expands past 4,096.
      const bomb = await tarGz({ 'zeros.txt': '\0'.repeat(4000) });
      expect(bomb.length).toBeLessThan(200);
      expect(await send(bomb, 'application/gzip')).toMatchObject({
        status: 422,
        body: {
          code: 'LIMIT_EXCEEDED',
          detail: 'the upload is too large: more than 4096 bytes once decompressed',
        },
      });
      expect(await send(new Uint8Array(30_000), 'application/octet-stream')).toMatchObject({
        status: 413,
        body: { code: 'PAYLOAD_TOO_LARGE', detail: 'the request body is larger than 25000 bytes' },
      });
      expect((await bounded.call('GET', '/api/v1/scans', { token: 'viewer' })).body).toEqual({
        items: [],
        next: null,
      });
      // An upload has its own limit, above the other routes' body limit: 22,000 bytes pass it (and are
      // read: one file that is no configuration), while a JSON body of that size is refused at the limit.
      expect(await send(new Uint8Array(22_000), 'application/octet-stream')).toMatchObject({ status: 201 });
      expect(
        await bounded.call('POST', '/api/v1/pools', {
          token: 'admin',
          body: { name: 'x'.repeat(22_000), ranges: ['02:00:00:00:00:00/40'] },
        }),
      ).toMatchObject({
        status: 413,
        body: { code: 'PAYLOAD_TOO_LARGE', detail: 'the request body is larger than 20000 bytes' },
      });
    } finally {
      await bounded.close();
    }
  });

  it('reports entries it leaves unread: too large, and paths that leave the archive', async () => {
    const bounded = await testApi({}, { uploadLimits: limits });
    try {
      const r = await bounded.call('POST', '/api/v1/scans', {
        token: 'operator',
        bytes: zip({
          'ok/web.vmx': vmx('web', MAC),
          'big/big.vmx': vmx('big', MAC) + '#'.repeat(300),
          '../evil.vmx': vmx('evil', MAC),
        }),
        headers: { 'content-type': 'application/zip' },
      });
      expect(r.status, r.text).toBe(201);
      const doc = (r.body as { document: { adapters: { vm: string }[]; issues: unknown[] } }).document;
      expect(doc.adapters.map((a) => a.vm)).toEqual(['web']);
      expect(doc.issues).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ file: '../evil.vmx', code: 'UNSAFE_PATH', severity: 'warning' }),
          expect.objectContaining({ file: 'big/big.vmx', code: 'TOO_LARGE', severity: 'info' }),
        ]),
      );
      const again = await bounded.call('GET', `/api/v1/scans/${(r.body as { id: number }).id}`, {
        token: 'viewer',
      });
      expect(again.body).toEqual(r.body);
    } finally {
      await bounded.close();
    }
  });
});

function formWith(fields: Record<string, string>, withFile = false): FormData {
  const form = new FormData();
  if (withFile) form.append('files', new Blob([TREE['esx01/web01/web01.vmx']]), 'web01.vmx');
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  return form;
}

describe('GET /api/v1/scans', () => {
  it('pages newest first over more than one page, and keeps only the newest N', async () => {
    const small = await testApi({}, { scanRetention: 3 });
    try {
      const ids: number[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await small.call('POST', '/api/v1/scans?filename=web.vmx', {
          token: 'operator',
          bytes: enc(vmx(`vm${i}`, `00:50:56:10:00:0${i}`)),
          headers: { 'content-type': 'application/octet-stream' },
        });
        expect(r.status).toBe(201);
        ids.push((r.body as ScanBody).id);
      }
      expect(ids).toEqual([1, 2, 3, 4, 5]);
      const first = await small.call('GET', '/api/v1/scans?limit=2', { token: 'viewer' });
      const page1 = first.body as { items: { id: number; name: string }[]; next: string };
      expect(page1.items.map((s) => s.id)).toEqual([5, 4]);
      expect(page1.items[0]!.name).toBe('web.vmx');
      const second = await small.call('GET', page1.next, { token: 'viewer' });
      expect(second.body).toMatchObject({ items: [{ id: 3 }], next: null });
      expect(await small.call('GET', '/api/v1/scans/2', { token: 'viewer' })).toMatchObject({ status: 404 });
      expect(await small.call('GET', '/api/v1/scans?cursor=%%', { token: 'viewer' })).toMatchObject({
        status: 400,
        body: { field: 'cursor' },
      });
    } finally {
      await small.close();
    }
  });

  it('keeps scans across a restart (the store reopened)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'macfleet-scans-'));
    try {
      const one = await testApi({}, { dir });
      const up = await one.call('POST', '/api/v1/scans?hostFromPath=%7Bhost%7D/**', {
        token: 'operator',
        bytes: zip(TREE),
        headers: { 'content-type': 'application/zip' },
      });
      expect(up.status).toBe(201);
      await one.close();
      const two = await testApi({}, { dir });
      try {
        const back = await two.call('GET', `/api/v1/scans/${(up.body as ScanBody).id}`, { token: 'viewer' });
        expect(back).toMatchObject({ status: 200, body: up.body as object });
        expect((await two.call('GET', '/api/v1/scans', { token: 'viewer' })).body).toMatchObject({
          items: [{ id: (up.body as ScanBody).id, actor: 'operator-token-0' }],
        });
      } finally {
        await two.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
