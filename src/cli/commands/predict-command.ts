/**
 * `macfleet predict <scheme>`: what a hypervisor host will hand out. Deterministic schemes list the
 * addresses in allocation order (or the pool); random ones give their range, random bits and the birthday
 * odds for `--adapters N`.
 */
import type { Command } from 'commander';
import { MacfleetError } from '../../errors.js';
import { formatIpv4, formatMac, parseIpv4, parseMac, type Mac, type MacRange } from '../../mac/index.js';
import {
  eligibleNics,
  formatRangeCompact,
  formatVsNic,
  hyperVPool,
  hyperVPoolFromIpv4,
  libvirtScheme,
  parseVsNic,
  PROXMOX_DEFAULT_PREFIX,
  proxmoxScheme,
  QEMU_SEQUENTIAL_COUNT,
  qemuPrediction,
  randomSchemeJson,
  rangeJson,
  setBounds,
  virtualBoxScheme,
  virtualServerPrediction,
  xenScheme,
  type Scheme,
} from '../../schemes/index.js';
import { formatPercent } from '../../schemes/collisions.js';
import type { CliContext } from '../context.js';
import { cryptoRandom } from '../crypto-random.js';
import { collect, intOption } from '../options.js';
import { registerPredictVmware } from './predict-vmware-command.js';

const hex = (m: Mac): string => formatMac(m, 'hyphen');
const MAX_COUNT = 1_000_000;

export function registerPredict(program: Command, ctx: CliContext): void {
  const predict = program
    .command('predict')
    .description(
      'predict the MAC addresses a hypervisor host hands out (Virtual Server, Hyper-V, VMware, QEMU, libvirt, Xen, VirtualBox, Proxmox)',
    );

  predict
    .command('virtual-server')
    .description(
      'Virtual Server 2005 R2: 00-03-FF-(NIC octet 4 XOR counter)-(NIC octets 5-6), 256 per eligible NIC (KB 888030)',
    )
    .requiredOption(
      '--nic <mac[,loopback|,bridge]>',
      'a host network adapter, in host order (repeat)',
      collect,
    )
    .option('--count <n>', 'how many addresses', intOption('--count', 1, MAX_COUNT), 10)
    .option(
      '--start <k>',
      'first allocation number (0 = the first a fresh host hands out)',
      intOption('--start'),
      0,
    )
    .option('--json', 'a JSON array of MACs (colon-lower)')
    .action((opts: { nic: string[]; count: number; start: number; json?: boolean }) => {
      const nics = opts.nic.map((n, i) => parseVsNic(n, `--nic #${i + 1}`));
      const eligible = eligibleNics(nics);
      const random = cryptoRandom();
      const rows = virtualServerPrediction(nics, opts.count, opts.start, random);
      if (opts.json) return ctx.json(rows.map((r) => formatMac(r.mac)));
      ctx.out(`Virtual Server host with ${nics.length} adapter(s): ${nics.map(formatVsNic).join('  ')}`);
      if (eligible.length === 0) {
        ctx.out('No eligible adapter (loopback and bridge adapters are skipped): the last three octets are');
        ctx.out('crypto-random, so these are samples, not predictions.');
      } else {
        ctx.out(
          `Eligible, in order: ${eligible.map(hex).join('  ')}; 256 addresses each, then the first again.`,
        );
      }
      ctx.out('');
      ctx.out('  alloc  MAC                 from');
      for (const r of rows) {
        const from = eligible.length === 0 ? 'random' : describeVsSource(eligible, r.n);
        ctx.out(`  ${String(r.n).padStart(5)}  ${hex(r.mac)}   ${from}`);
      }
    });

  predict
    .command('hyper-v')
    .description(
      "Hyper-V: the host's dynamic pool, from its IPv4 address at install time or Set-VMHost -MacAddressMinimum/-Maximum",
    )
    .option('--ip <ipv4>', 'the IPv4 address the host had when Hyper-V was installed')
    .option('--min <mac>', 'MacAddressMinimum')
    .option('--max <mac>', 'MacAddressMaximum')
    .option('--json', '{"first","last","count"}')
    .action((opts: { ip?: string; min?: string; max?: string; json?: boolean }) => {
      const pool = hyperVPoolOf(opts);
      const count = pool.end - pool.start + 1;
      if (opts.json) return ctx.json(rangeJson(pool));
      ctx.out(
        opts.ip !== undefined
          ? `Hyper-V pool of a host installed with ${formatIpv4(parseIpv4(opts.ip))} (octets 3-4 → 4th and 5th MAC octets)`
          : 'Hyper-V pool set with Set-VMHost -MacAddressMinimum/-MacAddressMaximum',
      );
      ctx.out(`  range   ${formatRangeCompact(pool)}  (${count} addresses)`);
      ctx.out(`  first   ${hex(pool.start)}`);
      ctx.out(`  last    ${hex(pool.end)}`);
      ctx.out(
        '  order   next available after the last one handed out, wrapping to the first; released addresses are reused',
      );
    });

  predict
    .command('qemu')
    .description(
      'QEMU without a MAC: 52:54:00:12:34:56, 57, ... per process; after 169 NICs always 52:54:00:12:34:ff',
    )
    .option('--count <n>', 'how many NICs', intOption('--count', 1, MAX_COUNT), 10)
    .option('--start <k>', 'first NIC number (0 = the first NIC of a fresh process)', intOption('--start'), 0)
    .option('--json', 'a JSON array of MACs (colon-lower)')
    .action((opts: { count: number; start: number; json?: boolean }) => {
      const macs = qemuPrediction(opts.count, opts.start);
      if (opts.json) return ctx.json(macs.map((m) => formatMac(m)));
      ctx.out(
        `QEMU default MACs (every QEMU process starts again at 52:54:00:12:34:56; ${QEMU_SEQUENTIAL_COUNT} distinct)`,
      );
      macs.forEach((m, i) => {
        const n = opts.start + i;
        ctx.out(
          `  ${String(n).padStart(5)}  ${formatMac(m)}${n === QEMU_SEQUENTIAL_COUNT ? '   (table full: -1 lands as ff)' : n > QEMU_SEQUENTIAL_COUNT ? '   (repeats)' : ''}`,
        );
      });
    });

  const randomCommand = (
    name: string,
    description: string,
    scheme: (opts: { prefix?: string }) => Scheme,
    withPrefix = false,
  ) => {
    const cmd = predict
      .command(name)
      .description(description)
      .option(
        '--adapters <n>',
        'adapters drawing from this scheme (for the collision odds)',
        intOption('--adapters', 0, 2 ** 40),
        1000,
      )
      .option(
        '--json',
        '{"scheme","first","last","count","randomBits","adapters","collisionProbability","adaptersFor50Percent"}',
      );
    if (withPrefix) cmd.option('--prefix <prefix>', 'datacenter mac_prefix', PROXMOX_DEFAULT_PREFIX);
    cmd.action((opts: { adapters: number; json?: boolean; prefix?: string }) =>
      printRandom(ctx, scheme(opts), opts.adapters, opts.json === true),
    );
  };
  randomCommand('libvirt', 'libvirt: 52:54:00 + 24 random bits per adapter', () => libvirtScheme());
  randomCommand('xen', 'Xen libxl: 00:16:3e + 23 random bits (4th octet 00..7f)', () => xenScheme());
  randomCommand('virtualbox', 'VirtualBox: 08:00:27 + 24 random bits', () => virtualBoxScheme());
  randomCommand(
    'proxmox',
    'Proxmox VE: mac_prefix (default BC:24:11) + random bits',
    (o) => proxmoxScheme(o.prefix),
    true,
  );

  registerPredictVmware(predict, ctx);
}

