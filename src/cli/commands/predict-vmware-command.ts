/**
 * `macfleet predict vmware`: host-generated addresses from a BIOS UUID, or the range of a vCenter
 * allocation scheme (VMware OUI instance id, prefix-based, range-based) or the static range.
 */
import type { Command } from 'commander';
import { MacfleetError } from '../../errors.js';
import type { MacRange } from '../../mac/index.js';
import {
  formatRangeCompact,
  schemeSize,
  setBounds,
  vmwareGeneratedJson,
  vmwareScheme,
  vmwareSchemeJson,
  type VmwarePredictInput,
} from '../../schemes/index.js';
import type { CliContext } from '../context.js';
import { collect, intOption } from '../options.js';

interface VmwareOptions {
  uuid?: string;
  offset?: number;
  count: number;
  instanceId?: number;
  prefix?: string;
  prefixLength?: number;
  range: string[];
  static?: boolean;
  json?: boolean;
}

export function registerPredictVmware(predict: Command, ctx: CliContext): void {
  predict
    .command('vmware')
    .description(
      'VMware: host-generated MACs from a BIOS UUID (--uuid), or a vCenter scheme (--instance-id, --prefix/--prefix-length, --range) or the static range (--static)',
    )
    .option(
      '--uuid <uuid>',
      'the VM BIOS UUID (uuid.bios), e.g. "56 4d b1 a3 c5 e2 0d 11-6e 51 ef b5 d7 59 7e 49"',
    )
    .option('--offset <n>', 'one adapter with this generatedAddressOffset (decimal)', intOption('--offset'))
    .option(
      '--count <n>',
      'adapters ethernet0..N-1 with the default offsets 0, 10, 20, ...',
      intOption('--count', 1, 1000),
      4,
    )
    .option(
      '--instance-id <id>',
      'vCenter instance id 0..63 (VMware OUI allocation)',
      intOption('--instance-id', 0, 63),
    )
    .option('--prefix <hex>', 'vCenter prefix-based allocation prefix, e.g. 005026')
    .option(
      '--prefix-length <bits>',
      'vCenter prefix-based allocation prefixLength, e.g. 23',
      intOption('--prefix-length', 1, 48),
    )
    .option(
      '--range <start-end>',
      'vCenter range-based allocation range (repeat, in range[X] order)',
      collect,
      [],
    )
    .option('--static', 'the VMware static (manual) range')
    .option('--json', 'machine-readable output')
    .action((opts: VmwareOptions) => {
      const modes = [
        opts.uuid !== undefined,
        opts.instanceId !== undefined,
        opts.prefix !== undefined || opts.prefixLength !== undefined,
        opts.range.length > 0,
        opts.static === true,
      ].filter(Boolean).length;
      if (modes !== 1) {
        throw new MacfleetError(
          'USAGE',
          'give exactly one of --uuid, --instance-id, --prefix with --prefix-length, --range, --static',
        );
      }
      if (opts.uuid !== undefined) return generated(ctx, opts.uuid, opts);
      let input: Exclude<VmwarePredictInput, { uuid: string }>;
      if (opts.instanceId !== undefined) input = { instanceId: opts.instanceId };
      else if (opts.static) input = { static: true };
      else if (opts.range.length > 0) input = { ranges: opts.range };
      else {
        if (opts.prefix === undefined || opts.prefixLength === undefined) {
          throw new MacfleetError('USAGE', '--prefix and --prefix-length go together');
        }
        input = { prefix: opts.prefix, prefixLength: opts.prefixLength };
      }
      if (opts.json) return ctx.json(vmwareSchemeJson(input));
      const scheme = vmwareScheme(input);
      const ranges: MacRange[] = scheme.sets.map(setBounds);
      const count = schemeSize(scheme);
      ctx.out(scheme.description);
      for (const r of ranges)
        ctx.out(
          `  range   ${formatRangeCompact(r)}  (${(r.end - r.start + 1).toLocaleString('en-US')} addresses)`,
        );
      if (ranges.length > 1) ctx.out(`  total   ${count.toLocaleString('en-US')} addresses`);
    });
}

function generated(ctx: CliContext, uuidText: string, opts: VmwareOptions): void {
  const report = vmwareGeneratedJson({ uuid: uuidText, offset: opts.offset, count: opts.count });
  if (opts.json) return ctx.json(report);
  const out = report.addresses;
  ctx.out('VMware host-generated: 00:0c:29 + last three bytes of uuid.bios + generatedAddressOffset');
  for (const r of out) {
    const name = r.adapter === null ? '(adapter)' : `ethernet${r.adapter}`;
    ctx.out(`  ${name.padEnd(11)} offset ${String(r.offset).padStart(3)}   ${r.mac}`);
  }
}
