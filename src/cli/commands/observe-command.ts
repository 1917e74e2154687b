/**
 * `macfleet observe <source>...`: what the wire shows (captures, bridge and neighbour tables, switch
 * forwarding tables over SNMP, DHCP leases, arpwatch) against what the configurations, inventory and
 * pools say: live duplicates, flaps, unknown, mismatched and stale MACs, NLB clusters.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { severityRank, SEVERITIES, type Severity } from '../../audit/index.js';
import { MacfleetError } from '../../errors.js';
import { formatMac, parseMacRange, parseMac, type Mac, type MacRange } from '../../mac/index.js';
import { readSource } from '../../observe-io/read-sources.js';
import { scanIntended, type Intended, type IntendedAdapter } from '../../observe/intended.js';
import type {
  ObservationSet,
  ObservedSource,
  ObserveFinding,
  ObserveIssue,
  ObserveReport,
} from '../../observe/model.js';
import { DEFAULT_RECONCILE, reconcile } from '../../observe/reconcile.js';
import { hostMatcher } from '../../scan/host-from-path.js';
import { StoreFleetRepository } from '../../store/fleet-store.js';
import { recordObservations } from '../../store/observation-store.js';
import { PoolStore } from '../../store/pool-store.js';
import type { Store } from '../../store/store.js';
import type { CliContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { parseSince } from '../fleet-cli.js';
import { clockFrom, parseDuration, withStore } from '../store-options.js';

interface ObserveOpts {
  scan?: string;
  db?: string;
  now?: string;
  allow: string[];
  since?: string;
  json?: boolean;
  record?: boolean;
  host?: string;
  hostFromPath?: string;
  segment?: string;
  uplink: string[];
  failOn: string;
  window: string;
  flap: string;
  taken?: string;
}

const collect = (v: string, prev: string[]): string[] => [...prev, v];

export function registerObserve(program: Command, ctx: CliContext): void {
  program
    .command('observe')
    .description(
      'set what the network shows (pcap/pcapng, bridge fdb and neighbour JSON, SNMP forwarding tables, DHCP leases, arpwatch) against the configurations, inventory and pools',
    )
    .argument(
      '<source...>',
      'files (kind told from the content, or <kind>:<path>) or snmp://community@host[:port]',
    )
    .option('--scan <scan.json>', 'the intended side: a macfleet scan --json document')
    .option(
      '--db <path|url>',
      'the intended side: the inventory and pools in this store (also where --record writes)',
    )
    .option('--now <time>', 'act as if it were this time (for --since ages and --record)')
    .option(
      '--allow <mac|range>',
      'shared by design: never a duplicate or flap, never unknown (repeatable)',
      collect,
      [],
    )
    .option('--since <time>', 'only sightings at or after this time: ISO or an age (30m, 12h, 7d)')
    .option('--json', 'JSON report: {sources, findings, issues}')
    .option('--record', 'keep the observations in the store (whois and history then show them)')
    .option('--host <name>', 'the host every source came from')
    .option('--host-from-path <pattern>', "host name from each source's path, e.g. '{host}/**' or '{host}.*'")
    .option('--segment <name>', 'the L2 segment every source is on (default: the bridge of fdb entries)')
    .option('--uplink <ifname>', 'this interface faces the network, not a VM (repeatable)', collect, [])
    .option(
      '--taken <time>',
      "when the tables (fdb, neigh) were dumped: ISO or ms (default: each file's modification time)",
    )
    .option('--window <duration>', 'how long a table entry stands for before it was taken', '300s')
    .option('--flap <moves/duration>', 'a flap is this many port moves within this time', '3/60s')
    .option(
      '--fail-on <severity>',
      'exit 1 when a finding is at or above: error, warning, info or none',
      'error',
    )
    .action(async (args: string[], opts: ObserveOpts) => {
      const failOn = opts.failOn.toLowerCase();
      if (failOn !== 'none' && !(SEVERITIES as readonly string[]).includes(failOn)) {
        throw new MacfleetError(
          'INVALID_ARGUMENT',
          `--fail-on: expected error, warning, info or none, got ${JSON.stringify(opts.failOn)}`,
          {
            location: { field: '--fail-on' },
          },
        );
      }
      if (opts.scan !== undefined && opts.db !== undefined && !opts.record)
        throw new MacfleetError('USAGE', 'choose one intended side: --scan or --db');
      const clock = clockFrom(opts.now);
      const allow = opts.allow.map(allowRange);
      const flap = parseFlap(opts.flap);
      const since = opts.since === undefined ? null : parseSince(opts.since, clock.now());
      const sourceOptions = {
        cwd: ctx.io.cwd,
        host: opts.host ?? null,
        hostFromPath: opts.hostFromPath === undefined ? null : hostMatcher(opts.hostFromPath),
        segment: opts.segment ?? null,
        uplinks: opts.uplink,
        takenAt: opts.taken === undefined ? null : clockFrom(opts.taken).now(),
      };
      const sources: ObservedSource[] = [];
      const issues: ObserveIssue[] = [];
      for (const arg of args) {
        const r = await readSource(arg, sourceOptions);
        if (r.source !== null) sources.push(since === null ? r.source : sinceFilter(r.source, since));
        issues.push(...r.issues);
      }
      const set: ObservationSet = { sources, issues };
      const { vendorOf } = await import('../../mac/vendor.js');
      const options = {
        ...DEFAULT_RECONCILE,
        allow,
        snapshotSlackMs: parseDuration(opts.window, '--window'),
        ...flap,
        vendorOf,
      };
      let findings: ObserveFinding[];
      if (opts.scan !== undefined) {
        const file = opts.scan;
        let text: string;
        try {
          text = await readFile(resolve(ctx.io.cwd, file), 'utf8');
        } catch (e) {
          throw new MacfleetError(
            'IO_ERROR',
            `--scan: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
            {
              location: { file },
              cause: e,
            },
          );
        }
        findings = reconcile(set, scanIntended(text, file), options);
        if (opts.record) await withStore(ctx, opts, (store) => recordObservations(store, set, clock.now()));
      } else if (opts.db !== undefined || opts.record) {
        findings = await withStore(ctx, opts, async (store) => {
          const intended = await storeIntended(store, set);
          if (opts.record) await recordObservations(store, set, clock.now());
          return reconcile(set, intended, options);
        });
      } else findings = reconcile(set, { adapters: [], poolHeld: new Map() }, options);

      const report: ObserveReport = { sources, findings, issues };
      if (opts.json) ctx.json(report);
      else ctx.out(renderText(report));
      if (failOn !== 'none') {
        const threshold = severityRank(failOn as Severity);
        if (findings.some((f) => severityRank(f.severity) >= threshold)) ctx.setExitCode(EXIT.findings);
      }
    });
}

function allowRange(text: string): MacRange {
  if (/[-/]/.test(text.replace(/^([0-9a-f]{2}-){5}[0-9a-f]{2}$/i, ''))) return parseMacRange(text);
  const mac = parseMac(text);
  return { start: mac, end: mac };
}

function parseFlap(text: string): { flapMoves: number; flapWindowMs: number } {
  const m = /^(\d+)\/(.+)$/.exec(text.trim());
  if (m === null || Number(m[1]) < 2) {
    throw new MacfleetError(
      'INVALID_ARGUMENT',
      `--flap: expected <moves>/<duration> with at least 2 moves, e.g. 3/60s, got ${JSON.stringify(text)}`,
      {
        location: { field: '--flap' },
      },
    );
  }
  return { flapMoves: Number(m[1]), flapWindowMs: parseDuration(m[2]!, '--flap') };
}

/** Keep only sightings whose last time is at or after `since` (sightings without a time stay). */
function sinceFilter(s: ObservedSource, since: number): ObservedSource {
  const keep = (t: string | null): boolean => t === null || Date.parse(t) >= since;
  return {
    ...s,
    observations: s.observations.filter((o) => keep(o.last)),
    moves: s.moves.filter((m) => keep(m.at)),
  };
}

