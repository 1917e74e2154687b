/**
 * Plan a fix, in process (`app.request`, bearer tokens): an uploaded scan's plan with its diff and the
 * fixed files as a zip, nothing written on the server; the inventory's plan as a before/after table,
 * made only on confirm, refused for a running VM with the core's reason, and refused whole when the
 * inventory changed since the plan was shown.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/api/principal.js';
import { addHost, addNetwork, createVm, startVm } from '../../src/fleet/index.js';
import { parseMac } from '../../src/mac/index.js';
import { seededRandom, systemClock } from '../../src/random.js';
import { storeFleetDeps } from '../../src/store/fleet-deps.js';
import { StoreFleetRepository } from '../../src/store/fleet-store.js';
import { openStore } from '../../src/store/open-store.js';
import { PoolStore } from '../../src/store/pool-store.js';
import type { Store } from '../../src/store/store.js';
import { createConsole } from '../../src/web/console-app.js';

const TOKENS: Record<string, Principal> = {
  'tok-op': { name: 'olivia', role: 'operator' },
  'tok-view': { name: 'victor', role: 'viewer' },
};
const op = { authorization: 'Bearer tok-op' };
const viewer = { authorization: 'Bearer tok-view' };
const FORM = 'application/x-www-form-urlencoded';
let dir = '';
let store: Store;
let handle: ReturnType<typeof createConsole>;
let app: ReturnType<typeof createConsole>['app'];

const DUP = '00:50:56:3a:bc:de';
const vmx = (name: string, mac = DUP) =>
  `displayName = "${name}"\nethernet0.present = "TRUE"\nethernet0.networkName = "Lab"\nethernet0.addressType = "static"\nethernet0.address = "${mac}"\n`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'macfleet-console-fix-'));
  store = await openStore(join(dir, 'fleet.db'));
  // The only pool, inside VMware's static range: its first addresses are what the plans hand out.
  await new PoolStore(store).createPool({ name: 'lab', ranges: ['00:50:56:10:00:00/40'], isDefault: true });
  const fleet = storeFleetDeps(store, { clock: systemClock, random: seededRandom(5), actor: 'setup' });
  await addHost(fleet, { name: 'kvm1', hypervisor: 'kvm' });
  await addNetwork(fleet, { host: 'kvm1', name: 'default' });
  const mac = parseMac('52:54:00:aa:bb:01');
  await createVm(fleet, { host: 'kvm1', name: 'a<1>', adapters: [{ network: 'default', static: mac }] });
  await createVm(fleet, {
    host: 'kvm1',
    name: 'b',
    adapters: [{ network: 'default', static: mac }],
    force: true,
  });
  await createVm(fleet, {
    host: 'kvm1',
    name: 'c',
    adapters: [{ network: 'default', static: mac }],
    force: true,
  });
  await startVm(fleet, { host: 'kvm1', name: 'c' }).catch(() => undefined);
  handle = createConsole({
    store,
    clock: systemClock,
    random: seededRandom(6),
    authenticate: (t) => Promise.resolve(TOKENS[t]),
  });
  app = handle.app;
});

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function upload(files: Record<string, string>): Promise<number> {
  const body = new FormData();
  body.append(
    'files',
    new Blob([zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, strToU8(v)])))]),
    'up.zip',
  );
  body.append('hostFromPath', '{host}/**');
  const res = await app.request('/scans', { method: 'POST', headers: op, body });
  expect(res.status).toBe(303);
  return Number(/^\/scans\/(\d+)$/.exec(res.headers.get('location') ?? '')![1]);
}

const post = (path: string, fields: Record<string, string>, headers: Record<string, string> = op) =>
  app.request(path, {
    method: 'POST',
    headers: { ...headers, 'content-type': FORM },
    body: new URLSearchParams(fields).toString(),
  });

describe('plan a fix for an uploaded scan', () => {
  it('shows the plan and an escaped diff, and offers the fixed files as a zip', async () => {
    const id = await upload({
      'esx9/x/x.vmx': vmx('x'),
      'esx9/y/y.vmx': vmx('y<script>'),
    });
    const conflicts = await (await app.request('/conflicts', { headers: op })).text();
    expect(conflicts).toContain(`href="/conflicts/scans/${id}/fix"`);
    const form = await (await app.request(`/conflicts/scans/${id}/fix`, { headers: op })).text();
    expect(form).toContain('Plan the fix');
    const res = await post(`/conflicts/scans/${id}/fix`, { scope: 'default', keep: 'first', pool: 'lab' });
    expect(res.status).toBe(200);
    const page = await res.text();
    // y.vmx changes (x.vmx is first in path order and keeps the MAC); its name is escaped everywhere.
    expect(page).toContain('1 change: 1 written into 1 file; 1 new MAC from pool lab');
    expect(page).not.toContain('y<script>');
    expect(page).toContain('y&lt;script&gt;');
    const added =
      /<span class="add">\+ethernet0\.address = &quot;(00:50:56:10:00:[0-9a-f]{2})&quot;<\/span>/.exec(page);
    expect(added).not.toBeNull();
    expect(page).toContain(`<span class="del">-ethernet0.address = &quot;${DUP}&quot;</span>`);
    const newMac = added![1]!;
    // The MAC is held in the pool for the file's adapter.
    const held = await new PoolStore(store).whois(parseMac(newMac));
    expect(held.holding).toEqual(
      expect.objectContaining({ state: 'allocated', pool: 'lab', owner: 'esx9/y/y.vmx ethernet0' }),
    );

    const zipRes = await post(`/conflicts/scans/${id}/fix.zip`, {
      scope: 'default',
      keep: 'first',
      pool: 'lab',
    });
    expect(zipRes.status).toBe(200);
    expect(zipRes.headers.get('content-type')).toBe('application/zip');
    expect(zipRes.headers.get('content-disposition')).toBe(`attachment; filename="scan-${id}-fixed.zip"`);
    const entries = unzipSync(new Uint8Array(await zipRes.arrayBuffer()));
    expect(Object.keys(entries).sort()).toEqual(['esx9/y/y.vmx', 'macfleet-fix/plan.json']);
    // Downloading makes the same plan again: the same MAC (the allocation is replayed by its key).
    expect(strFromU8(entries['esx9/y/y.vmx']!)).toBe(vmx('y<script>', newMac));
    const plan = JSON.parse(strFromU8(entries['macfleet-fix/plan.json']!)) as {
      changes: { file: string; newMac: string }[];
    };
    expect(plan.changes).toEqual([expect.objectContaining({ file: 'esx9/y/y.vmx', newMac })]);
  });

  it('keeps the member whose file matches the glob, and refuses an empty glob with the field named', async () => {
    const id = await upload({ 'esx8/p/p.vmx': vmx('p'), 'esx8/q/q.vmx': vmx('q') });
    const page = await (
      await post(`/conflicts/scans/${id}/fix`, {
        scope: 'default',
        keep: 'glob',
        glob: '**/q.vmx',
        pool: 'lab',
      })
    ).text();
    expect(page).toMatch(/<h3>esx8\/p\/p\.vmx<\/h3>/);
    expect(page).not.toMatch(/<h3>esx8\/q\/q\.vmx<\/h3>/);
    const bad = await post(`/conflicts/scans/${id}/fix`, { scope: 'default', keep: 'glob', glob: ' ' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain(
      'keep: give the glob of the files that keep their MAC [INVALID_ARGUMENT]',
    );
  });

  it('refuses a viewer (planning holds MACs) and an unknown pool, with the reason', async () => {
    const id = await upload({ 'esx7/p/p.vmx': vmx('p'), 'esx7/q/q.vmx': vmx('q') });
    const v = await post(`/conflicts/scans/${id}/fix`, { scope: 'default', keep: 'first' }, viewer);
    expect(v.status).toBe(403);
    expect(await v.text()).toContain('it needs the operator role; victor is viewer');
    const nopool = await post(`/conflicts/scans/${id}/fix`, {
      scope: 'default',
      keep: 'first',
      pool: 'nope',
    });
    expect(nopool.status).toBe(404);
    expect(await nopool.text()).toMatch(/nope.*\[NOT_FOUND\]/);
  });
});