function describeVsSource(eligible: readonly Mac[], n: number): string {
  const i = Math.floor(n / 256) % eligible.length;
  const nic = eligible[i]!;
  const d = Math.floor((nic % 2 ** 24) / 2 ** 16);
  const c = n % 256;
  const h = (x: number): string => x.toString(16).toUpperCase().padStart(2, '0');
  return `NIC ${i + 1} ${hex(nic)}: ${h(d)} XOR ${h(c)}`;
}

function hyperVPoolOf(opts: { ip?: string; min?: string; max?: string }): MacRange {
  if (opts.ip !== undefined) {
    if (opts.min !== undefined || opts.max !== undefined) {
      throw new MacfleetError('USAGE', 'give either --ip or --min and --max, not both');
    }
    return hyperVPoolFromIpv4(parseIpv4(opts.ip, '--ip'));
  }
  if (opts.min === undefined || opts.max === undefined) {
    throw new MacfleetError('USAGE', 'give --ip <ipv4>, or both --min <mac> and --max <mac>');
  }
  return hyperVPool(parseMac(opts.min), parseMac(opts.max));
}

/** The JSON and text form of a random-prefix scheme's range and birthday odds. */
export function printRandom(ctx: CliContext, scheme: Scheme, adapters: number, json: boolean): void {
  const report = randomSchemeJson(scheme, adapters);
  if (json) return ctx.json(report);
  const { start, end } = setBounds(scheme.sets[0]!);
  const { count, collisionProbability: p, adaptersFor50Percent: half } = report;
  ctx.out(scheme.description);
  ctx.out(
    `  range          ${formatRangeCompact({ start, end })}  (${count.toLocaleString('en-US')} addresses, ${scheme.randomBits} random bits)`,
  );
  ctx.out(
    `  ${adapters.toLocaleString('en-US')} adapters   P(at least two share a MAC) = ${formatPercent(p)}`,
  );
  ctx.out(`  50% odds at    ${half.toLocaleString('en-US')} adapters`);
}
