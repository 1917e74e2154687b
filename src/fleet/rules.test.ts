import { describe, expect, it } from 'vitest';
import { MacfleetError } from '../errors.js';
import { formatMac, parseIpv4, type Mac } from '../mac/index.js';
import { duplicateFindings } from './findings.js';
import { addHost, addNetwork, updateHost } from './host-service.js';
import { setAdapter } from './adapter-service.js';
import { mac, memoryFleet, memoryPool } from './test-fleet.js';
import { createVm, registerVm, removeVm, saveVm, startVm, stopVm } from './vm-service.js';
import { macHistory } from './history.js';
import type { FleetDeps } from './session.js';

const macs = (vm: { adapters: readonly { mac: Mac | null }[] }) =>
  vm.adapters.map((a) => (a.mac === null ? null : formatMac(a.mac)));

async function refusal(p: Promise<unknown>): Promise<MacfleetError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof MacfleetError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

async function virtualServer(deps: FleetDeps, name: string, nic: string, network = 'LAN') {
  await addHost(deps, { name, hypervisor: 'virtual-server', nics: [{ mac: mac(nic), kind: 'physical' }] });
  await addNetwork(deps, { host: name, name: network, nic: mac(nic) });
}

describe('rule 1: a dynamic adapter gets a MAC from its host at create, register and conflict', () => {
  it('gives Virtual Server MACs in counter order and persists the counter', async () => {
    const deps = memoryFleet();
    await addHost(deps, {
      name: 'vs',
      hypervisor: 'virtual-server',
      nics: [
        { mac: mac('00-16-31-00-00-01'), kind: 'loopback' },
        { mac: mac('00-16-31-53-32-68'), kind: 'physical' },
      ],
    });
    await addNetwork(deps, { host: 'vs', name: 'LAN' });
    const a = await createVm(deps, {
      host: 'vs',
      name: 'a',
      adapters: [{ network: 'LAN' }, { network: 'LAN' }],
    });
    const b = await createVm(deps, { host: 'vs', name: 'b', adapters: [{ network: 'LAN' }] });
    expect(macs(a)).toEqual(['00:03:ff:53:32:68', '00:03:ff:52:32:68']);
    expect(macs(b)).toEqual(['00:03:ff:51:32:68']);
    expect((await deps.repo.getHost('vs'))?.scheme).toEqual({ counter: 3 });
    const assigned = await deps.repo.listEvents({ vm: 'a' });
    expect(assigned.map((e) => e.kind)).toEqual([
      'adapter.mac_assigned',
      'adapter.mac_assigned',
      'vm.created',
    ]);
    expect(assigned[0]!.after).toMatchObject({ source: 'hypervisor:virtual-server', reason: 'vm created' });
  });

  // Hyper-V (the target here) leaves a copied VM's dynamic MAC unassigned until its first start (Event ID
  // 12560, "it will be assigned a new, unused MAC address"); a moved one keeps its MAC until then.
  it('gives a registered (copied) VM new dynamic MACs from the new host, static ones travel', async () => {
    const deps = memoryFleet();
    await virtualServer(deps, 'staging', '00-16-31-53-32-68');
    await addHost(deps, { name: 'hv', hypervisor: 'hyper-v', ip: parseIpv4('10.1.5.20') });
    await addNetwork(deps, { host: 'hv', name: 'LAN' });
    await createVm(deps, {
      host: 'staging',
      name: 'web',
      adapters: [{ network: 'LAN' }, { network: 'LAN', static: mac('00:03:ff:00:00:01') }],
    });
    const copy = await registerVm(deps, { name: 'web', host: 'hv', copy: true });
    expect(macs(copy)).toEqual([null, '00:03:ff:00:00:01']);
    const started = await startVm(deps, { name: 'web', host: 'hv' });
    expect(macs(started)).toEqual(['00:15:5d:05:14:00', '00:03:ff:00:00:01']);
    expect((await deps.repo.getHost('hv'))?.scheme).toEqual({ cursor: '00:15:5d:05:14:00' });
    expect(await deps.repo.findVms('web')).toHaveLength(2);
    const moved = await registerVm(deps, { name: 'web', from: 'staging', host: 'hv', as: 'web2' });
    // Moved: kept, then replaced at the start because it lies outside hv's range.
    expect(macs(moved)[0]).toBe('00:03:ff:53:32:68');
    expect(macs(await startVm(deps, { name: 'web2' }))[0]).toBe('00:15:5d:05:14:01');
    expect(await deps.repo.getVm('staging', 'web')).toBeUndefined();
    const kinds = (await deps.repo.listEvents()).map((e) => e.kind);
    expect(kinds).toContain('vm.unregistered');
    expect(kinds.filter((k) => k === 'vm.registered')).toHaveLength(2);
  });
});

