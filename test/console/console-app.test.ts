/**
 * The console in process (`app.request`): sign-in and its cookie, CSRF on every form, roles, refusals
 * shown with their reason, and escaping of what the inventory holds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/api/principal.js';
import { addHost, addNetwork, createVm, startVm } from '../../src/fleet/index.js';
import { parseIpv4 } from '../../src/mac/index.js';
import { seededRandom, systemClock } from '../../src/random.js';
import { storeFleetDeps } from '../../src/store/fleet-deps.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { createConsole } from '../../src/web/console-app.js';

const TOKENS: Record<string, Principal> = {
  'tok-op': { name: 'olivia', role: 'operator' },
  'tok-view': { name: 'victor', role: 'viewer' },
};
let dir = '';
let store: Store;
let app: ReturnType<typeof createConsole>['app'];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'macfleet-console-app-'));
  store = await openStore(join(dir, 'fleet.db'));
  const fleet = storeFleetDeps(store, { clock: systemClock, random: seededRandom(5), actor: 'setup' });
  await addHost(fleet, { name: 'hv1', hypervisor: 'hyper-v', ip: parseIpv4('10.9.8.7') });
  await addNetwork(fleet, { host: 'hv1', name: 'External' });
  await createVm(fleet, { host: 'hv1', name: '<b>evil</b>', adapters: [{ network: 'External' }] });
  await createVm(fleet, { host: 'hv1', name: 'run1', adapters: [{ network: 'External' }] });
  await startVm(fleet, { host: 'hv1', name: 'run1' });
  app = createConsole({
    store,
    clock: systemClock,
    random: seededRandom(6),
    authenticate: (t) => Promise.resolve(TOKENS[t]),
  }).app;
});

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const FORM = 'application/x-www-form-urlencoded';
const cookieOf = (res: Response, name: string): string | undefined =>
  res.headers
    .getSetCookie()
    .find((c) => c.startsWith(`${name}=`))
    ?.split(';')[0];

async function signIn(token: string): Promise<{ cookie: string; csrf: string }> {
  const page = await app.request('/login');
  const login = cookieOf(page, 'macfleet_login')!;
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
  const res = await app.request('/login', {
    method: 'POST',
    headers: { 'content-type': FORM, cookie: login },
    body: form({ _csrf: csrf, token, next: '/vms' }),
  });
  expect(res.status).toBe(303);
  expect(res.headers.get('location')).toBe('/vms');
  const set = res.headers.getSetCookie().find((c) => c.startsWith('macfleet_session='))!;
  expect(set).toMatch(/HttpOnly/i);
  expect(set).toMatch(/SameSite=Strict/i);
  const cookie = set.split(';')[0]!;
  const vms = await app.request('/vms', { headers: { cookie } });
  const formCsrf = /name="_csrf" value="([^"]+)"/.exec(await vms.text())![1]!;
  return { cookie, csrf: formCsrf };
}

describe('console sign-in and CSRF', () => {
  it('sends an anonymous reader to the sign-in page and refuses an anonymous write', async () => {
    const get = await app.request('/vms?host=hv1');
    expect(get.status).toBe(303);
    expect(get.headers.get('location')).toBe('/login?next=%2Fvms%3Fhost%3Dhv1');
    const post = await app.request('/vms/hv1/run1/stop', {
      method: 'POST',
      headers: { 'content-type': FORM },
      body: '',
    });
    expect(post.status).toBe(401);
  });

  it('refuses a sign-in without the form token, or with a bad token', async () => {
    const noCsrf = await app.request('/login', {
      method: 'POST',
      headers: { 'content-type': FORM },
      body: form({ token: 'tok-op' }),
    });
    expect(noCsrf.status).toBe(403);
    expect(cookieOf(noCsrf, 'macfleet_session')).toBeUndefined();
    const page = await app.request('/login');
    const login = cookieOf(page, 'macfleet_login')!;
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
    const bad = await app.request('/login', {
      method: 'POST',
      headers: { 'content-type': FORM, cookie: login },
      body: form({ _csrf: csrf, token: 'nope' }),
    });
    expect(bad.status).toBe(401);
    expect(await bad.text()).toContain('that token is not valid');
  });

  it('needs the session CSRF token on every form, and refuses another origin', async () => {
    const { cookie, csrf } = await signIn('tok-op');
    const without = await app.request('/vms/hv1/run1/stop', {
      method: 'POST',
      headers: { 'content-type': FORM, cookie },
      body: '',
    });
    expect(without.status).toBe(403);
    const wrong = await app.request('/vms/hv1/run1/stop', {
      method: 'POST',
      headers: { 'content-type': FORM, cookie },
      body: form({ _csrf: `${csrf}x` }),
    });
    expect(wrong.status).toBe(403);
    const foreign = await app.request('http://localhost/vms/hv1/run1/stop', {
      method: 'POST',
      headers: { 'content-type': FORM, cookie, origin: 'http://evil.example' },
      body: form({ _csrf: csrf }),
    });
    expect(foreign.status).toBe(403);
    const vm = await app.request('/vms/hv1/run1', { headers: { authorization: 'Bearer tok-op' } });
    expect(await vm.text()).toContain('badge-running');
  });

  it('escapes what the inventory holds', async () => {
    const res = await app.request('/vms', { headers: { authorization: 'Bearer tok-view' } });
    const text = await res.text();
    expect(text).toContain('&lt;b&gt;evil&lt;/b&gt;');
    expect(text).not.toContain('<b>evil</b>');
  });
});

describe('console roles and refusals', () => {
  it('shows a viewer no write control and refuses a viewer write with the reason', async () => {
    const page = await (
      await app.request('/vms/hv1/run1/adapters/0', { headers: { authorization: 'Bearer tok-view' } })
    ).text();
    expect(page).not.toContain('>OK</button>');
    expect(page).not.toMatch(/<button[^>]*>Stop<\/button>/);
    const res = await app.request('/vms/hv1/run1/adapters/0', {
      method: 'POST',
      headers: { authorization: 'Bearer tok-view', 'content-type': FORM },
      body: form({ spoofing: 'on' }),
    });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('needs the operator role; victor is viewer');
  });

  it('disables the MAC mode and spoofing of a running VM with the reason, and refuses a change sent anyway', async () => {
    const page = await (
      await app.request('/vms/hv1/run1/adapters/0', { headers: { authorization: 'Bearer tok-op' } })
    ).text();
    const box = /<input[^>]*id="f-spoofing"[^>]*>/.exec(page)?.[0];
    expect(box).toContain('disabled');
    expect(page).toContain('stop the virtual machine to change this');
    const res = await app.request('/vms/hv1/run1/adapters/0', {
      method: 'POST',
      headers: { authorization: 'Bearer tok-op', 'content-type': FORM },
      body: form({ spoofing: 'on' }),
    });
    expect(res.status).toBe(409);
    const text = await res.text();
    expect(text).toContain('stop the virtual machine to change this');
    expect(text).toContain('VM_RUNNING');
  });
});
