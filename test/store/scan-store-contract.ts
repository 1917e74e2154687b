// Uploaded scans on the Store (migration 6): kept with their files byte for byte, listed newest first
// in keyset pages, pruned past the retention (files with them), and their import recorded.
import { expect, it } from 'vitest';
import { ScanStore, type NewScan } from '../../src/store/scan-store.js';
import type { ContractSuite } from './store-contract.js';

const scan = (name: string, contents: NewScan['contents'] = []): NewScan => ({
  name,
  actor: 'tester',
  host: null,
  hostFromPath: '{host}/**',
  files: contents.length,
  filesSeen: contents.length + 1,
  adapters: 3,
  findings: { error: 1, warning: 2, info: 0 },
  document: '{"files":0,"adapters":[],"findings":[],"issues":[],"formats":{},"filesSeen":0}\n',
  contents,
});

export const scanSuite: ContractSuite = {
  name: 'uploaded scans',
  run: (open) => {
    it('keeps a scan with its files byte for byte and its document as written', async () => {
      let now = 1000;
      const scans = new ScanStore(await open(), { now: () => now });
      const bytes = new Uint8Array([0xff, 0xfe, 0x00, 0x41, 0x0d, 0x0a, 0x80]);
      const s = await scans.add(
        scan('a.vmx', [
          { path: 'x/a.vmx', bytes },
          { path: 'x/a.vmx', bytes: new Uint8Array() },
        ]),
      );
      expect(s).toEqual({
        id: s.id,
        name: 'a.vmx',
        createdAt: 1000,
        actor: 'tester',
        host: null,
        hostFromPath: '{host}/**',
        files: 2,
        filesSeen: 3,
        adapters: 3,
        findings: { error: 1, warning: 2, info: 0 },
        imported: null,
      });
      expect(await scans.files(s.id)).toEqual([
        { path: 'x/a.vmx', bytes },
        { path: 'x/a.vmx', bytes: new Uint8Array() },
      ]);
      expect((await scans.withDocument(s.id)).document).toBe(scan('').document);
      now = 2000;
      const imported = await scans.markImported(s.id, 'op', {
        hosts: { created: 1 },
        networks: { created: 1 },
        vms: { created: 2, updated: 0, unchanged: 0 },
        adapters: { imported: 2, skipped: 0 },
        issues: [],
      });
      expect(imported.imported).toMatchObject({ at: 2000, by: 'op', result: { vms: { created: 2 } } });
      await expect(scans.summary(s.id + 1)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(scans.files(s.id + 1)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('lists newest first in pages and keeps only the newest N, with their files', async () => {
      const store = await open();
      const scans = new ScanStore(store, { now: () => 0 }, 3);
      const ids: number[] = [];
      for (const n of ['a', 'b', 'c', 'd', 'e'])
        ids.push((await scans.add(scan(n, [{ path: `${n}.vmx`, bytes: new Uint8Array([1]) }]))).id);
      const first = await scans.list({ limit: 2 });
      expect(first.items.map((s) => s.name)).toEqual(['e', 'd']);
      expect(first.more).toBe(true);
      const second = await scans.list({ limit: 2, before: first.items[1]!.id });
      expect(second).toMatchObject({ items: [{ name: 'c' }], more: false });
      await expect(scans.summary(ids[1]!)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      const left = await store.transaction((tx) =>
        tx.all<{ scan_id: number }>('SELECT scan_id FROM scan_files ORDER BY scan_id'),
      );
      expect(left.map((r) => Number(r.scan_id))).toEqual(ids.slice(2));
    });
  },
};
