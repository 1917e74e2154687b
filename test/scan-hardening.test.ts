/**
 * Issue 16, the scan's part: no hang on a FIFO, no silent miss (unreadable roots, long paths, non-UTF-8
 * names), each real file read once, and output escaped for the terminal, CSV and SARIF.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Log } from 'sarif';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'macfleet-harden-'));
// rm(1) walks by directory descriptors: it removes paths longer than PATH_MAX, which rmSync cannot.
afterAll(() => execFileSync('sh', ['-c', 'chmod -R u+rwx "$1"; rm -rf "$1"', 'sh', tmp]));

let n = 0;
const fresh = (): string => {
  const d = join(tmp, `t${n++}`);
  mkdirSync(d);
  return d;
};
const vmx = (name: string, mac: string) =>
  `.encoding = "UTF-8"\ndisplayName = "${name}"\nethernet0.present = "TRUE"\nethernet0.addressType = "static"\nethernet0.address = "${mac}"\n`;

interface Report {
  files: number;
  adapters: { file: string; vm: string }[];
  findings: { kind: string; members: { file: string }[] }[];
  issues: { file: string; code: string; message: string; severity: string }[];
}
const scanJson = async (args: string[]) => {
  const r = await runCli(['scan', '--json', ...args]);
  return { ...r, report: JSON.parse(r.stdout) as Report };
};

describe('scan never hangs and never misses silently', () => {
  it('a FIFO given as a path (or met in a tree) is never opened: a NOT_A_FILE issue', async () => {
    const d = fresh();
    execFileSync('mkfifo', [join(d, 'pipe.vmx')]);
    writeFileSync(join(d, 'a.vmx'), vmx('a', '00:50:56:00:00:01'));
    const direct = await scanJson([join(d, 'pipe.vmx')]);
    expect(direct.report.issues).toMatchObject([{ code: 'NOT_A_FILE', file: join(d, 'pipe.vmx') }]);
    const tree = await scanJson([d]);
    expect(tree.report.files).toBe(1);
    expect(tree.report.issues.map((i) => i.code)).toEqual(['NOT_A_FILE']);
  });

  it('a root that does not exist is an issue and exit 2, even beside a good root', async () => {
    const d = fresh();
    writeFileSync(join(d, 'a.vmx'), vmx('a', '00:50:56:00:00:01'));
    const r = await scanJson([join(d, 'typo'), d]);
    expect(r.code).toBe(2);
    expect(r.report.files).toBe(1);
    expect(r.report.issues).toMatchObject([{ code: 'ROOT_UNREADABLE', file: join(d, 'typo') }]);
    const text = await runCli(['scan', join(d, 'typo')]);
    expect(text.code).toBe(2);
    expect(text.stdout).toContain('ROOT_UNREADABLE');
  });

  it('a path longer than PATH_MAX and a non-UTF-8 name are issues, not dropped subtrees', async () => {
    const d = fresh();
    // A chain of directories whose full path passes 4096 bytes, with a config at the bottom: built
    // bottom-up with renames, so no command ever names the long path.
    let cur = join(d, 'w0');
    mkdirSync(cur);
    writeFileSync(join(cur, 'deep.vmx'), vmx('deep', '00:50:56:00:00:02'));
    for (let i = 1; i <= 20; i++) {
      const next = join(d, `w${i}`);
      mkdirSync(next);
      renameSync(cur, join(next, 'd'.repeat(250)));
      cur = next;
    }
    renameSync(cur, join(d, 'tree'));
    // A directory whose name is Latin-1 bytes (not UTF-8), holding a config.
    execFileSync('sh', [
      '-c',
      `cd "$1" && mkdir "$(printf 'caf\\351')" && printf '%s' "$2" > "$(printf 'caf\\351')/b.vmx"`,
      'sh',
      d,
      vmx('b', '00:50:56:00:00:03'),
    ]);
    writeFileSync(join(d, 'ok.vmx'), vmx('ok', '00:50:56:00:00:04'));
    const r = await scanJson([d]);
    expect(r.report.files).toBe(1);
    const messages = r.report.issues.map((i) => `${i.code} ${i.message}`);
    expect(messages.some((m) => m.includes('ENAMETOOLONG'))).toBe(true);
    expect(messages.some((m) => m.includes('not valid UTF-8'))).toBe(true);
    // Read problems are errors: the default --fail-on error fails the scan.
    expect(r.code).toBe(1);
    expect((await runCli(['scan', '--json', '--fail-on', 'none', d])).code).toBe(0);
  });

  it.skipIf(process.getuid?.() === 0)('a directory that cannot be entered is an issue', async () => {
    const d = fresh();
    mkdirSync(join(d, 'locked'));
    writeFileSync(join(d, 'locked', 'a.vmx'), vmx('a', '00:50:56:00:00:01'));
    chmodSync(join(d, 'locked'), 0o000);
    const r = await scanJson([d]);
    expect(r.report.issues).toMatchObject([{ code: 'IO_ERROR', file: join(d, 'locked') }]);
    expect(r.code).toBe(1);
  });
});

describe('each real file is read once', () => {
  it('overlapping roots do not make a file its own duplicate', async () => {
    const d = fresh();
    writeFileSync(join(d, 'a.vmx'), vmx('a', '00:50:56:00:00:01'));
    for (const args of [
      [d, join(d, 'a.vmx')],
      [join(d, 'a.vmx'), d],
      [d, d],
      [d, `${d}/./`],
    ]) {
      const r = await scanJson(args);
      expect(r.report.adapters).toHaveLength(1);
      expect(r.report.findings).toEqual([]);
      expect(r.code).toBe(0);
    }
  });

  it('--follow with libvirt autostart links reads the file once, under its real path', async () => {
    const d = fresh();
    mkdirSync(join(d, 'autostart'));
    writeFileSync(
      join(d, 'web.xml'),
      `<domain type='kvm'><name>web</name><devices><interface type='network'><mac address='52:54:00:00:00:01'/><source network='default'/></interface></devices></domain>\n`,
    );
    symlinkSync('../web.xml', join(d, 'autostart', 'web.xml'));
    const r = await scanJson(['--follow', d]);
    expect(r.report.adapters.map((a) => a.file)).toEqual([join(d, 'web.xml')]);
    expect(r.report.findings).toEqual([]);
  });
});

describe('output escaped for where it goes', () => {
  const evil = "=cmd|' /C calc'!A0\u001b]0;owned\u0007";

  it('CSV cells that a spreadsheet would run are neutralised, terminal text has no control characters', async () => {
    const d = fresh();
    writeFileSync(join(d, 'a.vmx'), vmx(evil, '00:50:56:00:00:01'));
    writeFileSync(join(d, '-b.vmx'), vmx('b', '00:50:56:00:00:01'));
    const csv = await runCli(['scan', '--csv', '--fail-on', 'none', d]);
    const cells = csv.stdout.split('\n').slice(1).join('\n');
    expect(cells).toContain(`"'=cmd|' /C calc'!A0`);
    expect(cells).not.toMatch(/(^|,)[=+\-@]/m);
    const text = await runCli(['scan', '--fail-on', 'none', d]);
    const controls = [...text.stdout].filter((c) => {
      const code = c.charCodeAt(0);
      return (code < 0x20 && c !== '\n') || (code >= 0x7f && code <= 0x9f);
    });
    expect(controls).toEqual([]);
    expect(text.stdout).toContain('\\e]0;owned\\x07');
  });

  it('SARIF artifact URIs are valid, percent-encoded URI references', async () => {
    const d = fresh();
    const name = 'my vm #1 [50%].vmx';
    writeFileSync(join(d, name), vmx('a', '00:50:56:00:00:01'));
    writeFileSync(join(d, 'b.vmx'), vmx('b', '00:50:56:00:00:01'));
    const r = await runCli(['scan', '--sarif', '--fail-on', 'none', d]);
    const sarif = JSON.parse(r.stdout) as Log;
    const uris = (sarif.runs[0]!.results ?? [])
      .flatMap((x) => [...(x.locations ?? []), ...(x.relatedLocations ?? [])])
      .map((l) => l.physicalLocation?.artifactLocation?.uri ?? '');
    expect(uris.length).toBeGreaterThan(0);
    for (const uri of uris) {
      expect(uri).not.toMatch(/[ #[\]%](?![0-9A-F]{2})/);
      expect(() => new URL(uri, 'file:///base/')).not.toThrow();
    }
    const a = uris.find((u) => u.includes('my'))!;
    expect(decodeURIComponent(a.split('/').pop()!)).toBe(name);
    expect(new URL(a, 'file:///').pathname.endsWith('/my%20vm%20%231%20%5B50%25%5D.vmx')).toBe(true);
  });
});
