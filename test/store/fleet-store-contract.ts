// The fleet inventory on the Store: the FleetRepository contract, the log's append-only triggers, and
// the staging-server story run through SQL.
import { expect, it } from 'vitest';
import { hostsAfter, vmsAfter } from '../../src/store/fleet-pages.js';
import { StoreFleetRepository } from '../../src/store/fleet-store.js';
import { fleetRepositoryContract } from '../fleet/fleet-repository-contract.js';
import type { ContractSuite } from './store-contract.js';

export const fleetSuite: ContractSuite = {
  name: 'fleet inventory',
  run: (open) => {
    fleetRepositoryContract(async () => new StoreFleetRepository(await open()));

    it('pages hosts and VMs by key (the API lists), with NICs and adapters', async () => {
      const store = await open();
      const repo = new StoreFleetRepository(store);
      for (const name of ['h2', 'h1', 'h3'])
        await repo.putHost({
          name,
          hypervisor: 'kvm',
          nics: [{ mac: 7 as never, kind: 'physical' }],
          ip: null,
          allocation: { kind: 'hypervisor' },
          scheme: {},
          version: null,
        });
      await repo.putNetwork({ host: 'h1', name: 'lan', nic: null, segment: 'lan' });
      await repo.putNetwork({ host: 'h2', name: 'lan', nic: null, segment: 'lan' });
      const adapter = (mac: number) => ({
        index: 0,
        network: 'lan',
        mode: 'static' as const,
        mac: mac as never,
        spoofing: false,
        dhcpGuard: false,
        routerGuard: false,
        vmware: null,
      });
      await repo.putVms([
        { host: 'h2', name: 'a', state: 'running', adapters: [adapter(1)] },
        { host: 'h1', name: 'b', state: 'stopped', adapters: [adapter(2)] },
        { host: 'h1', name: 'a', state: 'running', adapters: [adapter(3)] },
      ]);
      const read = <T>(fn: Parameters<typeof store.transaction<T>>[0]) =>
        store.transaction(fn, { mode: 'read' });
      const h1 = await read((tx) => hostsAfter(tx, undefined, 2));
      expect(h1.items.map((h) => [h.name, h.nics.length])).toEqual([
        ['h1', 1],
        ['h2', 1],
      ]);
      expect(h1.more).toBe(true);
      expect(await read((tx) => hostsAfter(tx, 'h2', 2))).toMatchObject({
        items: [{ name: 'h3' }],
        more: false,
      });
      const v1 = await read((tx) => vmsAfter(tx, {}, undefined, 2));
      expect(v1.items.map((v) => [v.host, v.name, v.adapters[0]?.mac])).toEqual([
        ['h1', 'a', 3],
        ['h1', 'b', 2],
      ]);
      expect(await read((tx) => vmsAfter(tx, {}, { host: 'h1', name: 'b' }, 2))).toMatchObject({
        items: [{ host: 'h2', name: 'a' }],
        more: false,
      });
      const running = await read((tx) => vmsAfter(tx, { state: 'running' }, { host: 'h1', name: 'a' }, 5));
      expect(running.items.map((v) => `${v.host}/${v.name}`)).toEqual(['h2/a']);
    });

    it('refuses UPDATE and DELETE on the audit log in the database itself', async () => {
      const store = await open();
      const repo = new StoreFleetRepository(store);
      await repo.appendEvents([
        {
          time: 1,
          actor: 'a',
          kind: 'host.added',
          subject: { host: 'h' },
          before: null,
          after: null,
          macs: [5] as never[],
        },
      ]);
      for (const sql of [
        "UPDATE fleet_events SET actor = 'mallory'",
        'DELETE FROM fleet_events',
        'UPDATE fleet_event_macs SET mac = 6',
        'DELETE FROM fleet_event_macs',
      ]) {
        await expect(store.transaction((tx) => tx.run(sql))).rejects.toThrow(/append-only/);
      }
      if (store.dialect === 'postgres') {
        await expect(store.transaction((tx) => tx.run('TRUNCATE fleet_events CASCADE'))).rejects.toThrow(
          /append-only/,
        );
      }
      expect((await repo.listEvents()).map((e) => e.actor)).toEqual(['a']);
    });
  },
};
