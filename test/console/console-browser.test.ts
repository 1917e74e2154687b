/**
 * The console in a real browser (Debian's chromium driven by playwright-core) against a `macfleet serve`
 * child on 127.0.0.1 with a temporary database seeded with the demo fleet (run `npm run build` first). The two procedures of the
 * product's source material are followed word for word, by role and label; a scan with a duplicate is
 * uploaded and found under Conflicts, a fix planned for it (diff, then a zip) and for the inventory
 * (before/after, then confirm); the pool chart renders; no control lacks an accessible name; a
 * screenshot of each page goes to test-results/.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CHROMIUM = '/usr/bin/chromium';
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const shots = join(root, 'test-results');
const have = existsSync(CHROMIUM);
if (!have && process.env['CI'] === 'true') throw new Error(`${CHROMIUM} is missing (.ci/run installs it)`);

const TOKENS = { operator: '', viewer: '' };
let child: ChildProcess;
let base = '';
let browser: Browser;
let dir = '';

/** Seed a temporary database, then run `macfleet serve` on it on a free loopback port. */
async function startServe(): Promise<string> {
  dir = mkdtempSync(join(tmpdir(), 'macfleet-console-'));
  const db = join(dir, 'fleet.db');
  const seeded = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(root, 'test/helpers/console-seed.ts'), db],
    {
      cwd: root,
      encoding: 'utf8',
    },
  );
  if (seeded.status !== 0) throw new Error(`seeding failed: ${seeded.stderr}`);
  Object.assign(TOKENS, JSON.parse(seeded.stdout) as typeof TOKENS);
  const env = { ...process.env };
  delete env['MACFLEET_DB'];
  child = spawn(join(root, 'bin/macfleet'), ['serve', '--db', db, '--listen', '127.0.0.1:0'], {
    cwd: root,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(err);
      if (m !== null) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`macfleet serve exited with ${code}: ${err}`)));
  });
}

