/**
 * `macfleet vm create|start|stop|save|register|show|list` and `macfleet adapter set`: VM lifecycle under
 * the hypervisor rules. With `--json` each vm command prints the VM as
 * `{"name","host","state","adapters":[{"index","network","mode","mac","spoofing"}]}` after the change.
 */
import type { Command } from 'commander';
import { MacfleetError } from '../../errors.js';
import { escapeTerminal } from '../../escape.js';
import {
  createVm,
  registerVm as registerVmOnHost,
  removeVm,
  saveVm,
  adapterMacText,
  setAdapter,
  startVmReport,
  startWarning,
  stopVm,
  vmJson,
  type AdapterChange,
  type FleetDeps,
  type Vm,
  type VmRef,
} from '../../fleet/index.js';
import { parseMac } from '../../mac/index.js';
import type { CliContext } from '../context.js';
import {
  fleetOptions,
  onOffOption,
  parseAcceptReject,
  parseAdapterSpec,
  renderVm,
  table,
  withFleet,
  type FleetOptions,
} from '../fleet-cli.js';
import { collect, intOption } from '../options.js';

interface VmOptions extends FleetOptions {
  host?: string;
}

const ref = (name: string, o: VmOptions): VmRef => (o.host === undefined ? { name } : { name, host: o.host });

