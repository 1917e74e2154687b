// Migration 7 (issue 10): an audit log written before it keeps every event, its MACs in order, the MAC
// filter and the append-only triggers, on SQLite and on PostgreSQL.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Mac } from '../../src/mac/index.js';
import { StoreFleetRepository } from '../../src/store/fleet-store.js';
import { MIGRATIONS, type Migration } from '../../src/store/migrations.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { PG_URL, dropSchemas, freshSchema } from './pg-test-url.js';

const pgUrl = PG_URL ?? '';
const before = MIGRATIONS.filter((m) => m.name !== 'event-macs-with-the-event');
const dir = mkdtempSync(join(tmpdir(), 'macfleet-event-macs-'));
const schemas: string[] = [];
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (pgUrl !== '') await dropSchemas(pgUrl, schemas);
});

/** Opens one database twice: with the migrations before this one, then with all of them. */
type Opener = (migrations: readonly Migration[]) => Promise<Store>;

function upgradeSuite(name: string, opener: () => Opener): void {
  it(`keeps the log written before it (${name})`, async () => {
    const open = opener();
    const old = await open(before);
    await old.transaction(async (tx) => {
      const events: [number, string, string | null][] = [
        [1, 'host.added', null],
        [2, 'vm.imported', 'web'],
        [3, 'adapter.mac_assigned', 'web'],
      ];
      for (const [seq, kind, vm] of events) {
        await tx.run(
          'INSERT INTO fleet_events (seq, time, actor, kind, host, vm, adapter, before_json, after_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
          [
            seq,
            1000 + seq,
            'alice',
            kind,
            'esx1',
            vm,
            null,
            null,
            seq === 3 ? '{"mac":"00:50:56:00:00:07"}' : null,
          ],
        );
      }
      // Event 2 held three MACs, written out of position order; event 3 one.
      for (const [seq, position, mac] of [
        [2, 2, 0x005056000009],
        [2, 0, 0x005056000007],
        [2, 1, 0x005056000008],
        [3, 0, 0x005056000007],
      ]) {
        await tx.run('INSERT INTO fleet_event_macs (seq, position, mac) VALUES (?, ?, ?)', [
          seq!,
          position!,
          mac!,
        ]);
      }
    });
    await old.close();

    const store = await open(MIGRATIONS);
    const repo = new StoreFleetRepository(store);
    expect((await repo.listEvents()).map((e) => [e.seq, e.kind, e.macs])).toEqual([
      [1, 'host.added', []],
      [2, 'vm.imported', [0x005056000007, 0x005056000008, 0x005056000009]],
      [3, 'adapter.mac_assigned', [0x005056000007]],
    ]);
    expect((await repo.listEvents({ mac: 0x005056000007 as Mac })).map((e) => e.seq)).toEqual([2, 3]);
    expect((await repo.listEvents({ mac: 0x005056000009 as Mac, vm: 'web' })).map((e) => e.seq)).toEqual([2]);
    expect((await repo.listEvents({ since: 1002 })).map((e) => e.seq)).toEqual([2, 3]);
    const [next] = await repo.appendEvents([
      {
        time: 2000,
        actor: 'bob',
        kind: 'vm.started',
        subject: { host: 'esx1', vm: 'web' },
        before: null,
        after: null,
        macs: [0x005056000009 as Mac, 0x005056000007 as Mac],
      },
    ]);
    expect(next?.seq).toBe(4);
    expect((await repo.listEvents({ afterSeq: 3 }))[0]?.macs).toEqual([0x005056000009, 0x005056000007]);
    expect((await repo.listEvents({ mac: 0x005056000009 as Mac })).map((e) => e.seq)).toEqual([2, 4]);
    for (const sql of ['DELETE FROM fleet_events', 'UPDATE fleet_event_macs SET mac = 6']) {
      await expect(store.transaction((tx) => tx.run(sql))).rejects.toThrow(/append-only/);
    }
    await store.close();
  });
}

describe('event MACs migration', () => {
  upgradeSuite('SQLite', () => {
    const path = join(dir, `log-${Date.now()}.db`);
    return (migrations) => SqliteStore.open(path, { migrations });
  });
  if (pgUrl !== '') {
    upgradeSuite('PostgreSQL', () => {
      const schema = freshSchema('event_macs');
      schemas.push(schema);
      return (migrations) => PostgresStore.open(pgUrl, { schema, migrations });
    });
  }
});
