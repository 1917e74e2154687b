// End-to-end tests of `predict`, `nlb` and `collide`: exit codes, JSON shapes and bad input.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'macfleet-schemes-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const r = await runCli(argv, { cwd: root });
  return { code: r.code, out: r.stdout, err: r.stderr };
}

const json = async (...argv: string[]): Promise<unknown> => {
  const r = await cli(...argv, '--json');
  expect(r.err).toBe('');
  return JSON.parse(r.out) as unknown;
};

function file(name: string, text: string): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
}

describe('macfleet predict', () => {
  it('virtual-server: the documented example as a JSON array of colon-lower MACs', async () => {
    expect(await json('predict', 'virtual-server', '--nic', '00-16-31-53-32-68', '--count', '3')).toEqual([
      '00:03:ff:53:32:68',
      '00:03:ff:52:32:68',
      '00:03:ff:51:32:68',
    ]);
  });

  it('virtual-server: --start, loopback/bridge skipped, next adapter after 256', async () => {
    expect(
      await json(
        'predict',
        'virtual-server',
        '--nic',
        '02-00-4c-4f-4f-50,loopback',
        '--nic',
        '00-16-31-53-32-68',
        '--nic',
        '00-1a-a0-07-99-01',
        '--start',
        '255',
        '--count',
        '2',
      ),
    ).toEqual(['00:03:ff:ac:32:68', '00:03:ff:07:99:01']);
    const text = await cli('predict', 'virtual-server', '--nic', '00-16-31-53-32-68', '--count', '2');
    expect(text.code).toBe(0);
    expect(text.out).toContain('00-03-FF-52-32-68');
  });

  it('virtual-server: bad input exits 2 with a JSON error naming the option', async () => {
    const r = await cli('predict', 'virtual-server', '--nic', '00-16-31-53-32-6G', '--json');
    expect(r.code).toBe(2);
    const e = JSON.parse(r.err) as { error: { code: string; message: string } };
    expect(e.error.code).toBe('INVALID_MAC');
    expect(e.error.message).toContain('--nic #1');
    expect((await cli('predict', 'virtual-server', '--nic', '00-16-31-53-32-68,wifi')).code).toBe(2);
    expect((await cli('predict', 'virtual-server', '--nic', '00-16-31-53-32-68', '--count', '0')).code).toBe(
      2,
    );
    expect((await cli('predict', 'virtual-server')).code).toBe(2);
  });

  it('hyper-v: {"first","last","count"} from --ip or --min/--max', async () => {
    expect(await json('predict', 'hyper-v', '--ip', '10.1.5.20')).toEqual({
      first: '00:15:5d:05:14:00',
      last: '00:15:5d:05:14:ff',
      count: 256,
    });
    expect(await json('predict', 'hyper-v', '--min', '00-15-5D-FE-F0-00', '--max', '00155DFEFFFF')).toEqual({
      first: '00:15:5d:fe:f0:00',
      last: '00:15:5d:fe:ff:ff',
      count: 4096,
    });
  });

  it('hyper-v: missing, conflicting or inverted arguments exit 2', async () => {
    expect((await cli('predict', 'hyper-v')).code).toBe(2);
    expect((await cli('predict', 'hyper-v', '--ip', '10.1.5.20', '--min', '00-15-5D-00-00-00')).code).toBe(2);
    expect((await cli('predict', 'hyper-v', '--ip', '10.1.5')).code).toBe(2);
    const r = await cli(
      'predict',
      'hyper-v',
      '--min',
      '00-15-5D-FE-FF-FF',
      '--max',
      '00-15-5D-FE-F0-00',
      '--json',
    );
    expect(r.code).toBe(2);
    expect(JSON.parse(r.err)).toMatchObject({ error: { code: 'INVALID_RANGE' } });
  });

  it('random schemes: range, random bits and birthday odds', async () => {
    expect(await json('predict', 'libvirt', '--adapters', '4823')).toMatchObject({
      scheme: 'libvirt',
      first: '52:54:00:00:00:00',
      last: '52:54:00:ff:ff:ff',
      count: 16777216,
      randomBits: 24,
      adapters: 4823,
      adaptersFor50Percent: 4823,
    });
    expect(await json('predict', 'xen')).toMatchObject({
      last: '00:16:3e:7f:ff:ff',
      randomBits: 23,
      adaptersFor50Percent: 3411,
    });
    expect(await json('predict', 'virtualbox')).toMatchObject({ first: '08:00:27:00:00:00', randomBits: 24 });
    expect(await json('predict', 'proxmox', '--prefix', '02:00:00:00')).toMatchObject({
      first: '02:00:00:00:00:00',
      randomBits: 16,
    });
    expect((await cli('predict', 'proxmox', '--prefix', 'zz')).code).toBe(2);
  });

  it('qemu: sequential from 52:54:00:12:34:56', async () => {
    expect(await json('predict', 'qemu', '--count', '2')).toEqual(['52:54:00:12:34:56', '52:54:00:12:34:57']);
  });

  it('vmware: generated from a BIOS UUID, vCenter instance/prefix/range, static', async () => {
    expect(
      await json(
        'predict',
        'vmware',
        '--uuid',
        '56 4d b1 a3 c5 e2 0d 11-6e 51 ef b5 d7 59 7e 49',
        '--count',
        '2',
      ),
    ).toEqual({
      scheme: 'vmware-generated',
      uuid: '56 4d b1 a3 c5 e2 0d 11-6e 51 ef b5 d7 59 7e 49',
      addresses: [
        { adapter: 0, offset: 0, mac: '00:0c:29:59:7e:49' },
        { adapter: 1, offset: 10, mac: '00:0c:29:59:7e:53' },
      ],
    });
    expect(await json('predict', 'vmware', '--instance-id', '12')).toMatchObject({
      first: '00:50:56:8c:00:00',
      count: 65536,
      randomBits: 16,
    });
    expect(await json('predict', 'vmware', '--prefix', '005026', '--prefix-length', '23')).toMatchObject({
      first: '00:50:26:00:00:00',
      last: '00:50:27:ff:ff:ff',
    });
    expect(await json('predict', 'vmware', '--static')).toMatchObject({
      last: '00:50:56:3f:ff:ff',
      count: 4194304,
    });
    expect((await cli('predict', 'vmware')).code).toBe(2);
    expect((await cli('predict', 'vmware', '--static', '--instance-id', '1')).code).toBe(2);
    expect((await cli('predict', 'vmware', '--instance-id', '64')).code).toBe(2);
    expect((await cli('predict', 'vmware', '--uuid', '56 4d')).code).toBe(2);
  });
});

