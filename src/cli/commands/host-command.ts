/** `macfleet host add|list|show|set` and `macfleet network add|list`: the hosts and virtual networks of the fleet. */
import type { Command } from 'commander';
import { MacfleetError } from '../../errors.js';
import {
  addHost,
  addNetwork,
  formatAllocationSource,
  hostJson,
  hyperVRange,
  networkJson,
  parseAllocationSource,
  parseHypervisorKind,
  updateHost,
  vmJson,
  type AllocationSource,
  type Host,
} from '../../fleet/index.js';
import { formatIpv4, formatMac, formatMacRange, parseIpv4, parseMac } from '../../mac/index.js';
import { formatVsNic, parseVsNic } from '../../schemes/index.js';
import type { CliContext } from '../context.js';
import { fleetOptions, table, withFleet, type FleetOptions } from '../fleet-cli.js';
import { collect } from '../options.js';
import { withStore } from '../store-options.js';
import { PoolStore } from '../../store/pool-store.js';

interface HostOptions extends FleetOptions {
  hypervisor?: string;
  nic: string[];
  ip?: string;
  allocation?: string;
  min?: string;
  max?: string;
  version?: string;
  macPrefix?: string;
}

function schemeText(h: Host): string {
  if (h.hypervisor === 'virtual-server') return `counter ${String(h.scheme['counter'] ?? 0)}`;
  if (h.hypervisor === 'hyper-v') {
    const cursor = h.scheme['cursor'];
    return `range ${formatMacRange(hyperVRange(h))}, last handed out ${typeof cursor === 'string' ? cursor : '-'}`;
  }
  return 'random';
}

function renderHost(h: Host): string {
  return [
    `${h.name}  ${h.hypervisor}`,
    `  ip           ${h.ip === null ? '-' : formatIpv4(h.ip)}`,
    `  nics         ${h.nics.map(formatVsNic).join(' ') || '-'}`,
    `  allocation   ${formatAllocationSource(h.allocation)}`,
    `  scheme       ${schemeText(h)}`,
    ...(h.version === null ? [] : [`  version      ${h.version}`]),
  ].join('\n');
}

/** A `pool:<name>` source must name a pool that exists (NOT_FOUND otherwise). */
async function checkPool(
  ctx: CliContext,
  o: HostOptions,
  allocation: AllocationSource | undefined,
): Promise<void> {
  if (allocation?.kind !== 'pool') return;
  await withStore(ctx, o, (store) => new PoolStore(store).showPool(allocation.pool));
}

const rangeOptions = (o: HostOptions) => ({
  ...(o.min === undefined ? {} : { min: parseMac(o.min) }),
  ...(o.max === undefined ? {} : { max: parseMac(o.max) }),
  ...(o.version === undefined ? {} : { version: o.version }),
  ...(o.macPrefix === undefined ? {} : { macPrefix: o.macPrefix }),
});

const VERSION_HELP =
  "the hypervisor's version where a rule depends on it (VMware: 6.5 and later accept any unique static MAC; Proxmox VE: 8.1 and later default to BC:24:11)";
const MAC_PREFIX_HELP = "Proxmox VE: the cluster's datacenter.cfg mac_prefix (default BC:24:11 since 8.1)";

