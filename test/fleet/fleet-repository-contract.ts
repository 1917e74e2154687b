/**
 * The FleetRepository contract: the same tests for the in-memory repository and for the Store on
 * SQLite and PostgreSQL (registered with the store contract in test/store/contract-suites.ts).
 */
import { expect, it } from 'vitest';
import { parseMac, type Mac } from '../../src/mac/index.js';
import type { NewFleetEvent } from '../../src/fleet/events.js';
import type { Adapter, Host, Vm } from '../../src/fleet/model.js';
import type { FleetRepository } from '../../src/fleet/ports.js';

const m = (t: string): Mac => parseMac(t);

const hostA: Host = {
  name: 'hv-a',
  hypervisor: 'hyper-v',
  nics: [
    { mac: m('00:15:17:00:00:02'), kind: 'physical' },
    { mac: m('00:15:17:00:00:01'), kind: 'loopback' },
  ],
  ip: 0x0a010514,
  allocation: { kind: 'pool', pool: 'fleet' },
  scheme: { cursor: '00:15:5d:05:14:07', min: null },
  version: '2019',
};
const hostB: Host = {
  name: 'vs-b',
  hypervisor: 'virtual-server',
  nics: [],
  ip: null,
  allocation: { kind: 'hypervisor' },
  scheme: { counter: 3 },
  version: null,
};

const adapter = (index: number, mac: string, extra: Partial<Adapter> = {}): Adapter => ({
  index,
  network: 'LAN',
  mode: 'dynamic',
  mac: m(mac),
  spoofing: false,
  dhcpGuard: false,
  routerGuard: false,
  vmware: null,
  ...extra,
});

async function seed(repo: FleetRepository): Promise<void> {
  await repo.putHost(hostA);
  await repo.putHost(hostB);
  for (const host of ['hv-a', 'vs-b']) {
    await repo.putNetwork({ host, name: 'LAN', nic: null, segment: 'LAN' });
    await repo.putNetwork({ host, name: 'DMZ', nic: null, segment: 'vlan-20' });
  }
}

const event = (over: Partial<NewFleetEvent>): NewFleetEvent => ({
  time: 1000,
  actor: 'tester',
  kind: 'vm.created',
  subject: { host: 'hv-a', vm: 'web' },
  before: null,
  after: null,
  macs: [],
  ...over,
});

