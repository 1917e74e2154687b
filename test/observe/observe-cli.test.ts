/** `macfleet observe` end to end on the worked example's real inputs (examples/observe). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { observeReportSchema } from '../../src/observe/model.js';
import { REPO_ROOT, runBin, runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'macfleet-observe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const example = join(REPO_ROOT, 'examples/observe');
const DUP = '52:54:00:aa:bb:01';

async function scanJson(): Promise<string> {
  // The built program, as a user runs it (the in-process runner resolves scan roots against the process cwd).
  const r = await runBin(
    ['scan', 'configs', '--host-from-path', '{host}/**', '--json', '--fail-on', 'none'],
    { cwd: example },
  );
  expect(r.code).toBe(0);
  const file = join(dir, 'scan.json');
  writeFileSync(file, r.stdout);
  return file;
}

const sources = [
  'hv01/fdb.json',
  'hv02/fdb.json',
  'hv02/staging.pcap',
  '--host-from-path',
  '{host}/*',
  '--taken',
  '2026-11-29T07:46:10Z',
];

describe('macfleet observe', () => {
  it('the copied VM is a live duplicate (exit 1); the unmanaged VM and the gateway are unknown', async () => {
    const scan = await scanJson();
    const r = await runCli(['observe', ...sources, '--scan', scan, '--json'], { cwd: example });
    expect(r.code).toBe(1);
    const report = observeReportSchema.parse(JSON.parse(r.stdout));
    expect(report.sources.map((s) => [s.name, s.kind, s.host])).toEqual([
      ['hv01/fdb.json', 'fdb', 'hv01'],
      ['hv02/fdb.json', 'fdb', 'hv02'],
      ['hv02/staging.pcap', 'pcap', 'hv02'],
    ]);
    expect(report.findings.map((f) => [f.kind, f.severity, f.mac])).toEqual([
      ['unknown', 'info', '00:1b:21:3a:4c:01'],
      ['unknown', 'warning', '52:54:00:77:77:77'],
      ['live-duplicate', 'error', DUP],
    ]);
    const dup = report.findings.find((f) => f.kind === 'live-duplicate')!;
    expect(dup.where.filter((w) => w.port !== null).map((w) => `${w.host}/${w.port}`)).toEqual([
      'hv01/vnet0',
      'hv02/vnet0',
    ]);
    expect(dup.intended.map((i) => [i.file, i.line, i.vm, i.host, i.network])).toEqual([
      ['configs/hv01/web01.xml', 6, 'web01', 'hv01', 'br0'],
      ['configs/hv02/web01-copy.xml', 6, 'web01-copy', 'hv02', 'br0'],
    ]);
    expect(report.issues).toEqual([]);
  }, 120_000);

  it('--allow makes the shared MAC no duplicate; --fail-on none exits 0', async () => {
    const r = await runCli(['observe', ...sources, '--allow', DUP, '--fail-on', 'none'], { cwd: example });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/live-duplicate/);
  });

  it('an unreadable or unknown source is an issue and the rest goes on; bad options exit 2', async () => {
    const junk = join(dir, 'junk.bin');
    writeFileSync(junk, 'not a capture at all');
    const r = await runCli(
      ['observe', 'hv01/fdb.json', join(dir, 'missing.pcap'), junk, '--json', '--host', 'hv01'],
      { cwd: example },
    );
    const report = observeReportSchema.parse(JSON.parse(r.stdout));
    expect(report.sources).toHaveLength(1);
    expect(report.issues.map((i) => i.code)).toEqual(['IO_ERROR', 'IO_ERROR']);
    expect(report.issues[1]!.message).toMatch(/name the kind as <kind>:/);
    const cut = join(dir, 'cut.pcap');
    const { readFileSync } = await import('node:fs');
    writeFileSync(cut, readFileSync(join(example, 'hv02/staging.pcap')).subarray(0, 1000));
    const c = await runCli(['observe', cut, '--json'], { cwd: example });
    expect(observeReportSchema.parse(JSON.parse(c.stdout)).issues).toEqual([
      expect.objectContaining({ code: 'TRUNCATED', offset: expect.any(Number) as number }),
    ]);
    expect(
      (await runCli(['observe', 'hv01/fdb.json', '--fail-on', 'sometimes'], { cwd: example })).code,
    ).toBe(2);
    expect((await runCli(['observe', 'hv01/fdb.json', '--flap', 'x'], { cwd: example })).code).toBe(2);
  });

  it('--record keeps the sightings; whois and history show where and when', async () => {
    const db = join(dir, 'fleet.db');
    const r = await runCli(['observe', ...sources, '--record', '--db', db, '--fail-on', 'none'], {
      cwd: example,
    });
    expect(r.code).toBe(0);
    const w = await runCli(['whois', DUP, '--db', db]);
    expect(w.stdout).toMatch(/seen\s*\n\s+hv02\/vnet0 segment br0 .* fdb hv02\/fdb\.json/);
    expect(w.stdout).toMatch(/hv01\/vnet0 segment br0/);
    const h = await runCli(['history', DUP, '--db', db, '--json']);
    const seen = (JSON.parse(h.stdout) as { seen: { host: string; port: string | null }[] }).seen;
    expect(seen.map((s) => `${s.host}/${s.port}`).sort()).toEqual(['hv01/vnet0', 'hv02/null', 'hv02/vnet0']);
  });
});