describe('macfleet nlb', () => {
  it('derives the cluster MACs of VIP 192.168.0.10', async () => {
    const r = (await json('nlb', '192.168.0.10')) as Record<string, unknown> & {
      maskedSource: Record<string, string>;
    };
    expect(r).toMatchObject({
      vip: '192.168.0.10',
      unicast: '02:bf:c0:a8:00:0a',
      multicast: '03:bf:c0:a8:00:0a',
      igmp: '01:00:5e:7f:00:0a',
      igmpGroup: '239.255.0.10',
    });
    expect(Object.keys(r.maskedSource)).toHaveLength(32);
    expect(r.maskedSource['1']).toBe('02:01:c0:a8:00:0a');
    expect(r.maskedSource['32']).toBe('02:20:c0:a8:00:0a');
    const text = await cli('nlb', '192.168.0.10');
    expect(text.out).toContain('02-bf-c0-a8-00-0a');
  });

  it('rejects a bad VIP with exit 2', async () => {
    const r = await cli('nlb', '192.168.0.256', '--json');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.err)).toMatchObject({ error: { code: 'INVALID_ARGUMENT' } });
  });
});

describe('macfleet collide', () => {
  it('exits 1 on the shipped example and reports the Hyper-V pair', async () => {
    const r = await cli('collide', 'examples/hosts.yaml', '--json');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out) as { overlaps: number; findings: { hosts: string[]; reason: string }[] };
    expect(report.overlaps).toBeGreaterThan(0);
    expect(report.findings[0]!.reason).toContain(
      'hv-a 10.1.5.20 and hv-b 10.2.5.20 share 00-15-5D-05-14-00..FF',
    );
  });

  it('exits 0 when nothing overlaps', async () => {
    const p = file(
      'ok.yaml',
      'hosts:\n  - {name: a, hypervisor: hyper-v, ip: 10.0.0.1}\n  - {name: b, hypervisor: hyper-v, ip: 10.0.0.2}\n',
    );
    const r = await cli('collide', p, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ hosts: 2, overlaps: 0, findings: [] });
  });

  it('an invalid file exits 2 naming the line and field', async () => {
    const p = file(
      'bad.yaml',
      'hosts:\n  - {name: a, hypervisor: hyper-v, ip: 10.0.0.1}\n  - {name: b, hypervisor: hyper-v, ip: 10.0.0.x}\n',
    );
    const r = await cli('collide', p, '--json');
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(JSON.parse(r.err)).toMatchObject({
      error: { code: 'PARSE_ERROR', line: 3, field: 'hosts[1].ip' },
    });
    const missing = await cli('collide', join(tmp, 'nope.yaml'));
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('no such file');
  });

  it('the built program exits 1 with the same report', async () => {
    const exec = promisify(execFile);
    const e = (await exec(join(root, 'bin/macfleet'), ['collide', 'examples/hosts.yaml'], {
      cwd: root,
    }).catch((x: unknown) => x)) as { code?: number; stdout?: string };
    expect(e.code).toBe(1);
    expect(e.stdout).toContain('CERTAIN   hv-a <-> hv-b: 00-15-5D-05-14-00..FF');
  });
});