async function signIn(token: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${base}/`);
  await page.waitForURL(/\/login/);
  await page.getByLabel('Token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
  return page;
}

const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(shots, `console-${name}.png`), fullPage: true });

/**
 * Every control, link and image that has no accessible name: a label, aria-label(ledby) naming a
 * non-empty element, its text (buttons, links) or a title. Run in the page (a string: the project's
 * TypeScript has no DOM types).
 */
const UNNAMED_CONTROLS = `(() => {
  const out = [];
  for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea, button, a[href], [role=img]')) {
    const ids = (el.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean);
    const named =
      (el.labels && el.labels.length > 0) ||
      (el.getAttribute('aria-label') || '').trim() !== '' ||
      ids.some((id) => ((document.getElementById(id) || {}).textContent || '').trim() !== '') ||
      ((el.tagName === 'BUTTON' || el.tagName === 'A') && (el.textContent || '').trim() !== '') ||
      (el.getAttribute('title') || '').trim() !== '';
    if (!named) out.push(el.outerHTML.slice(0, 120));
  }
  return out;
})()`;

const unnamedControls = (page: Page): Promise<string[]> => page.evaluate(UNNAMED_CONTROLS);

describe.skipIf(!have)('web console in chromium', { timeout: 90_000 }, () => {
  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    base = await startServe();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    child?.kill('SIGTERM');
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('Virtual Server: a refused start shows its reason; Configure > Network Adapters > Dynamic > OK gives a new MAC', async () => {
    const page = await signIn(TOKENS.operator);
    await page
      .getByRole('navigation', { name: 'Console' })
      .getByRole('link', { name: 'Virtual Machines' })
      .click();
    await page.getByLabel('Host').selectOption('vs-staging');
    await page.getByRole('button', { name: 'Filter' }).click();
    // web1's static MAC is the one vs-staging's counter gave web2: the start is refused, with the reason.
    await page.getByRole('button', { name: 'Start web1 on vs-staging' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toContain('is in use by vs-staging/web2#0');
    await shot(page, 'vms');
    // "In Virtual Machines, click Configure and select the virtual machine from the list."
    await page.getByRole('link', { name: 'Configure web1 on vs-staging' }).click();
    await shot(page, 'vm-configuration');
    // "In the virtual machine Configuration pane, click Network Adapters."
    await page.getByRole('link', { name: 'Network Adapters', exact: true }).click();
    const before = (await page.locator('#current-mac').textContent())!.trim();
    expect(before).toBe('00:03:ff:53:32:68');
    // "In Ethernet (MAC) Address, select Dynamic. Click OK."
    await page.getByRole('group', { name: 'Ethernet (MAC) Address' }).getByLabel('Dynamic').check();
    await page.getByRole('button', { name: 'OK' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('dynamic MAC');
    const after = (await page.locator('#current-mac').textContent())!.trim();
    expect(after).toMatch(/^00:03:ff:[0-9a-f]{2}:32:68$/);
    expect(after).not.toBe(before);
    expect((await page.locator('#current-mode').textContent())?.trim()).toBe('dynamic');
    expect(
      await page.getByRole('group', { name: 'Ethernet (MAC) Address' }).getByLabel('Dynamic').isChecked(),
    ).toBe(true);
    await shot(page, 'vm-network-adapters');
    // Now it starts.
    await page.getByRole('link', { name: 'Status' }).click();
    await page.getByRole('button', { name: 'Start web1 on vs-staging' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('vs-staging/web1 is running');
    await page.context().close();
  });

  it('Hyper-V: spoofing is refused while running; stop, enable spoofing, OK, start, and it is saved', async () => {
    const page = await signIn(TOKENS.operator);
    await page
      .getByRole('navigation', { name: 'Console' })
      .getByRole('link', { name: 'Virtual Machines' })
      .click();
    await page.getByLabel('Name contains').fill('nlb1');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByRole('link', { name: 'Configure nlb1 on hv-a' }).click();
    await page.getByRole('link', { name: 'Network Adapters', exact: true }).click();
    // "Select the Network Adaptor for the NLB VM"
    await page.getByRole('link', { name: 'Network Adapter 2 — External' }).click();
    const spoofing = page.getByLabel('Enable spoofing of MAC address');
    expect(await spoofing.isDisabled()).toBe(true);
    expect(await spoofing.isChecked()).toBe(false);
    await page.getByText('stop the virtual machine to change this').waitFor({ state: 'visible' });
    await shot(page, 'vm-adapter-running');
    // "Make sure the VM is stopped"
    await page.getByRole('link', { name: 'Status' }).click();
    await page.getByRole('button', { name: 'Stop nlb1 on hv-a' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('hv-a/nlb1 is stopped');
    // "open the properties of the VM. Select the Network Adaptor ... check 'Enable spoofing of MAC Address' and click OK"
    await page.getByRole('link', { name: 'Network Adapter 2', exact: true }).click();
    await page.getByLabel('Enable spoofing of MAC address').check();
    await page.getByRole('button', { name: 'OK' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('spoofing on');
    // "Then start the VM."
    await page.getByRole('link', { name: 'Status' }).click();
    await page.getByRole('button', { name: 'Start nlb1 on hv-a' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('hv-a/nlb1 is running');
    await page.getByRole('link', { name: 'Network Adapter 2', exact: true }).click();
    expect(await page.getByLabel('Enable spoofing of MAC address').isChecked()).toBe(true);
    expect(await page.getByLabel('Enable spoofing of MAC address').isDisabled()).toBe(true);
    await page.context().close();
  });

  it('a scan uploaded with a duplicate is found under Conflicts', async () => {
    const vmx = (name: string) =>
      strToU8(
        `displayName = "${name}"\nethernet0.present = "TRUE"\nethernet0.networkName = "Lab"\nethernet0.addressType = "static"\nethernet0.address = "00:50:56:3a:bc:de"\n`,
      );
    const zip = zipSync({
      'esx-up/dupe-a/dupe-a.vmx': vmx('dupe-a'),
      'esx-up/dupe-b/dupe-b.vmx': vmx('dupe-b'),
    });
    const file = join(dir, 'upload.zip');
    writeFileSync(file, zip);
    const page = await signIn(TOKENS.operator);
    await page.getByRole('link', { name: 'Scan upload' }).click();
    await page.getByLabel('Configuration files or an archive (.zip, .tar, .tar.gz)').setInputFiles(file);
    await page.getByLabel('Host from path (optional, e.g. {host}/**)').fill('{host}/**');
    await shot(page, 'scan-upload');
    await page.getByRole('button', { name: 'Upload and audit' }).click();
    await expect
      .poll(() => page.getByRole('status').textContent())
      .toContain('Audited 2 configuration file(s)');
    await shot(page, 'scan-result');
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Conflicts' }).click();
    const scan = page.locator('.panel', { has: page.getByRole('link', { name: /upload\.zip/ }) });
    // Two VMware VMs on one host and network: VMware starts both and they share the MAC (conflicting).
    await scan.getByRole('heading', { name: /Conflicting/ }).waitFor({ state: 'visible' });
    await scan.getByText('00:50:56:3a:bc:de').waitFor({ state: 'visible' });
    await scan.getByRole('link', { name: 'esx-up/dupe-a/dupe-a.vmx:5' }).waitFor({ state: 'visible' });
    await shot(page, 'conflicts');
    await page.context().close();
  });

  /** Upload two VMware VMs sharing a MAC (as a zip, host from path), and wait for the audit. */
  async function uploadDuplicate(page: Page, hostDir: string): Promise<void> {
    const vmx = (name: string) =>
      strToU8(
        `displayName = "${name}"\nethernet0.present = "TRUE"\nethernet0.networkName = "Lab"\nethernet0.addressType = "static"\nethernet0.address = "00:50:56:3a:bc:df"\n`,
      );
    const file = join(dir, `${hostDir}.zip`);
    writeFileSync(
      file,
      zipSync({ [`${hostDir}/one/one.vmx`]: vmx('one'), [`${hostDir}/two/two.vmx`]: vmx('two') }),
    );
    await page.getByRole('link', { name: 'Scan upload' }).click();
    await page.getByLabel('Configuration files or an archive (.zip, .tar, .tar.gz)').setInputFiles(file);
    await page.getByLabel('Host from path (optional, e.g. {host}/**)').fill('{host}/**');
    await page.getByRole('button', { name: 'Upload and audit' }).click();
    await expect
      .poll(() => page.getByRole('status').textContent())
      .toContain('Audited 2 configuration file(s)');
  }

  it('Plan a fix for an uploaded scan: the plan and its diff first, then the fixed files as a zip', async () => {
    const page = await signIn(TOKENS.operator);
    await uploadDuplicate(page, 'esx-fix');
    const scanId = /\/scans\/(\d+)$/.exec(page.url())![1]!;
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Conflicts' }).click();
    await page.getByRole('link', { name: `Plan a fix for scan ${scanId}` }).click();
    await page.getByRole('heading', { name: 'Plan a fix', level: 2 }).waitFor();
    expect(await unnamedControls(page), 'plan a fix form: controls without an accessible name').toEqual([]);
    await page
      .getByRole('group', { name: 'Who keeps the MAC' })
      .getByLabel('The first member in path order')
      .check();
    await page.getByLabel('Pool for new MACs').selectOption('fleet');
    await page.getByRole('button', { name: 'Plan the fix' }).click();
    await page.getByRole('heading', { name: 'The plan' }).waitFor();
    expect(await page.locator('#plan-summary').textContent()).toContain(
      '1 change: 1 written into 1 file; 1 new MAC from pool fleet',
    );
    // The diff of the file that changes, readable: the old line removed, the new one added.
    const diff = page.getByLabel('Changes to esx-fix/two/two.vmx');
    await diff.waitFor({ state: 'visible' });
    expect(await diff.locator('.del').allTextContents()).toEqual([
      '-ethernet0.address = "00:50:56:3a:bc:df"',
    ]);
    const added = await diff.locator('.add').allTextContents();
    expect(added).toHaveLength(1);
    const newMac = /^\+ethernet0\.address = "(0a:1b:2c:[0-9a-f:]{8})"$/.exec(added[0]!)![1]!;
    // The demo pool is outside VMware's static range: the plan says so before anything is written.
    await page.getByText(/is outside VMware's static range/).waitFor({ state: 'visible' });
    expect(await unnamedControls(page), 'the plan: controls without an accessible name').toEqual([]);
    await shot(page, 'fix-plan');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download the fixed files (.zip)' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`scan-${scanId}-fixed.zip`);
    const saved = join(shots, `console-scan-${scanId}-fixed.zip`);
    await download.saveAs(saved);
    const entries = unzipSync(new Uint8Array(readFileSync(saved)));
    expect(Object.keys(entries).sort()).toEqual(['esx-fix/two/two.vmx', 'macfleet-fix/plan.json']);
    expect(strFromU8(entries['esx-fix/two/two.vmx']!)).toContain(`ethernet0.address = "${newMac}"`);
    await page.context().close();
  });

  it('Plan a fix for the inventory: a before/after table, then the changes only on confirm', async () => {
    const page = await signIn(TOKENS.operator);
    await uploadDuplicate(page, 'esx-inv');
    await page.getByRole('button', { name: 'Import into the inventory' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Imported 2 adapter(s)');
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Conflicts' }).click();
    await page.getByRole('region', { name: 'Inventory' }).getByRole('link', { name: 'Plan a fix' }).click();
    await page
      .getByRole('group', { name: 'New MAC for the adapters that change' })
      .getByLabel(/^Dynamic/)
      .check();
    await page.getByRole('button', { name: 'Show the plan' }).click();
    const row = page.getByRole('row', { name: /esx-inv \/ two · Network Adapter 1/ });
    await row.waitFor({ state: 'visible' });
    const cells = (await row.getByRole('cell').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
    expect(cells).toEqual([
      'esx-inv / two · Network Adapter 1',
      'Lab',
      'stopped',
      '00:50:56:3a:bc:df (static, conflicting)',
      "dynamic, a new MAC from the host's source (hypervisor)",
      'esx-inv / one · Network Adapter 1',
      'will change',
    ]);
    expect(await unnamedControls(page), 'inventory plan: controls without an accessible name').toEqual([]);
    await shot(page, 'inventory-fix-plan');
    // Nothing is made without the explicit confirm (the browser holds the form: the box is required).
    await page.getByRole('button', { name: 'Make these changes' }).click();
    expect(await page.locator('#ifx-sure:invalid').count()).toBe(1);
    expect(await page.getByRole('status').count()).toBe(0);
    await page.getByLabel('I have read the plan above').check();
    await page.getByRole('button', { name: 'Make these changes' }).click();
    // The demo fleet has duplicates of its own (some on running VMs, refused): the notice counts them all.
    await expect.poll(() => page.locator('.notice').textContent()).toMatch(/\d+ of \d+ adapter\(s\) changed/);
    const after = page.getByRole('row', { name: /esx-inv \/ two/ });
    expect((await after.getByRole('cell').last().textContent())?.trim()).toBe('changed');
    // A VMware host's own scheme hands out a generated MAC (00:0c:29, VMware's generated prefix).
    expect((await after.locator('td.after').textContent())?.trim()).toMatch(
      /^00:0c:29:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}$/,
    );
    const refused = page.getByRole('row').filter({ hasText: 'refused' });
    for (const text of await refused.allTextContents())
      expect(text).toContain('stop the virtual machine to change this [VM_RUNNING]');
    await shot(page, 'inventory-fix-done');
    await page.goto(`${base}/conflicts/fix?action=dynamic`);
    expect(await page.getByRole('row', { name: /esx-inv/ }).count()).toBe(0);
    await page.context().close();
  });

  it('renders the pool chart, the other pages, and no control lacks an accessible name', async () => {
    const page = await signIn(TOKENS.operator);
    await shot(page, 'overview');
    for (const [name, path] of [
      ['overview', '/'],
      ['hosts', '/hosts'],
      ['vms', '/vms'],
      ['conflicts', '/conflicts'],
      ['pools', '/pools'],
      ['events', '/events'],
      ['doctor', '/doctor?hypervisor=hyper-v&mode=unicast&vip=10.0.0.50&nodes=2&spoofing=off'],
      ['scans', '/scans'],
      ['vm-adapter', '/vms/esx-demo/app2/adapters/0'],
      ['pool', '/pools/fleet'],
      ['inventory-fix', '/conflicts/fix'],
    ] as const) {
      await page.goto(`${base}${path}`);
      expect(await unnamedControls(page), `${name}: controls without an accessible name`).toEqual([]);
      if (name !== 'overview' && name !== 'vms' && name !== 'conflicts') await shot(page, name);
    }
    await page.goto(`${base}/pools`);
    const bar = page.getByRole('img', { name: /^Pool fleet: \d+ used/ });
    await bar.waitFor({ state: 'visible' });
    expect((await bar.boundingBox())!.width).toBeGreaterThan(100);
    await page.getByRole('link', { name: 'fleet', exact: true }).click();
    await page.getByRole('img', { name: /^Pool fleet over time/ }).waitFor({ state: 'visible' });
    await page.goto(`${base}/doctor?hypervisor=hyper-v&mode=unicast&vip=10.0.0.50&nodes=2&spoofing=off`);
    await expect.poll(() => page.getByRole('status').textContent()).toContain('DOES NOT WORK');
    await page
      .getByText(/event 53/)
      .first()
      .waitFor({ state: 'visible' });
    await page.context().close();
  }, 180_000);

  it('a viewer sees no write controls', async () => {
    const page = await signIn(TOKENS.viewer);
    await page.goto(`${base}/vms`);
    expect(await page.getByRole('button', { name: /^(Start|Stop) / }).count()).toBe(0);
    await page.goto(`${base}/vms/hv-b/nlb2/adapters/1`);
    expect(await page.getByRole('button', { name: 'OK' }).count()).toBe(0);
    await page.goto(`${base}/pools`);
    expect(await page.getByRole('button', { name: 'Allocate' }).count()).toBe(0);
    await page.goto(`${base}/scans`);
    expect(await page.getByRole('button', { name: 'Upload and audit' }).count()).toBe(0);
    await page.context().close();
  });
});
