// Fleet rules that read the lifecycle profiles and host settings (issue 11): Proxmox's MAC prefix by
// version and datacenter.cfg mac_prefix, VMware's static MACs by version, libvirt's 0xFE.
import { describe, expect, it } from 'vitest';
import { formatMac, parseIpv4 } from '../mac/index.js';
import { addHost, addNetwork, updateHost } from './host-service.js';
import { mac, memoryFleet } from './test-fleet.js';
import { createVm, registerVm } from './vm-service.js';

const firstMac = async (
  deps: ReturnType<typeof memoryFleet>,
  host: string,
  name: string,
): Promise<string> => {
  const vm = await createVm(deps, { host, name, adapters: [{ network: 'vmbr0' }] });
  return formatMac(vm.adapters[0]!.mac!);
};

describe('Proxmox VE dynamic MACs', () => {
  it('BC:24:11 from 8.1 (pve-cluster 8.0.5) and when the version is unknown; random local before; mac_prefix wins', async () => {
    const deps = memoryFleet();
    for (const [name, version] of [
      ['new', '8.2'],
      ['unknown', null],
      ['old', '7.4'],
    ] as const) {
      await addHost(deps, { name, hypervisor: 'proxmox', version });
      await addNetwork(deps, { host: name, name: 'vmbr0' });
    }
    expect(await firstMac(deps, 'new', 'a')).toMatch(/^bc:24:11:/);
    expect(await firstMac(deps, 'unknown', 'a')).toMatch(/^bc:24:11:/);
    const old = await firstMac(deps, 'old', 'a');
    expect(old).not.toMatch(/^bc:24:11:/);
    expect(parseInt(old.slice(0, 2), 16) & 3).toBe(2); // locally administered, unicast
    await updateHost(deps, 'new', { macPrefix: 'BC:24:11:0' });
    expect(await firstMac(deps, 'new', 'b')).toMatch(/^bc:24:11:0/);
    expect(() => addHost(deps, { name: 'x', hypervisor: 'kvm', macPrefix: 'BC:24:11' })).toThrow(
      /Proxmox VE hosts only/,
    );
  });
});

describe('static MACs a host accepts', () => {
  it('VMware by version; KVM refuses 0xFE; a move to an older VMware host keeps the MAC (the config travels)', async () => {
    const deps = memoryFleet();
    await addHost(deps, { name: 'esx8', hypervisor: 'vmware', version: '8.0' });
    await addHost(deps, { name: 'esx6', hypervisor: 'vmware', version: '6.0' });
    await addHost(deps, { name: 'kvm', hypervisor: 'kvm' });
    for (const host of ['esx8', 'esx6', 'kvm']) await addNetwork(deps, { host, name: 'vmbr0' });
    const laa = mac('02:00:00:00:00:01');
    await createVm(deps, { host: 'esx8', name: 'a', adapters: [{ network: 'vmbr0', static: laa }] });
    await expect(
      createVm(deps, { host: 'esx6', name: 'a', adapters: [{ network: 'vmbr0', static: laa }] }),
    ).rejects.toMatchObject({ code: 'INVALID_MAC' });
    await expect(
      createVm(deps, {
        host: 'kvm',
        name: 'a',
        adapters: [{ network: 'vmbr0', static: mac('fe:00:00:00:00:01') }],
      }),
    ).rejects.toThrow(/0xFE/);
    const moved = await registerVm(deps, { name: 'a', host: 'esx8', as: 'b' });
    expect(formatMac(moved.adapters[0]!.mac!)).toBe('02:00:00:00:00:01');
  });

  it('Hyper-V: a dynamic adapter has no MAC until the first start (KB 2804678: the pool is used at power-on)', async () => {
    const deps = memoryFleet();
    await addHost(deps, { name: 'hv', hypervisor: 'hyper-v', ip: parseIpv4('10.1.5.20') });
    await addNetwork(deps, { host: 'hv', name: 'vmbr0' });
    const vm = await createVm(deps, { host: 'hv', name: 'a', adapters: [{ network: 'vmbr0' }] });
    expect(vm.adapters[0]!.mac).toBeNull();
    expect((await deps.repo.getHost('hv'))?.scheme).toEqual({});
  });
});