export function registerHost(program: Command, ctx: CliContext): void {
  const host = program
    .command('host')
    .description('hosts of the fleet: hypervisor, physical adapters, allocation source');

  fleetOptions(
    host
      .command('add')
      .description('add a host')
      .argument('<name>')
      .requiredOption(
        '--hypervisor <kind>',
        'virtual-server, hyper-v, vmware, kvm, xen, virtualbox or proxmox',
      )
      .option('--nic <mac[,loopback|,bridge]>', 'a physical adapter, in host order (repeat)', collect, [])
      .option('--ip <ipv4>', "the host's IPv4 address (Hyper-V derives its MAC range from it)")
      .option(
        '--allocation <source>',
        'hypervisor (the host scheme) or pool:<name> (the fleet allocator)',
        'hypervisor',
      )
      .option('--min <mac>', 'Hyper-V: MacAddressMinimum')
      .option('--max <mac>', 'Hyper-V: MacAddressMaximum')
      .option('--version <v>', VERSION_HELP)
      .option('--mac-prefix <prefix>', MAC_PREFIX_HELP),
  ).action(async (name: string, o: HostOptions) => {
    const input = {
      name,
      hypervisor: parseHypervisorKind(o.hypervisor ?? ''),
      nics: o.nic.map((n, i) => parseVsNic(n, `--nic #${i + 1}`)),
      ip: o.ip === undefined ? null : parseIpv4(o.ip, '--ip'),
      allocation: parseAllocationSource(o.allocation ?? 'hypervisor'),
      ...rangeOptions(o),
    };
    await checkPool(ctx, o, input.allocation);
    const added = await withFleet(ctx, o, (deps) => addHost(deps, input));
    if (o.json) ctx.json(hostJson(added));
    else ctx.out(renderHost(added));
  });

  fleetOptions(
    host
      .command('set')
      .description("change a host's allocation source, IPv4 address or Hyper-V range")
      .argument('<name>')
      .option('--ip <ipv4>', 'new IPv4 address')
      .option('--allocation <source>', 'hypervisor or pool:<name>')
      .option('--min <mac>', 'Hyper-V: MacAddressMinimum')
      .option('--max <mac>', 'Hyper-V: MacAddressMaximum')
      .option('--version <v>', VERSION_HELP)
      .option('--mac-prefix <prefix>', MAC_PREFIX_HELP),
  ).action(async (name: string, o: HostOptions) => {
    const change = {
      ...(o.allocation === undefined ? {} : { allocation: parseAllocationSource(o.allocation) }),
      ...(o.ip === undefined ? {} : { ip: parseIpv4(o.ip, '--ip') }),
      ...rangeOptions(o),
    };
    if (Object.keys(change).length === 0)
      throw new MacfleetError(
        'USAGE',
        'nothing to change: give --allocation, --ip, --min/--max, --version or --mac-prefix',
      );
    await checkPool(ctx, o, change.allocation);
    const updated = await withFleet(ctx, o, (deps) => updateHost(deps, name, change));
    if (o.json) ctx.json(hostJson(updated));
    else ctx.out(renderHost(updated));
  });

  fleetOptions(host.command('list').description('list the hosts')).action(async (o: FleetOptions) => {
    const hosts = await withFleet(ctx, o, (deps) => deps.repo.listHosts(), 'read');
    if (o.json) return ctx.json(hosts.map(hostJson));
    if (hosts.length === 0)
      return ctx.out('no hosts (add one with: macfleet host add <name> --hypervisor <kind>)');
    ctx.out(
      table([
        ['NAME', 'HYPERVISOR', 'IP', 'ALLOCATION', 'NICS'],
        ...hosts.map((h) => [
          h.name,
          h.hypervisor,
          h.ip === null ? '-' : formatIpv4(h.ip),
          formatAllocationSource(h.allocation),
          h.nics.map(formatVsNic).join(' ') || '-',
        ]),
      ]),
    );
  });

  fleetOptions(
    host.command('show').description('a host with its networks and VMs').argument('<name>'),
  ).action(async (name: string, o: FleetOptions) => {
    const { found, networks, vms } = await withFleet(
      ctx,
      o,
      async (deps) => ({
        found: await deps.repo.getHost(name),
        networks: await deps.repo.listNetworks(name),
        vms: await deps.repo.listVms(name),
      }),
      'read',
    );
    if (found === undefined) throw new MacfleetError('NOT_FOUND', `no host named ${JSON.stringify(name)}`);
    if (o.json)
      return ctx.json({ ...hostJson(found), networks: networks.map(networkJson), vms: vms.map(vmJson) });
    const lines = [renderHost(found), '  networks'];
    for (const n of networks)
      lines.push(
        `    ${n.name}  segment ${n.segment}${n.nic === null ? '  internal' : `  on ${formatMac(n.nic)}`}`,
      );
    lines.push('  vms');
    for (const vm of vms)
      lines.push(
        `    ${vm.name}  ${vm.state}  ${vm.adapters.map((a) => (a.mac === null ? '(first start)' : formatMac(a.mac))).join(' ')}`,
      );
    ctx.out(lines.join('\n'));
  });

  const network = program.command('network').description('virtual networks of a host');
  fleetOptions(
    network
      .command('add')
      .description('add a virtual network to a host')
      .argument('<name>')
      .requiredOption('--host <host>', 'the host')
      .option(
        '--segment <name>',
        'L2 segment (default: the network name, so one name across hosts is one segment)',
      )
      .option('--nic <mac>', 'the physical adapter it is bound to (default: internal)'),
  ).action(async (name: string, o: FleetOptions & { host: string; segment?: string; nic?: string }) => {
    const input = {
      host: o.host,
      name,
      ...(o.segment === undefined ? {} : { segment: o.segment }),
      ...(o.nic === undefined ? {} : { nic: parseMac(o.nic) }),
    };
    const added = await withFleet(ctx, o, (deps) => addNetwork(deps, input));
    if (o.json) ctx.json(networkJson(added));
    else
      ctx.out(
        `network ${added.name} on ${added.host}, segment ${added.segment}${added.nic === null ? ', internal' : `, on ${formatMac(added.nic)}`}`,
      );
  });

  fleetOptions(
    network.command('list').description('list virtual networks').option('--host <host>', 'only this host'),
  ).action(async (o: FleetOptions & { host?: string }) => {
    const networks = await withFleet(ctx, o, (deps) => deps.repo.listNetworks(o.host), 'read');
    if (o.json) return ctx.json(networks.map(networkJson));
    ctx.out(
      table([
        ['HOST', 'NETWORK', 'SEGMENT', 'NIC'],
        ...networks.map((n) => [n.host, n.name, n.segment, n.nic === null ? 'internal' : formatMac(n.nic)]),
      ]),
    );
  });
}
