/**
 * `POST /api/v1/predict` and `POST /api/v1/doctor/nlb`: the CLI's --json documents over HTTP. Expected
 * MACs are worked out by hand from the schemes' published rules (cited in src/schemes).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApi, type TestApi } from './test-api.js';

let api: TestApi;
beforeAll(async () => {
  api = await testApi();
});
afterAll(async () => {
  await api.close();
});

const post = (path: string, body: unknown, token = 'viewer') => api.call('POST', path, { token, body });

describe('POST /api/v1/predict', () => {
  it('predicts each scheme as `predict <scheme> --json` prints it', async () => {
    // QEMU: 52:54:00:12:34:56 and on, per process.
    expect(await post('/api/v1/predict', { scheme: 'qemu', count: 3 })).toMatchObject({
      status: 200,
      body: ['52:54:00:12:34:56', '52:54:00:12:34:57', '52:54:00:12:34:58'],
    });
    // Virtual Server: 00-03-FF, NIC octet 4 XOR the counter, NIC octets 5-6.
    expect(
      await post('/api/v1/predict', {
        scheme: 'virtual-server',
        nics: ['00-11-22-33-44-55'],
        count: 2,
        start: 0,
      }),
    ).toMatchObject({ body: ['00:03:ff:33:44:55', '00:03:ff:32:44:55'] });
    // Hyper-V: 00-15-5D, then the 3rd and 4th octets of the host's IPv4 address, then 00-FF.
    expect(await post('/api/v1/predict', { scheme: 'hyper-v', ip: '10.1.5.20' })).toMatchObject({
      body: { first: '00:15:5d:05:14:00', last: '00:15:5d:05:14:ff', count: 256 },
    });
    expect(await post('/api/v1/predict', { scheme: 'vmware', static: true })).toMatchObject({
      body: {
        scheme: 'vmware-static',
        first: '00:50:56:00:00:00',
        last: '00:50:56:3f:ff:ff',
        count: 4194304,
      },
    });
    // VMware host-generated: 00:0c:29 + the last three bytes of uuid.bios, + offsets 0 and 10.
    const uuid = '56 4d 12 34 56 78 9a bc-de f0 12 34 56 78 9a bc';
    expect(await post('/api/v1/predict', { scheme: 'vmware', uuid, count: 2 })).toMatchObject({
      body: {
        scheme: 'vmware-generated',
        uuid,
        addresses: [
          { adapter: 0, offset: 0, mac: '00:0c:29:78:9a:bc' },
          { adapter: 1, offset: 10, mac: '00:0c:29:78:9a:c6' },
        ],
      },
    });
    expect(await post('/api/v1/predict', { scheme: 'libvirt' })).toMatchObject({
      body: {
        scheme: 'libvirt',
        first: '52:54:00:00:00:00',
        last: '52:54:00:ff:ff:ff',
        count: 16777216,
        randomBits: 24,
        adapters: 1000,
      },
    });
  });

  it('refuses bad options with the field at fault', async () => {
    const cases: [unknown, string, string][] = [
      [{ scheme: 'esx' }, 'INVALID_ARGUMENT', 'json.scheme'],
      [{ scheme: 'qemu', count: 0 }, 'INVALID_ARGUMENT', 'json.count'],
      [{ scheme: 'qemu', cuont: 3 }, 'INVALID_ARGUMENT', 'json.cuont'],
      [{ scheme: 'hyper-v' }, 'INVALID_ARGUMENT', 'json.min'],
      [{ scheme: 'hyper-v', ip: '10.0.0.1', min: '00:15:5d:00:00:00' }, 'INVALID_ARGUMENT', 'json.ip'],
      [{ scheme: 'hyper-v', min: 'zz', max: '00:15:5d:00:00:ff' }, 'INVALID_MAC', 'json.min'],
      [{ scheme: 'virtual-server', nics: ['00-11-22-33-44-55', 'nope'] }, 'INVALID_MAC', 'json.nics.1'],
      [{ scheme: 'vmware' }, 'INVALID_ARGUMENT', 'json'],
      [{ scheme: 'vmware', static: true, instanceId: 3 }, 'INVALID_ARGUMENT', 'json'],
      [{ scheme: 'vmware', prefix: '005026' }, 'INVALID_ARGUMENT', 'json.prefixLength'],
    ];
    for (const [body, code, field] of cases) {
      const r = await post('/api/v1/predict', body);
      expect(r, JSON.stringify(body)).toMatchObject({ body: { code, field } });
      expect([400, 422]).toContain(r.status);
    }
    expect(
      await api.call('POST', '/api/v1/predict', { token: null, body: { scheme: 'qemu' } }),
    ).toMatchObject({
      status: 401,
    });
  });
});

describe('POST /api/v1/doctor/nlb', () => {
  it('diagnoses unicast NLB on Hyper-V with spoofing off, and passes with it on', async () => {
    const off = await post('/api/v1/doctor/nlb', {
      hypervisor: 'hyper-v',
      mode: 'unicast',
      vip: '192.168.0.10',
    });
    expect(off).toMatchObject({
      status: 200,
      body: {
        works: false,
        mode: 'unicast',
        hypervisor: 'hyper-v',
        cluster: { vip: '192.168.0.10', mac: '02-BF-C0-A8-00-0A' },
      },
    });
    const codes = (off.body as { symptoms: { code: string }[] }).symptoms.map((s) => s.code);
    expect(codes).toEqual(expect.arrayContaining(['connectivity-lost', 'event-53']));
    const on = await post('/api/v1/doctor/nlb', {
      hypervisor: 'hyper-v',
      mode: 'unicast',
      vip: '192.168.0.10',
      macSpoofing: 'on',
    });
    expect(on.body).toMatchObject({ works: true });
    const asBool = await post('/api/v1/doctor/nlb', {
      hypervisor: 'hyper-v',
      mode: 'unicast',
      vip: '192.168.0.10',
      macSpoofing: true,
    });
    expect(asBool.body).toEqual(on.body);
  });

  it('refuses bad options with the field at fault', async () => {
    const base = { hypervisor: 'vmware', mode: 'multicast', vip: '10.0.0.5' };
    const cases: [unknown, number, string][] = [
      [{ ...base, hypervisor: 'kvm' }, 400, 'json.hypervisor'],
      [{ ...base, nodes: 33 }, 400, 'json.nodes'],
      [{ ...base, macChanges: 'on' }, 400, 'json.macChanges'],
      [{ ...base, vip: '10.0.0.256' }, 400, 'json.vip'],
      [{ mode: 'unicast', vip: '10.0.0.5' }, 400, 'json.hypervisor'],
    ];
    for (const [body, status, field] of cases)
      expect(await post('/api/v1/doctor/nlb', body), JSON.stringify(body)).toMatchObject({
        status,
        body: { field },
      });
  });
});