export function registerVm(program: Command, ctx: CliContext): void {
  const vm = program.command('vm').description('virtual machines: create, start, stop, move or copy, show');
  const print = (o: FleetOptions, v: Vm): void => (o.json ? ctx.json(vmJson(v)) : ctx.out(renderVm(v)));

  fleetOptions(
    vm
      .command('create')
      .description('create a stopped VM; dynamic adapters get a MAC from the host allocation source')
      .argument('<name>')
      .requiredOption('--host <host>', 'the host')
      .option(
        '--adapter <spec>',
        'a network adapter (repeat): <network>[,static=<mac>][,spoofing=on][,dhcp-guard=on][,router-guard=on]' +
          '[,promiscuous=accept][,mac-changes=accept][,forged-transmits=accept]',
        collect,
        [],
      )
      .option('--force', 'accept static MACs already held elsewhere in the fleet (reported until resolved)'),
  ).action(async (name: string, o: VmOptions & { host: string; adapter: string[]; force?: boolean }) => {
    const adapters = o.adapter.map((a, i) => parseAdapterSpec(a, i));
    print(
      o,
      await withFleet(ctx, o, (deps) =>
        createVm(deps, { host: o.host, name, adapters, force: o.force === true }),
      ),
    );
  });

  // The start follows the host's hypervisor (src/schemes/lifecycle-profiles.ts): refused with
  // MAC_CONFLICT where it refuses a duplicate (Virtual Server); elsewhere the VM starts and each
  // duplicate it started with is a warning on stderr (and an event in the log).
  const start = async (deps: FleetDeps, r: VmRef): Promise<Vm> => {
    const report = await startVmReport(deps, r);
    for (const d of report.duplicates) {
      ctx.io.stderr(`macfleet: warning: ${escapeTerminal(startWarning(report.vm, d))}\n`);
    }
    return report.vm;
  };
  const lifecycle: [string, string, (deps: FleetDeps, r: VmRef) => Promise<Vm>][] = [
    [
      'start',
      'start a VM as its hypervisor does: refused (MAC_CONFLICT) where it refuses a MAC in use on the same host and network, otherwise started with a warning',
      start,
    ],
    ['stop', 'stop a running or saved VM', stopVm],
    ['save', 'save the state of a running VM', saveVm],
    ['remove', 'remove a stopped VM from its host (its dynamic MACs go back to the host source)', removeVm],
  ];
  for (const [command, description, fn] of lifecycle) {
    fleetOptions(
      vm
        .command(command)
        .description(description)
        .argument('<name>')
        .option('--host <host>', 'the host, when several have a VM by that name'),
    ).action(async (name: string, o: VmOptions) =>
      print(o, await withFleet(ctx, o, (deps) => fn(deps, ref(name, o)))),
    );
  }

  fleetOptions(
    vm
      .command('register')
      .description('register a VM on a host (move, or copy with --copy); dynamic adapters get new MACs there')
      .argument('<name>')
      .requiredOption('--host <host>', 'the host to register it on')
      .option('--from <host>', 'the host it is on now, when several have a VM by that name')
      .option('--copy', 'keep the original: the VM was copied, not moved')
      .option('--as <name>', 'its name on the new host'),
  ).action(
    async (name: string, o: VmOptions & { host: string; from?: string; copy?: boolean; as?: string }) => {
      const input = {
        name,
        host: o.host,
        copy: o.copy === true,
        ...(o.from === undefined ? {} : { from: o.from }),
        ...(o.as === undefined ? {} : { as: o.as }),
      };
      print(o, await withFleet(ctx, o, (deps) => registerVmOnHost(deps, input)));
    },
  );

  fleetOptions(
    vm
      .command('show')
      .description('a VM and its adapters')
      .argument('<name>')
      .option('--host <host>', 'the host'),
  ).action(async (name: string, o: VmOptions) => {
    const found = await withFleet(
      ctx,
      o,
      (deps) =>
        o.host === undefined
          ? deps.repo.findVms(name)
          : deps.repo.getVm(o.host, name).then((v) => (v === undefined ? [] : [v])),
      'read',
    );
    if (found.length === 0)
      throw new MacfleetError(
        'NOT_FOUND',
        `no VM named ${JSON.stringify(name)}${o.host === undefined ? '' : ` on host ${o.host}`}`,
      );
    if (found.length > 1) {
      throw new MacfleetError(
        'INVALID_ARGUMENT',
        `VM ${JSON.stringify(name)} exists on hosts ${found.map((v) => v.host).join(', ')}; say which with --host`,
      );
    }
    print(o, found[0]!);
  });

  fleetOptions(vm.command('list').description('list VMs').option('--host <host>', 'only this host')).action(
    async (o: VmOptions) => {
      const vms = await withFleet(
        ctx,
        o,
        async (deps) => {
          if (o.host !== undefined && (await deps.repo.getHost(o.host)) === undefined)
            throw new MacfleetError('NOT_FOUND', `no host named ${JSON.stringify(o.host)}`, {
              location: { field: '--host' },
            });
          return deps.repo.listVms(o.host);
        },
        'read',
      );
      if (o.json) return ctx.json(vms.map(vmJson));
      ctx.out(
        table([
          ['HOST', 'VM', 'STATE', 'ADAPTERS'],
          ...vms.map((v) => [
            v.host,
            v.name,
            v.state,
            v.adapters.map((a) => `${a.network} ${a.mode} ${adapterMacText(a.mac)}`).join('; '),
          ]),
        ]),
      );
    },
  );

  const adapter = program.command('adapter').description('network adapters of a VM');
  fleetOptions(
    adapter
      .command('set')
      .description(
        'configure a network adapter: Dynamic/Static MAC, MAC spoofing, guards, VMware port security',
      )
      .argument('<vm>')
      .argument('<index>', 'adapter index (0 = the first)', intOption('<index>', 0, 1_000_000))
      .option('--host <host>', 'the host, when several have a VM by that name')
      .option(
        '--static [mac]',
        'static MAC: this one, or without a value the MAC the adapter has now (VM stopped)',
      )
      .option('--force', 'accept a static MAC already held elsewhere in the fleet')
      .option('--dynamic', 'dynamic MAC: a new one from the host allocation source (VM stopped)')
      .option(
        '--spoofing <on|off>',
        'enable spoofing of MAC addresses (VM stopped)',
        onOffOption('--spoofing'),
      )
      .option('--dhcp-guard <on|off>', 'Hyper-V DHCP guard', onOffOption('--dhcp-guard'))
      .option('--router-guard <on|off>', 'Hyper-V router guard', onOffOption('--router-guard'))
      .option('--promiscuous <accept|reject>', 'VMware promiscuous mode')
      .option('--mac-changes <accept|reject>', 'VMware MAC address changes')
      .option('--forged-transmits <accept|reject>', 'VMware forged transmits'),
  ).action(
    async (
      vmName: string,
      index: number,
      o: VmOptions & {
        static?: string | true;
        force?: boolean;
        dynamic?: boolean;
        spoofing?: boolean;
        dhcpGuard?: boolean;
        routerGuard?: boolean;
        promiscuous?: string;
        macChanges?: string;
        forgedTransmits?: string;
      },
    ) => {
      const vmware = {
        ...(o.promiscuous === undefined
          ? {}
          : { promiscuous: parseAcceptReject(o.promiscuous, '--promiscuous') }),
        ...(o.macChanges === undefined
          ? {}
          : { macChanges: parseAcceptReject(o.macChanges, '--mac-changes') }),
        ...(o.forgedTransmits === undefined
          ? {}
          : { forgedTransmits: parseAcceptReject(o.forgedTransmits, '--forged-transmits') }),
      };
      const change: AdapterChange = {
        ...(o.static === undefined
          ? {}
          : { static: o.static === true ? ('current' as const) : parseMac(o.static) }),
        ...(o.dynamic === true ? { dynamic: true } : {}),
        ...(o.force === true ? { force: true } : {}),
        ...(o.spoofing === undefined ? {} : { spoofing: o.spoofing }),
        ...(o.dhcpGuard === undefined ? {} : { dhcpGuard: o.dhcpGuard }),
        ...(o.routerGuard === undefined ? {} : { routerGuard: o.routerGuard }),
        ...(Object.keys(vmware).length === 0 ? {} : { vmware }),
      };
      if (Object.keys(change).filter((k) => k !== 'force').length === 0) {
        throw new MacfleetError(
          'USAGE',
          'nothing to change: give --static, --dynamic, --spoofing, a guard or a VMware policy',
        );
      }
      print(o, await withFleet(ctx, o, (deps) => setAdapter(deps, ref(vmName, o), index, change)));
    },
  );
}
