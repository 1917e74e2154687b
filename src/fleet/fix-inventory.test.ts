/**
 * Fixing the inventory's duplicates: one member keeps the MAC (a running one when there is one), every
 * other gets a new MAC through `setAdapter`; a dynamic member gets a fresh dynamic MAC; NLB clusters
 * are left alone. (A second running member, refused with the core's reason: test/console/console-fix.)
 */
import { describe, expect, it } from 'vitest';
import { addHost, addNetwork } from './host-service.js';
import { applyInventoryFix, planInventoryFix } from './fix-inventory.js';
import { fleetFindings } from './findings.js';
import { parseIpv4 } from '../mac/index.js';
import { mac, memoryFleet } from './test-fleet.js';
import { createVm, startVm } from './vm-service.js';
import { setAdapter } from './adapter-service.js';

async function fleetWithDuplicates() {
  const deps = memoryFleet();
  await addHost(deps, { name: 'hv', hypervisor: 'hyper-v', ip: parseIpv4('10.1.2.3') });
  await addNetwork(deps, { host: 'hv', name: 'External' });
  await addNetwork(deps, { host: 'hv', name: 'Internal' });
  const dup = mac('00:15:5d:99:00:01');
  await createVm(deps, { host: 'hv', name: 'a', adapters: [{ network: 'External', static: dup }] });
  await createVm(deps, {
    host: 'hv',
    name: 'b',
    adapters: [{ network: 'External', static: dup }],
    force: true,
  });
  await createVm(deps, {
    host: 'hv',
    name: 'c',
    adapters: [{ network: 'External', static: dup }],
    force: true,
  });
  return { deps, dup };
}

const findingsOf = async (deps: Awaited<ReturnType<typeof fleetWithDuplicates>>['deps']) =>
  fleetFindings(await deps.repo.listVms(), await deps.repo.listNetworks(), await deps.repo.listHosts());

describe('planInventoryFix / applyInventoryFix', () => {
  it('keeps the first member, switches the others to dynamic, and leaves no duplicate', async () => {
    const { deps, dup } = await fleetWithDuplicates();
    const plan = planInventoryFix(await findingsOf(deps), await deps.repo.listHosts(), {
      scope: 'default',
      action: 'dynamic',
      pool: null,
    });
    expect(plan.changes.map((c) => `${c.member.vm}<-${c.keeper.vm}`)).toEqual(['b<-a', 'c<-a']);
    expect(plan.changes[0]!.after).toBe("dynamic, a new MAC from the host's source (hypervisor)");
    const out = await applyInventoryFix(deps, plan);
    expect(out.map((o) => o.error)).toEqual([undefined, undefined]);
    const vms = await deps.repo.listVms();
    const macs = vms.map((v) => v.adapters[0]!.mac);
    expect(new Set(macs).size).toBe(3);
    expect(vms.find((v) => v.name === 'a')!.adapters[0]!.mac).toBe(dup);
    expect((await findingsOf(deps)).filter((f) => f.kind === 'duplicate')).toEqual([]);
  });

  it('lets a running member keep the MAC (it cannot change while it runs)', async () => {
    const { deps } = await fleetWithDuplicates();
    await startVm(deps, { host: 'hv', name: 'c' });
    const plan = planInventoryFix(await findingsOf(deps), await deps.repo.listHosts(), {
      scope: 'default',
      action: 'dynamic',
      pool: null,
    });
    expect(plan.changes.every((c) => c.keeper.vm === 'c')).toBe(true);
    expect(plan.changes.map((c) => c.member.vm)).toEqual(['a', 'b']);
    expect(plan.changes.every((c) => c.refused === undefined)).toBe(true);
  });

  it('renews a dynamic duplicate (an adapter already dynamic gets a new MAC from its source)', async () => {
    const deps = memoryFleet();
    await addHost(deps, { name: 'hv', hypervisor: 'hyper-v', ip: parseIpv4('10.1.2.4') });
    await addNetwork(deps, { host: 'hv', name: 'External' });
    await createVm(deps, { host: 'hv', name: 'a', adapters: [{ network: 'External' }] });
    await startVm(deps, { host: 'hv', name: 'a' });
    const held = (await deps.repo.getVm('hv', 'a'))!.adapters[0]!.mac!;
    await createVm(deps, {
      host: 'hv',
      name: 'b',
      adapters: [{ network: 'External', static: held }],
      force: true,
    });
    await setAdapter(deps, { host: 'hv', name: 'b' }, 0, { dynamic: true });
    const b0 = (await deps.repo.getVm('hv', 'b'))!.adapters[0]!;
    expect(b0.mode).toBe('dynamic');
    const after = await setAdapter(deps, { host: 'hv', name: 'b' }, 0, { dynamic: true, renew: true });
    expect(after.adapters[0]!.mode).toBe('dynamic');
    expect(after.adapters[0]!.mac).not.toBe(b0.mac);
    expect(after.adapters[0]!.mac).not.toBe(held);
    // Without renew, asking a dynamic adapter for dynamic changes nothing.
    const same = await setAdapter(deps, { host: 'hv', name: 'b' }, 0, { dynamic: true });
    expect(same.adapters[0]!.mac).toBe(after.adapters[0]!.mac);
  });

  it('leaves NLB clusters alone, whatever the scope', async () => {
    const deps = memoryFleet();
    await addHost(deps, { name: 'hv', hypervisor: 'hyper-v', ip: parseIpv4('10.1.2.5') });
    await addNetwork(deps, { host: 'hv', name: 'External' });
    await addNetwork(deps, { host: 'hv', name: 'Internal' });
    const cluster = mac('02:bf:0a:00:00:32');
    await createVm(deps, { host: 'hv', name: 'n1', adapters: [{ network: 'External', static: cluster }] });
    await createVm(deps, {
      host: 'hv',
      name: 'n2',
      adapters: [{ network: 'External', static: cluster }],
      force: true,
    });
    const plan = planInventoryFix(await findingsOf(deps), await deps.repo.listHosts(), {
      scope: 'latent',
      action: 'dynamic',
      pool: null,
    });
    expect(plan.changes).toEqual([]);
    expect(plan.leftAlone).toBeGreaterThan(0);
  });
});
