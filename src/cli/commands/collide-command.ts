/** `macfleet collide <hosts.yaml>`: which hosts' dynamic MAC schemes overlap; exit 1 when any do. */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { MacfleetError } from '../../errors.js';
import {
  collisionReportToJson,
  formatSet,
  joinAnd,
  parseHostsFile,
  predictCollisions,
} from '../../schemes/index.js';
import type { CliContext } from '../context.js';
import { cryptoRandom } from '../crypto-random.js';
import { EXIT } from '../exit-codes.js';

export function registerCollide(program: Command, ctx: CliContext): void {
  program
    .command('collide')
    .description("predict which hosts' hypervisor MAC schemes overlap (exit 1 when any do)")
    .argument(
      '<hosts-file>',
      'YAML or JSON: hosts: [{name, hypervisor, ip?, nics?, min?, max?, instanceId?, prefix?, prefixLength?, adapters?}]',
    )
    .option('--json', 'machine-readable report')
    .action(async (file: string, opts: { json?: boolean }) => {
      let text: string;
      try {
        text = await readFile(resolve(ctx.io.cwd, file), 'utf8');
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw new MacfleetError(
          'IO_ERROR',
          `cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : String((e as Error).message)}`,
          {
            location: { file },
            cause: e,
          },
        );
      }
      const report = predictCollisions(parseHostsFile(text, file), cryptoRandom());
      if (opts.json) ctx.json(collisionReportToJson(report));
      else if (report.findings.length === 0)
        ctx.out(`${report.hosts} hosts: no overlapping dynamic MAC ranges.`);
      else {
        const certain = report.findings.filter((f) => f.certainty === 'certain').length;
        ctx.out(
          `${report.hosts} hosts: ${report.findings.length} overlap(s) — ${certain} certain, ${report.findings.length - certain} by chance (random schemes)`,
        );
        for (const f of report.findings) {
          ctx.out('');
          ctx.out(
            `${f.certainty === 'certain' ? 'CERTAIN ' : 'POSSIBLE'}  ${f.hosts.length === 2 ? f.hosts.join(' <-> ') : joinAnd(f.hosts)}: ${f.shared.map((p) => formatSet(p.set)).join(', ')}`,
          );
          ctx.out(`          ${f.reason}`);
        }
      }
      if (report.findings.length > 0) ctx.setExitCode(EXIT.findings);
    });
}
