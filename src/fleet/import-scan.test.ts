import { describe, expect, it } from 'vitest';
import { duplicateFindings } from './findings.js';
import { addHost } from './host-service.js';
import { importScan, parseScanJson } from './import-scan.js';
import { mac, memoryFleet } from './test-fleet.js';

const scan = (adapters: unknown[]): string =>
  JSON.stringify({ files: 2, adapters, findings: [], issues: [] });
const vmx = (vm: string, m: string | null, extra: Record<string, unknown> = {}) => ({
  file: `esx1/${vm}/${vm}.vmx`,
  line: 12,
  vm,
  host: null,
  network: 'VM Network',
  mac: m,
  mode: 'static',
  hypervisor: 'vmware',
  column: 1,
  adapter: 'ethernet0',
  enabled: true,
  ...extra,
});

describe('import of a scan', () => {
  it('creates hosts, networks and VMs, and a second run changes nothing', async () => {
    const deps = memoryFleet();
    const text = scan([
      vmx('web', '00:50:56:00:00:01'),
      vmx('web', '00:50:56:00:00:02', { adapter: 'ethernet1', network: null }),
      vmx('db', '00:50:56:00:00:03', { enabled: false }),
      { ...vmx('hv1', '00155D051400'), host: 'hv-a', hypervisor: 'hyper-v', mode: 'dynamic' },
      { ...vmx('hv2', '00155D051401'), host: 'hv-b', hypervisor: 'hyper-v', mode: 'static' },
      { ...vmx('hv3', '00155D051402'), host: 'hv-b', hypervisor: 'hyper-v', mode: 'static' },
    ]);
    const { adapters, issues } = parseScanJson(text, 'scan.json');
    expect(issues).toEqual([]);
    const first = await importScan(deps, adapters, { host: 'esx1' });
    expect(first).toMatchObject({
      hosts: { created: 2 },
      vms: { created: 2, updated: 0, unchanged: 0 },
      adapters: { imported: 3, skipped: 3 },
    });
    // hv-a's dynamic 00-15-5D-05-14-00 names its pool; hv-b has no dynamic MAC to tell it: one issue.
    expect((await deps.repo.getHost('hv-a'))?.scheme).toEqual({
      min: '00:15:5d:05:14:00',
      max: '00:15:5d:05:14:ff',
    });
    expect(first.issues.map((i) => i.message)).toEqual([
      expect.stringMatching(/^host hv-b: a Hyper-V host needs/),
    ]);
    const web = await deps.repo.getVm('esx1', 'web');
    expect(web?.adapters.map((a) => [a.network, a.mode])).toEqual([
      ['VM Network', 'static'],
      ['(not connected)', 'static'],
    ]);
    const events = (await deps.repo.listEvents()).length;

    await addHost(deps, { name: 'hv-b', hypervisor: 'hyper-v', ip: 0x0a020514 });
    const second = await importScan(deps, adapters, { host: 'esx1' });
    expect(second.vms).toEqual({ created: 2, updated: 0, unchanged: 2 });
    expect(await deps.repo.findVms('web')).toHaveLength(1);
    const third = await importScan(deps, adapters, { host: 'esx1' });
    expect(third.vms).toEqual({ created: 0, updated: 0, unchanged: 4 });
    expect((await deps.repo.listEvents()).slice(events).map((e) => e.kind)).toEqual([
      'host.added',
      'network.added',
      'adapter.mac_assigned',
      'vm.imported',
      'adapter.mac_assigned',
      'vm.imported',
    ]);
  });

  it('updates a VM whose adapter changed, and logs the change', async () => {
    const deps = memoryFleet();
    await importScan(deps, parseScanJson(scan([vmx('web', '00:50:56:00:00:01')]), 's').adapters, {
      host: 'esx1',
    });
    const changed = parseScanJson(scan([vmx('web', '00:50:56:00:00:09')]), 's').adapters;
    expect((await importScan(deps, changed, { host: 'esx1' })).vms.updated).toBe(1);
    expect((await deps.repo.getVm('esx1', 'web'))?.adapters[0]?.mac).toBe(mac('00:50:56:00:00:09'));
    const kinds = (await deps.repo.listEvents({ vm: 'web' })).map((e) => e.kind);
    expect(kinds).toEqual(['adapter.mac_assigned', 'vm.imported', 'adapter.updated', 'adapter.mac_assigned']);
  });

  it('allocates a MAC for a dynamic adapter the file leaves empty, once', async () => {
    const deps = memoryFleet();
    const vmc = {
      ...vmx('xp', null, { mode: 'dynamic', hypervisor: 'virtual-server', network: 'External' }),
      host: 'vs1',
    };
    const adapters = parseScanJson(scan([vmc]), 's').adapters;
    await importScan(deps, adapters);
    const first = (await deps.repo.getVm('vs1', 'xp'))?.adapters[0]?.mac;
    await importScan(deps, adapters);
    expect((await deps.repo.getVm('vs1', 'xp'))?.adapters[0]?.mac).toBe(first);
  });

  it('keeps host-private networks apart and NLB cluster MACs out of the duplicates', async () => {
    const deps = memoryFleet();
    const hv = (host: string, vm: string, m: string, network: string) => ({
      ...vmx(vm, m, { network, mode: 'dynamic' }),
      host,
      hypervisor: 'hyper-v',
    });
    const adapters = parseScanJson(
      scan([
        hv('HV01', 'dev01', '00155D0A0503', 'Default Switch'),
        hv('HV02', 'dev02', '00155D0A0503', 'Default Switch'),
        hv('HV01', 'nlb1', '02BF0A000032', 'External'),
        hv('HV02', 'nlb2', '02BF0A000032', 'External'),
        { ...vmx('lab', '080027A1B2C3', { network: 'NAT' }), host: 'ws01', hypervisor: 'virtualbox' },
        { ...vmx('lab', '080027A1B2C3', { network: 'NAT' }), host: 'ws02', hypervisor: 'virtualbox' },
      ]),
      's',
    ).adapters;
    await importScan(deps, adapters);
    expect((await deps.repo.getNetwork('HV02', 'Default Switch'))?.segment).toBe('Default Switch on HV02');
    expect(duplicateFindings(await deps.repo.listVms(), await deps.repo.listNetworks())).toMatchObject([
      { scope: 'latent', mac: '00:15:5d:0a:05:03' },
      { scope: 'latent', mac: '08:00:27:a1:b2:c3' },
    ]);
  });

  it('reports bad records with their field and keeps the good ones', () => {
    const { adapters, issues } = parseScanJson(
      scan([vmx('a', 'zz:zz'), vmx('', null), vmx('b', '00:50:56:00:00:01')]),
      's.json',
    );
    expect(adapters.map((a) => a.vm)).toEqual(['b']);
    expect(issues.map((i) => [i.field, i.message])).toEqual([
      ['adapters[0].mac', 'adapters[0].mac: invalid MAC "zz:zz": bad hex digit "z" at position 1'],
      ['adapters[1].vm', 'adapters[1].vm: expected a non-empty VM name'],
    ]);
    expect(() => parseScanJson('{"files":1}', 's.json')).toThrow(/adapters/);
    expect(() => parseScanJson('nope', 's.json')).toThrow(/not JSON/);
  });
});