describe('rule 2: starting a VM whose MAC a running VM uses on the same host and network', () => {
  it('refuses a static adapter with MAC_CONFLICT, logs who holds it, changes nothing else', async () => {
    const deps = memoryFleet();
    await virtualServer(deps, 'prod', '00-15-17-53-32-68');
    await createVm(deps, { host: 'prod', name: 'db', adapters: [{ network: 'LAN' }] });
    await startVm(deps, { name: 'db' });
    await createVm(deps, {
      host: 'prod',
      name: 'web',
      adapters: [{ network: 'LAN', static: mac('00:03:ff:53:32:68') }],
      force: true,
    });
    const e = await refusal(startVm(deps, { name: 'web' }));
    expect(e.code).toBe('MAC_CONFLICT');
    expect(e.message).toContain('prod/db#0');
    expect((await deps.repo.getVm('prod', 'web'))?.state).toBe('stopped');
    const events = await deps.repo.listEvents({ vm: 'web' });
    const failed = events.find((x) => x.kind === 'vm.start_failed');
    expect(failed?.after).toMatchObject({ code: 'MAC_CONFLICT', conflicts: [{ heldBy: ['prod/db#0'] }] });
    expect(events.find((x) => x.kind === 'adapter.mac_conflict')?.after).toMatchObject({
      resolution: 'start refused',
    });
  });

  it('gives a conflicting dynamic adapter a new MAC and starts', async () => {
    const deps = memoryFleet();
    await virtualServer(deps, 'prod', '00-15-17-53-32-68');
    await createVm(deps, { host: 'prod', name: 'db', adapters: [{ network: 'LAN' }] });
    await startVm(deps, { name: 'db' });
    // A second VM with the same dynamic MAC (as after a restore or import): the conflict is resolved.
    await createVm(deps, { host: 'prod', name: 'web', adapters: [{ network: 'LAN' }] });
    await deps.repo.putVm({
      ...(await deps.repo.getVm('prod', 'web'))!,
      adapters: (await deps.repo.getVm('prod', 'db'))!.adapters,
    });
    const started = await startVm(deps, { name: 'web' });
    expect(started.state).toBe('running');
    expect(macs(started)).toEqual(['00:03:ff:51:32:68']);
    const kinds = (await deps.repo.listEvents({ vm: 'web' })).map((x) => x.kind);
    expect(kinds.slice(-3)).toEqual(['adapter.mac_conflict', 'adapter.mac_assigned', 'vm.started']);
  });

  it('does not count stopped VMs or other networks', async () => {
    const deps = memoryFleet();
    await virtualServer(deps, 'prod', '00-15-17-53-32-68');
    await addNetwork(deps, { host: 'prod', name: 'Internal' });
    const s = mac('02:00:00:00:00:01');
    await createVm(deps, { host: 'prod', name: 'a', adapters: [{ network: 'LAN', static: s }] });
    await createVm(deps, {
      host: 'prod',
      name: 'b',
      adapters: [{ network: 'Internal', static: s }],
      force: true,
    });
    await createVm(deps, { host: 'prod', name: 'c', adapters: [{ network: 'LAN', static: s }], force: true });
    await startVm(deps, { name: 'a' });
    await startVm(deps, { name: 'b' });
    expect((await refusal(startVm(deps, { name: 'c' }))).code).toBe('MAC_CONFLICT');
    await stopVm(deps, { name: 'a' });
    expect((await startVm(deps, { name: 'c' })).state).toBe('running');
  });
});

