/**
 * Issue 16: honest exit statuses. The README's table of exit statuses matches src/cli/exit-codes.ts,
 * and the cases the issue names exit as the table says.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exitCodeFor } from '../src/cli/exit-codes.js';
import { ERROR_CODES } from '../src/errors.js';
import { REPO_ROOT, runCli } from './helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'macfleet-exit-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the README table of exit statuses', () => {
  // The table under "## Exit statuses": | status | meaning | error codes |, codes in backticks.
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.split(/^## Exit statuses$/m)[1]?.split(/^## /m)[0] ?? '';
  const rows = [...section.matchAll(/^\| *(\d+) *\|[^|]*\|([^|]*)\|/gm)].map((m) => ({
    status: Number(m[1]),
    codes: [...m[2]!.matchAll(/`([A-Z_]+)`/g)].map((c) => c[1]!),
  }));

  it('lists every status 0, 1, 2, 3, 4 and 70 once', () => {
    expect(rows.map((r) => r.status)).toEqual([0, 1, 2, 3, 4, 70]);
  });

  it('names every error code once, under the status exit-codes.ts maps it to', () => {
    const listed = rows.flatMap((r) => r.codes.map((code) => [code, r.status] as const));
    expect(listed.map(([c]) => c).sort()).toEqual([...ERROR_CODES].sort());
    for (const [code, status] of listed) expect([code, exitCodeFor(code as never)]).toEqual([code, status]);
  });
});

describe('exit statuses of the cases issue 16 names', () => {
  const db = join(tmp, 'fleet.db');
  const call = (...args: string[]) => runCli([...args, '--db', db]);

  it('vm save of a stopped VM is a refusal (3); vm list --host nosuch is NOT_FOUND (3)', async () => {
    expect((await call('host', 'add', 'esx1', '--hypervisor', 'vmware')).code).toBe(0);
    expect((await call('network', 'add', 'LAN', '--host', 'esx1')).code).toBe(0);
    expect((await call('vm', 'create', 'web', '--host', 'esx1', '--adapter', 'LAN')).code).toBe(0);
    const save = await call('vm', 'save', 'web');
    expect(save.code).toBe(3);
    expect(save.stderr).toContain('[WRONG_STATE]');
    const list = await call('vm', 'list', '--host', 'nosuch');
    expect(list.code).toBe(3);
    expect(list.stderr).toContain('[NOT_FOUND]');
    expect((await call('vm', 'list', '--host', 'esx1')).code).toBe(0);
  });

  it('an import that skips every adapter is not success; bad names are refused with a position', async () => {
    const scan = (vm: string, host: string | null) => ({
      files: 1,
      adapters: [
        {
          file: 'a.vmx',
          line: 5,
          column: 1,
          vm,
          host,
          network: 'LAN',
          mac: '00:50:56:00:00:01',
          mode: 'static',
          hypervisor: 'vmware',
          adapter: 'ethernet0',
          enabled: true,
        },
      ],
      findings: [],
      issues: [],
    });
    const noHost = join(tmp, 'nohost.json');
    writeFileSync(noHost, JSON.stringify(scan('web', null)));
    expect((await call('import', noHost)).code).toBe(2);
    const evil = join(tmp, 'evil.json');
    writeFileSync(evil, JSON.stringify(scan('web\u001b[2J', 'esx1')));
    const r = await call('import', evil);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('a.vmx:5');
    expect(r.stderr).toContain('[INVALID_ARGUMENT]');
    expect(r.stderr).not.toContain('\u001b');
    const long = join(tmp, 'long.json');
    writeFileSync(long, JSON.stringify(scan('v'.repeat(10_000), 'esx1')));
    expect((await call('import', long)).code).toBe(2);
    const fine = join(tmp, 'fine.json');
    writeFileSync(fine, JSON.stringify(scan('web2', 'esx1')));
    expect((await call('import', fine)).code).toBe(0);
  });
});