export function fleetRepositoryContract(open: () => Promise<FleetRepository>): void {
  it('stores hosts with their NICs in order, allocation source and scheme state', async () => {
    const repo = await open();
    await seed(repo);
    expect(await repo.getHost('hv-a')).toEqual(hostA);
    expect((await repo.listHosts()).map((h) => h.name)).toEqual(['hv-a', 'vs-b']);
    const changed: Host = {
      ...hostA,
      nics: [hostA.nics[1]!],
      allocation: { kind: 'hypervisor' },
      scheme: { cursor: null },
    };
    await repo.putHost(changed);
    expect(await repo.getHost('hv-a')).toEqual(changed);
    expect(await repo.getHost('nope')).toBeUndefined();
  });

  it('stores a dynamic adapter with no MAC yet (Hyper-V before its first start) and skips it in MAC lookups', async () => {
    const repo = await open();
    await seed(repo);
    const fresh: Vm = {
      host: 'hv-a',
      name: 'fresh',
      state: 'stopped',
      adapters: [adapter(0, '00:15:5d:05:14:00'), { ...adapter(1, '00:15:5d:05:14:01'), mac: null }],
    };
    await repo.putVm(fresh);
    expect(await repo.getVm('hv-a', 'fresh')).toEqual(fresh);
    expect([...(await repo.macsOnHost('hv-a'))]).toEqual([m('00:15:5d:05:14:00')]);
    await repo.putHost({ ...hostB, version: '2005 R2 SP1' });
    expect((await repo.getHost('vs-b'))?.version).toBe('2005 R2 SP1');
  });

  it('stores networks per host with their segment', async () => {
    const repo = await open();
    await seed(repo);
    expect(await repo.getNetwork('vs-b', 'DMZ')).toEqual({
      host: 'vs-b',
      name: 'DMZ',
      nic: null,
      segment: 'vlan-20',
    });
    expect((await repo.listNetworks('hv-a')).map((n) => n.name)).toEqual(['DMZ', 'LAN']);
    expect(await repo.listNetworks()).toHaveLength(4);
  });

  it('stores VMs with adapters, replaces adapters on put, finds VMs by name across hosts', async () => {
    const repo = await open();
    await seed(repo);
    const web: Vm = {
      host: 'hv-a',
      name: 'web',
      state: 'stopped',
      adapters: [
        adapter(1, '00:15:5d:05:14:01', {
          network: 'DMZ',
          mode: 'static',
          spoofing: true,
          routerGuard: true,
        }),
        adapter(0, '00:15:5d:05:14:00', {
          dhcpGuard: true,
          vmware: { promiscuous: true, macChanges: false, forgedTransmits: true },
        }),
      ],
    };
    await repo.putVm(web);
    const back = await repo.getVm('hv-a', 'web');
    expect(back?.adapters.map((a) => a.index)).toEqual([0, 1]);
    expect(back).toEqual({ ...web, adapters: [web.adapters[1], web.adapters[0]] });
    await repo.putVm({ ...web, state: 'running', adapters: [adapter(0, '00:15:5d:05:14:09')] });
    expect(await repo.getVm('hv-a', 'web')).toMatchObject({
      state: 'running',
      adapters: [{ mac: m('00:15:5d:05:14:09') }],
    });
    await repo.putVm({
      host: 'vs-b',
      name: 'web',
      state: 'saved',
      adapters: [adapter(0, '00:15:5d:05:14:09')],
    });
    expect((await repo.findVms('web')).map((v) => v.host)).toEqual(['hv-a', 'vs-b']);
    expect((await repo.listVms('vs-b')).map((v) => v.name)).toEqual(['web']);
    const holders = await repo.adaptersWithMac(m('00:15:5d:05:14:09'));
    expect(holders.map((h) => [h.host, h.vm, h.vmState, h.adapter.index])).toEqual([
      ['hv-a', 'web', 'running', 0],
      ['vs-b', 'web', 'saved', 0],
    ]);
    await repo.deleteVm('hv-a', 'web');
    expect(await repo.getVm('hv-a', 'web')).toBeUndefined();
    expect(await repo.adaptersWithMac(m('00:15:5d:05:14:09'))).toHaveLength(1);
  });

  it('appends events with increasing sequence numbers and filters them', async () => {
    const repo = await open();
    await seed(repo);
    const added = await repo.appendEvents([
      event({
        macs: [m('02:00:00:00:00:02'), m('02:00:00:00:00:01')],
        after: { mac: '02:00:00:00:00:02', n: [1, { a: true }] },
      }),
      event({
        time: 2000,
        kind: 'vm.started',
        subject: { host: 'vs-b', vm: 'db', adapter: 0 },
        before: { state: 'stopped' },
      }),
    ]);
    const more = await repo.appendEvents([
      event({ time: 3000, subject: { host: 'vs-b' }, macs: [m('02:00:00:00:00:01')] }),
    ]);
    expect(added.map((e) => e.seq)).toEqual([added[0]!.seq, added[0]!.seq + 1]);
    expect(more[0]!.seq).toBeGreaterThan(added[1]!.seq);
    const all = await repo.listEvents();
    expect(all).toEqual([...added, ...more]);
    expect(all[0]!.macs).toEqual([m('02:00:00:00:00:02'), m('02:00:00:00:00:01')]);
    expect((await repo.listEvents({ vm: 'db' })).map((e) => e.kind)).toEqual(['vm.started']);
    expect((await repo.listEvents({ host: 'vs-b' })).map((e) => e.time)).toEqual([2000, 3000]);
    expect((await repo.listEvents({ mac: m('02:00:00:00:00:01') })).map((e) => e.time)).toEqual([1000, 3000]);
    expect((await repo.listEvents({ since: 2000, mac: m('02:00:00:00:00:01') })).map((e) => e.time)).toEqual([
      3000,
    ]);
  });

  it('keeps nothing of a transaction that throws', async () => {
    const repo = await open();
    await seed(repo);
    await expect(
      repo.transaction(async (tx) => {
        await tx.putVm({
          host: 'hv-a',
          name: 'ghost',
          state: 'stopped',
          adapters: [adapter(0, '02:00:00:00:00:07')],
        });
        await tx.appendEvents([event({ subject: { host: 'hv-a', vm: 'ghost' } })]);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await repo.getVm('hv-a', 'ghost')).toBeUndefined();
    expect(await repo.listEvents({ vm: 'ghost' })).toEqual([]);
    await repo.transaction((tx) => tx.putVm({ host: 'hv-a', name: 'real', state: 'stopped', adapters: [] }));
    expect(await repo.getVm('hv-a', 'real')).toBeDefined();
  });
}
