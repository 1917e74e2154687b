/**
 * The audit log and what it tells: `macfleet events`, `macfleet history <mac>`, `macfleet findings`
 * (duplicates in the inventory by scope) and `macfleet import <scan.json>`.
 */
import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { escapeTerminal } from '../../escape.js';
import { MacfleetError } from '../../errors.js';
import {
  describeEvent,
  fleetFindings,
  eventJson,
  importScan,
  macHistory,
  parseHypervisorKind,
  parseScanJson,
  subjectText,
  type EventFilter,
} from '../../fleet/index.js';
import { formatMac, parseMac } from '../../mac/index.js';
import { StoreFleetRepository } from '../../store/fleet-store.js';
import { sightingLine, sightingsOf, type Sighting } from '../../store/observation-store.js';
import type { CliContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { fleetOptions, parseSince, table, withFleet, type FleetOptions } from '../fleet-cli.js';
import { clockFrom } from '../store-options.js';
import { isoTime } from '../../time.js';

const iso = (ms: number): string => isoTime(ms).replace(/\.\d{3}Z$/, 'Z');

export function registerEvents(program: Command, ctx: CliContext): void {
  fleetOptions(
    program
      .command('events')
      .description('the audit log: every change to hosts, networks, VMs and adapters, oldest first')
      .option('--vm <name>', 'only events about this VM')
      .option('--host <name>', 'only events on this host')
      .option('--mac <mac>', 'only events that concern this MAC')
      .option(
        '--since <time>',
        'only events at or after this time: ISO (2026-11-23T09:00Z) or an age (30m, 12h, 7d)',
      ),
  ).action(async (o: FleetOptions & { vm?: string; host?: string; mac?: string; since?: string }) => {
    const filter: EventFilter = {
      ...(o.vm === undefined ? {} : { vm: o.vm }),
      ...(o.host === undefined ? {} : { host: o.host }),
      ...(o.mac === undefined ? {} : { mac: parseMac(o.mac) }),
      ...(o.since === undefined ? {} : { since: parseSince(o.since, clockFrom(o.now).now()) }),
    };
    const events = await withFleet(ctx, o, (deps) => deps.repo.listEvents(filter), 'read');
    if (o.json) return ctx.json(events.map(eventJson));
    if (events.length === 0) return ctx.out('no events');
    ctx.out(table(events.map((e) => [iso(e.time), e.kind, subjectText(e.subject), describeEvent(e)])));
  });

  fleetOptions(
    program
      .command('history')
      .description('every holder of a MAC over time, from the audit log')
      .argument('<mac>'),
  ).action(async (text: string, o: FleetOptions) => {
    const mac = parseMac(text);
    const [events, seen] = await withFleet(
      ctx,
      o,
      async (deps) => {
        const sightings: Sighting[] =
          deps.repo instanceof StoreFleetRepository ? await sightingsOf(deps.repo.store, mac) : [];
        return [await deps.repo.listEvents({ mac }), sightings] as const;
      },
      'read',
    );
    const holdings = macHistory(mac, events);
    if (o.json) {
      return ctx.json({
        mac: formatMac(mac),
        holders: holdings.map((h) => ({
          ...h,
          from: iso(h.from),
          until: h.until === undefined ? null : iso(h.until),
        })),
        events: events.map(eventJson),
        seen: seen.map((s) => ({
          ...s,
          first: s.first === null ? null : iso(s.first),
          last: s.last === null ? null : iso(s.last),
          recordedAt: iso(s.recordedAt),
        })),
      });
    }
    const seenText =
      seen.length === 0
        ? ''
        : `\n  seen on the wire:\n${seen.map((s) => `    ${sightingLine(s)}`).join('\n')}`;
    if (holdings.length === 0)
      return ctx.out(`${formatMac(mac)}: never held by an adapter macfleet knows${seenText}`);
    ctx.out(
      `${formatMac(mac)}\n${table([
        ['  HOLDER', 'MODE', 'SOURCE', 'FROM', 'UNTIL'],
        ...holdings.map((h) => [
          `  ${h.holder}`,
          h.mode,
          h.source,
          iso(h.from),
          h.until === undefined ? 'now' : iso(h.until),
        ]),
      ])}${seenText}`,
    );
  });

  fleetOptions(
    program
      .command('findings')
      .description(
        'duplicate MACs in the inventory (blocking, conflicting, latent) and its NLB problems (exit 1 when any error or warning)',
      ),
  ).action(async (o: FleetOptions) => {
    const findings = await withFleet(
      ctx,
      o,
      async (deps) =>
        fleetFindings(await deps.repo.listVms(), await deps.repo.listNetworks(), await deps.repo.listHosts()),
      'read',
    );
    // A note (an NLB cluster seen, severity info) is said, but is nothing to fix.
    if (findings.some((f) => f.severity !== 'info')) ctx.setExitCode(EXIT.findings);
    if (o.json) return ctx.json({ findings });
    if (findings.length === 0) return ctx.out('no duplicate MACs and no NLB problems in the inventory');
    const lines: string[] = [];
    for (const f of findings) {
      lines.push(
        f.kind === 'duplicate'
          ? `${f.severity.toUpperCase()} duplicate (${f.scope}) ${f.mac}: ${f.message}`
          : `${f.severity.toUpperCase()} nlb ${f.mac}: ${f.message}`,
      );
      for (const m of f.members)
        lines.push(`    ${m.host}/${m.vm}#${m.adapter}  ${m.network}  ${m.mode}  ${m.state}`);
      lines.push(`  fix: ${f.fix}`);
    }
    ctx.out(lines.join('\n'));
  });

  fleetOptions(
    program
      .command('import')
      .description(
        'bring an audit (macfleet scan --json) into the inventory; running it again updates, never duplicates',
      )
      .argument('<scan.json>')
      .option('--host <name>', 'host of the VMs whose files do not name one')
      .option(
        '--hypervisor <kind>',
        'hypervisor of new hosts when the file format does not tell (OVF, inventory CSV)',
      ),
  ).action(async (file: string, o: FleetOptions & { host?: string; hypervisor?: string }) => {
    let text: string;
    try {
      text = await readFile(resolve(ctx.io.cwd, file), 'utf8');
    } catch (e) {
      throw new MacfleetError('IO_ERROR', `cannot read ${file}: ${(e as Error).message}`, {
        location: { file },
        cause: e,
      });
    }
    const parsed = parseScanJson(text, file);
    const options = {
      ...(o.host === undefined ? {} : { host: o.host }),
      ...(o.hypervisor === undefined ? {} : { hypervisor: parseHypervisorKind(o.hypervisor) }),
    };
    const result = await withFleet(ctx, o, (deps) =>
      importScan(deps, parsed.adapters, options, parsed.issues),
    );
    if (o.json) return ctx.json(result);
    ctx.out(
      `imported ${result.adapters.imported} adapters (${result.adapters.skipped} skipped): ` +
        `${result.vms.created} VMs created, ${result.vms.updated} updated, ${result.vms.unchanged} unchanged; ` +
        `${result.hosts.created} hosts and ${result.networks.created} networks created`,
    );
    for (const i of result.issues) {
      ctx.io.stderr(
        `macfleet: ${escapeTerminal(`${i.file}${i.line === undefined ? '' : `:${i.line}`}${i.field === undefined || i.message.startsWith(i.field) ? '' : ` ${i.field}`}: ${i.message}`)} [${i.code}]\n`,
      );
    }
    // Nothing imported and problems said: the scan could not be imported as given.
    if (result.adapters.imported === 0 && result.issues.length > 0) ctx.setExitCode(EXIT.badInput);
  });
}
