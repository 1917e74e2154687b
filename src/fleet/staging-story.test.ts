// The staging-server story of issue 5, on the pure core: Virtual Server hosts whose NICs end alike,
// VMs switched to static and copied, a start refused, findings, and the two ways out.
import { describe, expect, it } from 'vitest';
import { MacfleetError } from '../errors.js';
import { formatMac } from '../mac/index.js';
import { setAdapter } from './adapter-service.js';
import { duplicateFindings } from './findings.js';
import { addHost, addNetwork, updateHost } from './host-service.js';
import { macHistory } from './history.js';
import { mac, memoryFleet, memoryPool } from './test-fleet.js';
import { createVm, registerVm, startVm } from './vm-service.js';

describe('the staging-server story', () => {
  it('runs from duplicate to resolution, every step in the log', async () => {
    const pool = memoryPool(mac('02:42:00:00:00:00'), 256);
    const deps = memoryFleet({ pool });
    const repo = deps.repo;
    for (const [name, nic] of [
      ['staging', '00-16-31-53-32-68'],
      ['prod', '00-15-17-53-32-68'],
    ] as const) {
      await addHost(deps, {
        name,
        hypervisor: 'virtual-server',
        nics: [{ mac: mac(nic), kind: 'physical' }],
      });
      await addNetwork(deps, { host: name, name: 'LAN', nic: mac(nic) });
    }
    const built = [];
    for (const name of ['web1', 'web2', 'web3']) {
      built.push(await createVm(deps, { host: 'staging', name, adapters: [{ network: 'LAN' }] }));
    }
    expect(built.map((v) => formatMac(v.adapters[0]!.mac!))).toEqual([
      '00:03:ff:53:32:68',
      '00:03:ff:52:32:68',
      '00:03:ff:51:32:68',
    ]);
    // prod's own first VM gets the same MAC as staging's first: the NICs end in 53-32-68 on both.
    const db = await createVm(deps, { host: 'prod', name: 'db', adapters: [{ network: 'LAN' }] });
    expect(formatMac(db.adapters[0]!.mac!)).toBe('00:03:ff:53:32:68');
    await startVm(deps, { name: 'db' });

    for (const name of ['web1', 'web2', 'web3']) {
      await setAdapter(deps, { name }, 0, { static: 'current' });
      await registerVm(deps, { name, from: 'staging', host: 'prod', copy: true });
    }
    const refused = await startVm(deps, { name: 'web1', host: 'prod' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(MacfleetError);
    expect((refused as MacfleetError).code).toBe('MAC_CONFLICT');

    const findings = duplicateFindings(await repo.listVms(), await repo.listNetworks());
    expect(findings[0]).toMatchObject({ scope: 'blocking', mac: '00:03:ff:53:32:68' });
    expect(findings[0]!.members.map((m) => `${m.host}/${m.vm}`).sort()).toEqual(['prod/db', 'prod/web1']);

    // The way out: prod allocates from a pool, the copy goes dynamic, and starts.
    await updateHost(deps, 'prod', { allocation: { kind: 'pool', pool: 'fleet' } });
    const fixed = await setAdapter(deps, { name: 'web1', host: 'prod' }, 0, { dynamic: true });
    expect(formatMac(fixed.adapters[0]!.mac!)).toBe('02:42:00:00:00:00');
    expect((await startVm(deps, { name: 'web1', host: 'prod' })).state).toBe('running');
    const after = duplicateFindings(await repo.listVms(), await repo.listNetworks());
    expect(after.filter((f) => f.scope === 'blocking')).toEqual([]);

    const kinds = (await repo.listEvents({ vm: 'web1', host: 'prod' })).map((e) => e.kind);
    expect(kinds).toEqual([
      'adapter.mac_assigned',
      'adapter.duplicate',
      'vm.registered',
      'adapter.mac_conflict',
      'vm.start_failed',
      'adapter.mac_assigned',
      'adapter.mode_changed',
      'vm.started',
    ]);
    const holders = macHistory(mac('00:03:ff:53:32:68'), await repo.listEvents());
    expect(holders.map((h) => [h.holder, h.until === undefined])).toEqual([
      ['staging/web1#0', true],
      ['prod/db#0', true],
      ['prod/web1#0', false],
    ]);
  });
});