describe('rule 3: mode, static MAC and spoofing change only while the VM is stopped', () => {
  it('refuses with VM_RUNNING while running or saved, allows guards', async () => {
    const deps = memoryFleet();
    await virtualServer(deps, 'prod', '00-15-17-53-32-68');
    await createVm(deps, { host: 'prod', name: 'web', adapters: [{ network: 'LAN' }] });
    await startVm(deps, { name: 'web' });
    for (const change of [{ dynamic: true }, { static: 'current' as const }, { spoofing: true }]) {
      expect((await refusal(setAdapter(deps, { name: 'web' }, 0, change))).code).toBe('VM_RUNNING');
    }
    await saveVm(deps, { name: 'web' });
    expect((await refusal(setAdapter(deps, { name: 'web' }, 0, { spoofing: true }))).code).toBe('VM_RUNNING');
    const guarded = await setAdapter(deps, { name: 'web' }, 0, { dhcpGuard: true });
    expect(guarded.adapters[0]?.dhcpGuard).toBe(true);
    await stopVm(deps, { name: 'web' });
    const spoofing = await setAdapter(deps, { name: 'web' }, 0, { spoofing: true, static: 'current' });
    expect(spoofing.adapters[0]).toMatchObject({ spoofing: true, mode: 'static' });
    const kinds = (await deps.repo.listEvents({ vm: 'web' })).map((x) => x.kind);
    expect(kinds).toEqual(
      expect.arrayContaining(['adapter.guard_changed', 'adapter.mode_changed', 'adapter.spoofing_changed']),
    );
  });
});

describe('rule 4: static MACs are unicast, VMware-range on VMware, and fleet duplicates need --force', () => {
  it('refuses multicast, zero and out-of-range VMware static MACs', async () => {
    const deps = memoryFleet();
    await addHost(deps, { name: 'esx', hypervisor: 'vmware' });
    await addNetwork(deps, { host: 'esx', name: 'VM Network' });
    for (const bad of [
      '01:00:5e:00:00:01',
      '00:00:00:00:00:00',
      'ff:ff:ff:ff:ff:ff',
      '00:50:56:40:00:00',
      '00:0c:29:00:00:01',
    ]) {
      const e = await refusal(
        createVm(deps, { host: 'esx', name: 'x', adapters: [{ network: 'VM Network', static: mac(bad) }] }),
      );
      expect(e.code).toBe('INVALID_MAC');
    }
    const ok = await createVm(deps, {
      host: 'esx',
      name: 'x',
      adapters: [{ network: 'VM Network', static: mac('00:50:56:3f:ff:ff') }],
    });
    expect(ok.adapters[0]?.vmware).toEqual({ promiscuous: false, macChanges: false, forgedTransmits: false });
  });

  it('accepts a duplicate only with force, keeps a finding until it is resolved', async () => {
    const deps = memoryFleet();
    await virtualServer(deps, 'a', '00-15-17-00-00-01');
    await virtualServer(deps, 'b', '00-15-17-00-00-02', 'DMZ');
    const dup = mac('02:00:00:00:00:09');
    await createVm(deps, { host: 'a', name: 'one', adapters: [{ network: 'LAN', static: dup }] });
    await createVm(deps, { host: 'b', name: 'two', adapters: [{ network: 'DMZ' }] });
    const e = await refusal(setAdapter(deps, { name: 'two' }, 0, { static: dup }));
    expect(e.code).toBe('MAC_CONFLICT');
    expect(e.message).toContain('a/one#0');
    await setAdapter(deps, { name: 'two' }, 0, { static: dup, force: true });
    const findings = async () => duplicateFindings(await deps.repo.listVms(), await deps.repo.listNetworks());
    expect(await findings()).toMatchObject([
      { kind: 'duplicate', scope: 'latent', mac: '02:00:00:00:00:09' },
    ]);
    expect((await deps.repo.listEvents({ mac: dup })).map((x) => x.kind)).toContain('adapter.duplicate');
    await setAdapter(deps, { name: 'two' }, 0, { dynamic: true });
    expect(await findings()).toEqual([]);
  });
});

