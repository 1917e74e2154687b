import { describe, expect, it } from 'vitest';
import { runBin, runCli } from './helpers/cli.js';

describe('macfleet mac', () => {
  it('reports every address as JSON with the documented shape', async () => {
    const r = await runCli(['mac', '--json', '00-15-5D-05-14-00', '02:bf:c0:a8:00:0a', '0050.5687.6543']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as unknown[];
    expect(out).toEqual([
      expect.objectContaining({
        input: '00-15-5D-05-14-00',
        mac: '00:15:5d:05:14:00',
        multicast: false,
        local: false,
        vendor: 'Microsoft Corporation',
        classification: expect.objectContaining({ kind: 'hyper-v', hostOctets: [5, 20] }),
      }),
      expect.objectContaining({
        vendor: null,
        local: true,
        classification: expect.objectContaining({ kind: 'nlb-unicast', vip: '192.168.0.10' }),
      }),
      expect.objectContaining({
        mac: '00:50:56:87:65:43',
        classification: expect.objectContaining({ kind: 'vmware-vcenter', instanceId: 7 }),
      }),
    ]);
  });

  it('still reports the valid ones and exits 2 when one is invalid', async () => {
    const r = await runCli(['mac', '--json', '00:03:ff:12:34:56', '00:03:ff:12:34:5g']);
    expect(r.code).toBe(2);
    const out = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    expect(out[0]).toMatchObject({ mac: '00:03:ff:12:34:56', classification: { kind: 'virtual-server' } });
    expect(out[1]).toEqual({
      input: '00:03:ff:12:34:5g',
      error: {
        code: 'INVALID_MAC',
        message: 'invalid MAC "00:03:ff:12:34:5g": bad hex digit "g" at position 17',
      },
    });
  });

  it('prints a readable report and the error on stderr', async () => {
    const r = await runCli(['mac', '0003.ff53.3268', 'bogus']);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('00:03:ff:53:32:68  (00-03-FF-53-32-68)');
    expect(r.stdout).toMatch(/kind\s+virtual-server/);
    expect(r.stderr).toContain('invalid MAC "bogus"');
  });

  it('treats usage errors as bad input (exit 2)', async () => {
    expect((await runCli(['mac'])).code).toBe(2);
    const r = await runCli(['no-such-command', '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stderr.trim().split('\n').pop()!)).toMatchObject({ error: { code: 'USAGE' } });
  });

  it('runs as the installed executable ./bin/macfleet', async () => {
    const r = await runBin(['mac', '--json', '00:15:5d:05:14:00']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject([
      { mac: '00:15:5d:05:14:00', classification: { kind: 'hyper-v' } },
    ]);
    const bad = await runBin(['mac', '--json', 'xyz']);
    expect(bad.code).toBe(2);
  });
});