describe('fix the inventory', () => {
  it('shows a before/after plan (the running VM keeps the MAC) and changes only on confirm', async () => {
    const page = await (
      await app.request('/conflicts/fix?scope=default&action=pool&pool=lab', { headers: op })
    ).text();
    expect(page).toContain('52:54:00:aa:bb:01');
    // c runs (it keeps the MAC, being unchangeable); a<1> and b change, each shown with its escaped link.
    expect(page).toContain('kvm1 / a&lt;1&gt; · Network Adapter 1');
    expect(page).toContain('static, a new MAC from pool lab');
    const version = /name="version"\s+value="(\d+)"/.exec(page)![1]!;
    const repo = () => new StoreFleetRepository(store);
    const before = (await repo().getVm('kvm1', 'b'))!.adapters[0]!.mac;

    const unconfirmed = await post('/conflicts/fix', {
      scope: 'default',
      action: 'pool',
      pool: 'lab',
      version,
    });
    expect(unconfirmed.status).toBe(400);
    expect((await repo().getVm('kvm1', 'b'))!.adapters[0]!.mac).toBe(before);

    const stale = await post('/conflicts/fix', {
      scope: 'default',
      action: 'pool',
      pool: 'lab',
      version: '1',
      confirm: 'yes',
    });
    expect(stale.status).toBe(409);
    expect(await stale.text()).toContain('the inventory changed since the plan was shown');

    const v = await post(
      '/conflicts/fix',
      { scope: 'default', action: 'pool', pool: 'lab', version, confirm: 'yes' },
      viewer,
    );
    expect(v.status).toBe(403);

    const done = await post('/conflicts/fix', {
      scope: 'default',
      action: 'pool',
      pool: 'lab',
      version,
      confirm: 'yes',
    });
    expect(done.status).toBe(200);
    const text = await done.text();
    expect(text).toContain('2 of 2 adapter(s) changed');
    const a = (await repo().getVm('kvm1', 'a<1>'))!.adapters[0]!;
    const b = (await repo().getVm('kvm1', 'b'))!.adapters[0]!;
    expect(a.mode).toBe('static');
    expect(new Set([a.mac, b.mac]).size).toBe(2);
    for (const m of [a.mac!, b.mac!])
      expect((await new PoolStore(store).whois(m)).holding).toEqual(
        expect.objectContaining({ state: 'allocated', pool: 'lab' }),
      );
    const after = await (await app.request('/conflicts/fix', { headers: op })).text();
    expect(after).toContain('Nothing to change');
  });

  it('refuses the change of a second running member with the core reason, in the plan and on confirm', async () => {
    const fleet = storeFleetDeps(store, { clock: systemClock, random: seededRandom(7), actor: 'setup' });
    const mac = parseMac('52:54:00:aa:bb:02');
    await createVm(fleet, { host: 'kvm1', name: 'r1', adapters: [{ network: 'default', static: mac }] });
    await createVm(fleet, {
      host: 'kvm1',
      name: 'r2',
      adapters: [{ network: 'default', static: mac }],
      force: true,
    });
    await startVm(fleet, { host: 'kvm1', name: 'r1' });
    await startVm(fleet, { host: 'kvm1', name: 'r2' }).catch(() => undefined);
    const r2 = await new StoreFleetRepository(store).getVm('kvm1', 'r2');
    expect(r2!.state).toBe('running');
    const page = await (await app.request('/conflicts/fix?action=dynamic', { headers: op })).text();
    const reason =
      'cannot change the MAC address mode of kvm1/r2 while it is running; stop it first — stop the virtual machine to change this [VM_RUNNING]';
    expect(page).toContain(reason);
    const version = /name="version"\s+value="(\d+)"/.exec(page)![1]!;
    const res = await post('/conflicts/fix', {
      scope: 'default',
      action: 'dynamic',
      pool: '',
      version,
      confirm: 'yes',
    });
    expect(res.status).toBe(409);
    expect(await res.text()).toContain(reason);
  });
});
