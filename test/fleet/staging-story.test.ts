// The staging-server story of issue 5, end to end through the CLI (in-process `run`, plus the real
// ./bin/macfleet for the refusal), on SQLite and — with MACFLEET_TEST_PG_URL — on PostgreSQL.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../helpers/cli.js';
import {
  addHost,
  addNetwork,
  createVm,
  hypervisorMacSource,
  startVm,
  type FleetDeps,
} from '../../src/fleet/index.js';
import { parseMac } from '../../src/mac/index.js';
import { seededRandom, systemClock } from '../../src/random.js';
import { StoreFleetRepository } from '../../src/store/fleet-store.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { PG_URL, dropSchemas, freshSchema } from '../store/pg-test-url.js';

const repoRoot = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'macfleet-fleet-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Result = CliResult;

function cli(db: string) {
  const call = (...args: string[]): Promise<Result> =>
    runCli(args, { env: { MACFLEET_DB: db, MACFLEET_ACTOR: 'alice' }, cwd: dir });
  const json = async (...args: string[]): Promise<unknown> => {
    const r = await call(...args, '--json');
    if (r.code !== 0) throw new Error(`macfleet ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return JSON.parse(r.stdout) as unknown;
  };
  return { call, json };
}

type VmOut = {
  name: string;
  host: string;
  state: string;
  adapters: { index: number; network: string; mode: string; mac: string | null; spoofing: boolean }[];
};

function story(label: string, database: () => Promise<string>, skip = false): void {
  it.skipIf(skip)(`runs the staging-server story on ${label}`, async () => {
    const db = await database();
    const { call, json } = cli(db);
    await json('host', 'add', 'staging', '--hypervisor', 'virtual-server', '--nic', '00-16-31-53-32-68');
    await json('network', 'add', 'LAN', '--host', 'staging', '--nic', '00-16-31-53-32-68');
    const built: VmOut[] = [];
    for (const name of ['web1', 'web2', 'web3']) {
      built.push((await json('vm', 'create', name, '--host', 'staging', '--adapter', 'LAN')) as VmOut);
    }
    expect(built[0]).toEqual({
      name: 'web1',
      host: 'staging',
      state: 'stopped',
      adapters: [{ index: 0, network: 'LAN', mode: 'dynamic', mac: '00:03:ff:53:32:68', spoofing: false }],
    });
    expect(built.map((v) => v.adapters[0]!.mac)).toEqual([
      '00:03:ff:53:32:68',
      '00:03:ff:52:32:68',
      '00:03:ff:51:32:68',
    ]);

    // prod's NIC also ends in 53-32-68: its first VM gets staging's first MAC.
    await json('host', 'add', 'prod', '--hypervisor', 'virtual-server', '--nic', '00-15-17-53-32-68');
    await json('network', 'add', 'LAN', '--host', 'prod');
    await json('vm', 'create', 'db', '--host', 'prod', '--adapter', 'LAN');
    expect(((await json('vm', 'start', 'db')) as VmOut).state).toBe('running');

    for (const name of ['web1', 'web2', 'web3']) {
      const pinned = (await json('adapter', 'set', name, '0', '--static')) as VmOut;
      expect(pinned.adapters[0]!.mode).toBe('static');
      const copy = (await json(
        'vm',
        'register',
        name,
        '--from',
        'staging',
        '--host',
        'prod',
        '--copy',
      )) as VmOut;
      expect(copy).toMatchObject({
        host: 'prod',
        state: 'stopped',
        adapters: [{ mode: 'static', mac: pinned.adapters[0]!.mac }],
      });
    }

    const refused = await call('vm', 'start', 'web1', '--host', 'prod', '--json');
    expect(refused.code).toBe(3);
    expect(JSON.parse(refused.stderr)).toMatchObject({ error: { code: 'MAC_CONFLICT' } });
    expect(refused.stderr).toContain('prod/db#0');
    expect(((await json('vm', 'show', 'web1', '--host', 'prod')) as VmOut).state).toBe('stopped');

    const findings = await call('findings', '--json');
    expect(findings.code).toBe(1);
    const blocking = (
      JSON.parse(findings.stdout) as {
        findings: { scope: string; mac: string; members: { host: string; vm: string }[] }[];
      }
    ).findings[0]!;
    expect(blocking).toMatchObject({ scope: 'blocking', mac: '00:03:ff:53:32:68' });
    expect(blocking.members.map((m) => `${m.host}/${m.vm}`).sort()).toEqual(['prod/db', 'prod/web1']);

    // Rule 3 through the CLI: nothing but a stopped VM changes its MAC mode or spoofing.
    const spoof = await call('adapter', 'set', 'db', '0', '--spoofing', 'on');
    expect(spoof).toMatchObject({ code: 3 });
    expect(spoof.stderr).toContain('[VM_RUNNING]');

    // Way out 1: dynamic on the hypervisor's own scheme. prod's counter moves on to 00:03:ff:52:32:68 —
    // the start works, and the findings now predict the next clash, with the copy of web2.
    const dynamic = (await json('adapter', 'set', 'web1', '0', '--host', 'prod', '--dynamic')) as VmOut;
    expect(dynamic.adapters[0]).toMatchObject({ mode: 'dynamic', mac: '00:03:ff:52:32:68' });
    expect(((await json('vm', 'start', 'web1', '--host', 'prod')) as VmOut).state).toBe('running');
    const next = JSON.parse((await call('findings', '--json')).stdout) as {
      findings: { scope: string; mac: string }[];
    };
    expect(next.findings[0]).toMatchObject({ scope: 'blocking', mac: '00:03:ff:52:32:68' });

    // Way out 2: prod allocates from a pool; web2's copy goes dynamic and gets a MAC no one holds.
    await json('pool', 'create', 'fleet', '--range', '02:42:00:00:00:00/32');
    await json('host', 'set', 'prod', '--allocation', 'pool:fleet');
    const pooled = (await json('adapter', 'set', 'web2', '0', '--host', 'prod', '--dynamic')) as VmOut;
    expect(pooled.adapters[0]!.mac).toBe('02:42:00:00:00:00');
    expect(((await json('vm', 'start', 'web2', '--host', 'prod')) as VmOut).state).toBe('running');
    const last = JSON.parse((await call('findings', '--json')).stdout) as { findings: { scope: string }[] };
    expect(last.findings.filter((f) => f.scope === 'blocking')).toEqual([]);

    const events = (await json('events', '--vm', 'web1', '--host', 'prod')) as {
      kind: string;
      actor: string;
    }[];
    expect(events.map((e) => e.kind)).toEqual([
      'adapter.mac_assigned',
      'adapter.duplicate',
      'vm.registered',
      'adapter.mac_conflict',
      'vm.start_failed',
      'adapter.mac_assigned',
      'adapter.mode_changed',
      'vm.started',
    ]);
    expect(new Set(events.map((e) => e.actor))).toEqual(new Set(['alice']));
    const byMac = (await json('events', '--mac', '00-03-FF-53-32-68', '--since', '1h')) as { kind: string }[];
    expect(byMac.map((e) => e.kind)).toContain('vm.start_failed');
    expect(await json('events', '--since', '2999-01-01')).toEqual([]);
    const history = (await json('history', '00:03:ff:53:32:68')) as {
      holders: { holder: string; until: string | null }[];
    };
    expect(history.holders.map((h) => [h.holder, h.until === null])).toEqual([
      ['staging/web1#0', true],
      ['prod/db#0', true],
      ['prod/web1#0', false],
    ]);
  });
}

const pgUrl = PG_URL ?? '';
const schemas: string[] = [];
afterAll(() => (pgUrl === '' ? undefined : dropSchemas(pgUrl, schemas)));

/** A fresh PostgreSQL schema, as a URL whose connections use it. */
async function pgDatabase(): Promise<string> {
  const schema = freshSchema('fleet_cli');
  schemas.push(schema);
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  await client.query(`CREATE SCHEMA "${schema}"`);
  await client.end();
  const url = new URL(pgUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

describe('the staging-server story through the CLI', () => {
  let n = 0;
  story('SQLite', () => Promise.resolve(join(dir, `story-${++n}.db`)));

  story('PostgreSQL (MACFLEET_TEST_PG_URL)', pgDatabase, pgUrl === '');

  it('keeps the audit log append-only in the database, and refuses through the real binary', async () => {
    const db = join(dir, 'append-only.db');
    const { json } = cli(db);
    await json('host', 'add', 'h', '--hypervisor', 'kvm');
    const raw = new Database(db);
    expect(() => raw.prepare('DELETE FROM fleet_events').run()).toThrow(/append-only/);
    expect(() => raw.prepare("UPDATE fleet_events SET actor = 'mallory'").run()).toThrow(/append-only/);
    raw.close();
    const bin = join(repoRoot, 'bin', 'macfleet');
    const shown = spawnSync(bin, ['vm', 'start', 'nope', '--json'], {
      env: { ...process.env, MACFLEET_DB: db },
      encoding: 'utf8',
    });
    expect(shown.status).toBe(3);
    expect(JSON.parse(shown.stderr)).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect(
      execFileSync(bin, ['host', 'list'], { env: { ...process.env, MACFLEET_DB: db }, encoding: 'utf8' }),
    ).toContain('kvm');
  });

  it.skipIf(pgUrl === '')(
    'lets one of twelve concurrent starts through when their VMs share a static MAC (PostgreSQL, two instances)',
    async () => {
      const schema = freshSchema('fleet_race');
      schemas.push(schema);
      const instances = await Promise.all([0, 1].map(() => PostgresStore.open(pgUrl, { schema })));
      try {
        const fleets = instances.map((store): FleetDeps => ({
          repo: new StoreFleetRepository(store),
          clock: systemClock,
          actor: 'race',
          sources: (_host, tx) => hypervisorMacSource(tx, seededRandom(1)),
        }));
        const [one, two] = fleets as [FleetDeps, FleetDeps];
        // Virtual Server refuses a start whose static MAC a running VM uses (its lifecycle profile).
        await addHost(one, { name: 'h', hypervisor: 'virtual-server' });
        await addNetwork(one, { host: 'h', name: 'br0' });
        const names = Array.from({ length: 12 }, (_, i) => `vm${i}`);
        for (const name of names) {
          await createVm(one, {
            host: 'h',
            name,
            adapters: [{ network: 'br0', static: parseMac('52:54:00:00:00:01') }],
            force: true,
          });
        }
        const results = await Promise.allSettled(
          names.map((name, i) => startVm(i % 2 === 0 ? one : two, { name })),
        );
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        expect(refused.map((r) => (r.reason as { code?: string }).code)).toEqual(
          Array(11).fill('MAC_CONFLICT'),
        );
        const running = (await two.repo.listVms('h')).filter((v) => v.state === 'running');
        expect(running).toHaveLength(1);
        expect(await two.repo.listEvents({ mac: parseMac('52:54:00:00:00:01') })).toEqual(
          expect.arrayContaining([expect.objectContaining({ kind: 'vm.start_failed' })]),
        );
      } finally {
        await Promise.all(instances.map((i) => i.close()));
      }
    },
  );

  it('imports a scan twice without duplicating anything', async () => {
    const db = join(dir, 'import.db');
    const { call, json } = cli(db);
    const scan = {
      files: 1,
      adapters: [
        {
          file: 'esx1/web/web.vmx',
          line: 9,
          vm: 'web',
          host: null,
          network: 'VM Network',
          mac: '00:50:56:00:00:01',
          mode: 'static',
          hypervisor: 'vmware',
          enabled: true,
        },
        {
          file: 'esx1/db/db.vmx',
          line: 9,
          vm: 'db',
          host: null,
          network: 'VM Network',
          mac: '00:50:56:00:00:01',
          mode: 'static',
          hypervisor: 'vmware',
          enabled: true,
        },
      ],
      findings: [],
      issues: [],
    };
    writeFileSync(join(dir, 'scan.json'), JSON.stringify(scan));
    const first = (await json('import', 'scan.json', '--host', 'esx1')) as { vms: { created: number } };
    const second = (await json('import', 'scan.json', '--host', 'esx1')) as {
      vms: { created: number; unchanged: number };
    };
    expect(first.vms.created).toBe(2);
    expect(second.vms).toMatchObject({ created: 0, unchanged: 2 });
    expect((await json('vm', 'list')) as unknown[]).toHaveLength(2);
    const findings = await call('findings', '--json');
    expect(JSON.parse(findings.stdout)).toMatchObject({
      // Two VMs of one VMware host share the MAC on one network: VMware powers both on (conflicting).
      findings: [{ scope: 'conflicting', mac: '00:50:56:00:00:01' }],
    });
    const bad = await call('import', 'missing.json');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('[IO_ERROR]');
  });
});

// The same story on each hypervisor (issue 11): a VM built on staging, pinned static, copied twice to
// prod with that hypervisor's copy, and both copies started on one host and network. Where the outcome
// differs, and why (the sources are in src/schemes/lifecycle-profiles.ts):
// - Virtual Server refuses the second start (Resource Kit ch. 11): exit 3, MAC_CONFLICT, `blocking`;
// - Hyper-V starts it, but VMSMP pins the MAC to the first port (event 28): exit 0, a warning, `blocking`;
// - VMware powers it on sharing the MAC (vSphere Troubleshooting): exit 0, a warning, `conflicting`;
// - KVM (libvirt) and Xen check nothing: exit 0, a warning, `conflicting`;
// - Proxmox VE (qm clone "always change MAC!") and VirtualBox (clonevm without KeepAllMACs) give each copy
//   new MACs: no duplicate at all.
const STORY: Record<
  string,
  { add: string[]; copyKeepsMac: boolean; exit: number; warns: string | null; scope: string | null }
> = {
  'virtual-server': {
    add: ['--nic', '00-16-31-53-32-68'],
    copyKeepsMac: true,
    exit: 3,
    warns: null,
    scope: 'blocking',
  },
  'hyper-v': {
    add: ['--ip', '10.1.5.20'],
    copyKeepsMac: true,
    exit: 0,
    warns: 'pinned to port',
    scope: 'blocking',
  },
  vmware: {
    add: ['--version', '7.0'],
    copyKeepsMac: true,
    exit: 0,
    warns: 'share the MAC',
    scope: 'conflicting',
  },
  kvm: { add: [], copyKeepsMac: true, exit: 0, warns: 'check nothing', scope: 'conflicting' },
  xen: { add: [], copyKeepsMac: true, exit: 0, warns: 'checks nothing', scope: 'conflicting' },
  proxmox: { add: ['--version', '8.2'], copyKeepsMac: false, exit: 0, warns: null, scope: null },
  virtualbox: { add: [], copyKeepsMac: false, exit: 0, warns: null, scope: null },
};

describe('the staging story on each hypervisor', () => {
  for (const [hypervisor, e] of Object.entries(STORY)) {
    it(`${hypervisor}: second copy ${e.exit === 3 ? 'refused' : 'started'}, finding ${e.scope ?? 'none'}`, async () => {
      const { call, json } = cli(join(dir, `each-${hypervisor}.db`));
      for (const host of ['staging', 'prod']) {
        await json(
          'host',
          'add',
          host,
          '--hypervisor',
          hypervisor,
          ...(hypervisor === 'hyper-v' && host === 'prod' ? ['--ip', '10.1.6.20'] : e.add),
        );
        await json('network', 'add', 'LAN', '--host', host);
      }
      await json('vm', 'create', 'web1', '--host', 'staging', '--adapter', 'LAN');
      // Start and stop once: a Hyper-V dynamic MAC exists only after the first start.
      await json('vm', 'start', 'web1');
      await json('vm', 'stop', 'web1');
      const pinned = (await json('adapter', 'set', 'web1', '0', '--static')) as VmOut;
      const mac = pinned.adapters[0]!.mac!;
      const copies: VmOut[] = [];
      for (const as of ['web1', 'web1b']) {
        copies.push(
          (await json(
            'vm',
            'register',
            'web1',
            '--from',
            'staging',
            '--host',
            'prod',
            '--copy',
            '--as',
            as,
          )) as VmOut,
        );
      }
      expect(copies.map((c) => c.adapters[0]!.mac === mac)).toEqual([e.copyKeepsMac, e.copyKeepsMac]);
      expect((await call('vm', 'start', 'web1', '--host', 'prod')).code).toBe(0);
      const second = await call('vm', 'start', 'web1b', '--host', 'prod');
      expect(second.code).toBe(e.exit);
      if (e.exit === 3) expect(second.stderr).toContain('[MAC_CONFLICT]');
      if (e.warns === null && e.exit === 0) expect(second.stderr).toBe('');
      if (e.warns !== null) {
        expect(second.stderr).toContain('warning: prod/web1b#0 started with');
        expect(second.stderr).toContain(e.warns);
        const events = (await json('events', '--vm', 'web1b', '--host', 'prod')) as {
          kind: string;
          after: { resolution?: string; consequence?: string } | null;
        }[];
        const conflict = events.find((x) => x.kind === 'adapter.mac_conflict')!;
        expect(conflict.after?.consequence).toContain(e.warns);
        expect(events.at(-1)?.kind).toBe('vm.started');
      }
      const findings = JSON.parse((await call('findings', '--json')).stdout) as {
        findings: { scope: string; message: string; members: { host: string; vm: string }[] }[];
      };
      const both = findings.findings.find((f) =>
        ['prod/web1', 'prod/web1b'].every((v) => f.members.some((m) => `${m.host}/${m.vm}` === v)),
      );
      expect(both?.scope ?? null).toBe(e.scope);
      if (e.scope === 'conflicting') expect(both!.message).toContain(e.warns!);
    });
  }
});
