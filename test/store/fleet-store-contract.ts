// The fleet inventory on the Store: the FleetRepository contract, the log's append-only triggers, and
// the staging-server story run through SQL.
import { expect, it } from 'vitest';
import { StoreFleetRepository } from '../../src/store/fleet-store.js';
import { fleetRepositoryContract } from '../fleet/fleet-repository-contract.js';
import type { ContractSuite } from './store-contract.js';

export const fleetSuite: ContractSuite = {
  name: 'fleet inventory',
  run: (open) => {
    fleetRepositoryContract(async () => new StoreFleetRepository(await open()));

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
