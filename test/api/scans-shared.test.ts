/**
 * One shelf for both faces: a scan uploaded through the API shows on the console's Scan upload and
 * Conflicts pages, and one uploaded through the console is listed by GET /api/v1/scans.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApi, type TestApi } from '../../src/api/test-api.js';
import { createConsole } from '../../src/web/console-app.js';

const vmx = (name: string, mac: string): string =>
  `displayName = "${name}"\nethernet0.present = "TRUE"\nethernet0.networkName = "VM Network"\nethernet0.addressType = "static"\nethernet0.address = "${mac}"\n`;

let api: TestApi;
let web: ReturnType<typeof createConsole>['app'];
beforeAll(async () => {
  api = await testApi();
  web = createConsole(api.deps).app;
});
afterAll(async () => {
  await api.close();
});

async function signIn(token: string): Promise<{ cookie: string; csrf: string }> {
  const page = await web.request('/login');
  const login = page.headers
    .getSetCookie()
    .find((c) => c.startsWith('macfleet_login='))!
    .split(';')[0]!;
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
  const res = await web.request('/login', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: login },
    body: new URLSearchParams({ _csrf: csrf, token, next: '/scans' }).toString(),
  });
  const cookie = res.headers
    .getSetCookie()
    .find((c) => c.startsWith('macfleet_session='))!
    .split(';')[0]!;
  const scans = await web.request('/scans', { headers: { cookie } });
  return { cookie, csrf: /name="_csrf" value="([^"]+)"/.exec(await scans.text())![1]! };
}

describe('uploaded scans, API and console', () => {
  it('shows an API upload on the console, and lists a console upload in the API', async () => {
    const form = new FormData();
    form.append('files', new Blob([vmx('a<b>', '00:50:56:10:00:09')]), 'a.vmx');
    form.append('files', new Blob([vmx('b', '00:50:56:10:00:09')]), 'b.vmx');
    const up = await api.call('POST', '/api/v1/scans', { token: 'operator', form });
    expect(up.status).toBe(201);
    const id = (up.body as { id: number }).id;

    const { cookie, csrf } = await signIn(api.tokens.operator);
    const list = await (await web.request('/scans', { headers: { cookie } })).text();
    expect(list).toContain(`<a href="/scans/${id}">Scan ${id}: a.vmx, b.vmx</a>`);
    const page = await (await web.request(`/scans/${id}`, { headers: { cookie } })).text();
    expect(page).toContain('00:50:56:10:00:09');
    expect(page).toContain('a&lt;b&gt;');
    expect(page).not.toContain('a<b>');
    const conflicts = await (await web.request('/conflicts', { headers: { cookie } })).text();
    expect(conflicts).toContain(`Scan ${id}: a.vmx, b.vmx`);

    const mine = new FormData();
    mine.append('_csrf', csrf);
    mine.append('files', new Blob([vmx('c', '00:50:56:10:00:0a')]), 'c.vmx');
    const posted = await web.request('/scans', { method: 'POST', headers: { cookie }, body: mine });
    expect(posted.status).toBe(303);
    expect(posted.headers.get('location')).toBe(`/scans/${id + 1}`);
    const listed = await api.call('GET', '/api/v1/scans', { token: 'viewer' });
    expect(listed.body).toMatchObject({
      items: [
        { id: id + 1, name: 'c.vmx', actor: 'operator-token', adapters: 1 },
        { id, name: 'a.vmx, b.vmx', adapters: 2, findings: { error: 1 } },
      ],
      next: null,
    });
  });
});
