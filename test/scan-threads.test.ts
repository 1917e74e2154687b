// The scan gives the same result whichever threads do the work: all in this thread, parsing workers
// beside it, or a reader worker feeding it. Runs the compiled scan (dist/), which has the worker file.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { scan as scanFn } from '../src/scan/scan.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
let tmp: string;
let scan: typeof scanFn;

beforeAll(async () => {
  ({ scan } = (await import(pathToFileURL(join(repo, 'dist', 'scan', 'scan.js')).href)) as {
    scan: typeof scanFn;
  });
  tmp = mkdtempSync(join(tmpdir(), 'macfleet-threads-'));
  cpSync(join(repo, 'examples', 'fleet'), join(tmp, 'fleet'), { recursive: true });
  // Enough files for the scan to use threads, with duplicates across hosts.
  for (let h = 0; h < 4; h++) mkdirSync(join(tmp, 'gen', `h${h}`), { recursive: true });
  for (let i = 0; i < 2400; i++) {
    const mac = `00:50:56:0${i % 4}:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
    writeFileSync(
      join(tmp, 'gen', `h${i % 4}`, `vm${i}.vmx`),
      `displayName = "vm${i}"\nethernet0.present = "TRUE"\nethernet0.addressType = "static"\nethernet0.address = "${i % 300 === 5 ? '00:50:56:3f:00:01' : mac}"\n`,
    );
  }
  // Larger than one read (256 KiB): read the long way by whichever thread parses it.
  writeFileSync(
    join(tmp, 'gen', 'h0', 'big.vmx'),
    `displayName = "big"\n${'# padding\n'.repeat(30000)}ethernet0.present = "TRUE"\nethernet0.address = "00:50:56:3f:00:01"\n`,
  );
  // No config extension: a config by content is read, anything else is skipped.
  writeFileSync(join(tmp, 'gen', 'h1', 'notes.txt'), 'nothing to see\n');
  writeFileSync(
    join(tmp, 'gen', 'h1', 'renamed'),
    'ethernet0.present = "TRUE"\nethernet0.address = "00:50:56:3f:00:02"\n',
  );
  writeFileSync(join(tmp, 'gen', 'h2', 'disk.vmx'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 0]));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('scan threads', () => {
  it('this thread alone, parsing workers and a reader thread give the same result', async () => {
    const paths = [join(tmp, 'fleet'), join(tmp, 'gen')];
    const here = await scan(paths, { workers: 0 });
    expect(here.files).toBeGreaterThan(2400);
    expect(here.issues.map((i) => i.code)).toContain('BINARY_FILE');
    expect(here.adapters.some((a) => a.file.endsWith('big.vmx'))).toBe(true);
    expect(here.adapters.some((a) => a.file.endsWith('renamed'))).toBe(true);
    expect(here.findings.some((f) => f.mac === '00:50:56:3f:00:01' && f.members.length > 2)).toBe(true);
    expect(await scan(paths, { workers: 1, readerThread: false })).toEqual(here);
    expect(await scan(paths, { readerThread: true })).toEqual(here);
  });
});