describe('rule 5: Hyper-V replaces a dynamic MAC outside its current range at the next start', () => {
  it('re-allocates after the host range changes', async () => {
    const deps = memoryFleet();
    await addHost(deps, { name: 'hv', hypervisor: 'hyper-v', ip: parseIpv4('10.1.5.20') });
    await addNetwork(deps, { host: 'hv', name: 'External' });
    const vm = await createVm(deps, {
      host: 'hv',
      name: 'web',
      adapters: [{ network: 'External' }, { network: 'External' }],
    });
    // Hyper-V assigns dynamic MACs at the first power-on, not at creation.
    expect(macs(vm)).toEqual([null, null]);
    expect(macs(await startVm(deps, { name: 'web' }))).toEqual(['00:15:5d:05:14:00', '00:15:5d:05:14:01']);
    await stopVm(deps, { name: 'web' });
    await updateHost(deps, 'hv', { min: mac('00:15:5d:aa:00:10'), max: mac('00:15:5d:aa:00:1f') });
    const started = await startVm(deps, { name: 'web' });
    expect(macs(started)).toEqual(['00:15:5d:aa:00:10', '00:15:5d:aa:00:11']);
    const reasons = (await deps.repo.listEvents({ vm: 'web' }))
      .filter((x) => x.kind === 'adapter.mac_assigned')
      .map((x) => x.after?.reason);
    expect(reasons).toEqual([
      'first start',
      'first start',
      'outside the host range',
      'outside the host range',
    ]);
  });
});

describe('rule 6: hosts allocating from a pool never duplicate, except by forced static MACs', () => {
  it('gives two Virtual Server hosts with look-alike NICs distinct MACs', async () => {
    const pool = memoryPool(mac('02:aa:00:00:00:00'), 4096);
    const fleet = memoryFleet({ pool });
    for (const [name, nic] of [
      ['a', '00-16-31-53-32-68'],
      ['b', '00-15-17-53-32-68'],
    ] as const) {
      await addHost(fleet, {
        name,
        hypervisor: 'virtual-server',
        nics: [{ mac: mac(nic), kind: 'physical' }],
        allocation: { kind: 'pool', pool: 'fleet' },
      });
      await addNetwork(fleet, { host: name, name: 'LAN' });
    }
    // A forced static MAC inside the pool: the pool must step over it.
    await createVm(fleet, {
      host: 'a',
      name: 'pinned',
      adapters: [{ network: 'LAN', static: mac('02:aa:00:00:00:00') }],
    });
    for (let i = 0; i < 20; i++) {
      await createVm(fleet, {
        host: i % 2 === 0 ? 'a' : 'b',
        name: `vm${i}`,
        adapters: [{ network: 'LAN' }],
      });
    }
    const all = (await fleet.repo.listVms()).flatMap((v) => v.adapters.map((x) => x.mac));
    expect(new Set(all).size).toBe(all.length);
    expect(duplicateFindings(await fleet.repo.listVms(), await fleet.repo.listNetworks())).toEqual([]);
    // Switching away from dynamic, or removing the VM, gives the pool MAC back.
    const before = pool.held.size;
    await setAdapter(fleet, { name: 'vm0' }, 0, { static: mac('02:bb:00:00:00:01') });
    expect(pool.held.size).toBe(before - 1);
    const gone = await removeVm(fleet, { name: 'vm1' });
    expect(pool.held.size).toBe(before - 2);
    expect(await fleet.repo.getVm('b', 'vm1')).toBeUndefined();
    const holders = macHistory(gone.adapters[0]!.mac!, await fleet.repo.listEvents());
    expect(holders).toMatchObject([{ holder: 'b/vm1#0', source: 'pool:fleet' }]);
    expect(holders[0]?.until).toBeDefined();
    await startVm(fleet, { name: 'vm2' });
    expect((await refusal(removeVm(fleet, { name: 'vm2' }))).code).toBe('VM_RUNNING');
  });
});