/** The inventory's adapters (with VM state and segment) and the pool holders of MACs nobody configured. */
async function storeIntended(store: Store, set: ObservationSet): Promise<Intended> {
  const repo = new StoreFleetRepository(store);
  const networks = await repo.listNetworks();
  const segmentOf = new Map(networks.map((n) => [`${n.host}\u0000${n.name}`, n.segment]));
  const adapters: IntendedAdapter[] = [];
  for (const vm of await repo.listVms()) {
    for (const a of vm.adapters) {
      // A Hyper-V dynamic adapter not started yet has no MAC: nothing to see on the wire.
      if (a.mac === null) continue;
      adapters.push({
        mac: a.mac,
        vm: vm.name,
        host: vm.host,
        network: a.network,
        segment: segmentOf.get(`${vm.host}\u0000${a.network}`) ?? a.network,
        vlan: null,
        state: vm.state,
        file: null,
        line: null,
      });
    }
  }
  const known = new Set(adapters.map((a) => a.mac));
  const pools = new PoolStore(store);
  const poolHeld = new Map<Mac, string>();
  const seen = new Set(set.sources.flatMap((s) => s.observations.map((o) => parseMac(o.mac))));
  for (const mac of seen) {
    if (known.has(mac)) continue;
    const who = await pools.whois(mac);
    if (who.holding !== null) poolHeld.set(mac, `${who.holding.state} ${formatMac(mac)}`);
  }
  return { adapters, poolHeld };
}

// Control characters from inputs (port names, file names) never reach the terminal as such.
const safe = (s: string): string =>
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is replaced
  s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

function renderText(r: ObserveReport): string {
  const lines: string[] = [];
  const obs = r.sources.reduce((n, s) => n + s.observations.length, 0);
  const macs = new Set(r.sources.flatMap((s) => s.observations.map((o) => o.mac))).size;
  lines.push(
    `${r.sources.length} source(s), ${obs} observation(s) of ${macs} MAC(s): ${r.sources
      .map((s) => `${safe(s.name)} (${s.kind}${s.frames === undefined ? '' : `, ${s.frames} frames`})`)
      .join(', ')}`,
  );
  if (r.findings.length === 0) lines.push('no findings');
  for (const f of r.findings) {
    lines.push('', `${f.severity.toUpperCase()} ${f.kind} ${f.mac}: ${safe(f.message)}`);
    for (const w of f.where) {
      lines.push(
        `    seen  ${safe(w.host ?? '?')}/${safe(w.port ?? '?')}${w.vlan === null ? '' : ` vlan ${w.vlan}`}${w.segment === null ? '' : ` segment ${safe(w.segment)}`}  ${w.first ?? '?'} .. ${w.last ?? '?'}  (${safe(w.source)})`,
      );
    }
    for (const i of f.intended) {
      lines.push(
        `    conf  ${safe(i.host ?? '?')}/${safe(i.vm)} network ${safe(i.network ?? '?')}${i.file === null ? '' : `  ${safe(i.file)}${i.line === null ? '' : `:${i.line}`}`}`,
      );
    }
  }
  if (r.issues.length > 0) {
    lines.push('', 'issues:');
    for (const i of r.issues)
      lines.push(
        `  ${safe(i.file)}${i.offset === undefined ? '' : ` @${i.offset}`}${i.line === undefined ? '' : `:${i.line}`}: [${i.code}] ${safe(i.message)}`,
      );
  }
  return lines.join('\n');
}
