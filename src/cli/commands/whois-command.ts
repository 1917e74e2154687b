/** `macfleet whois <mac>`: who holds a MAC, which pools cover it, and its history. */
import type { Command } from 'commander';
import { classifyMac, formatMac, parseMac } from '../../mac/index.js';
import { describeHolding } from '../../pool/pool-errors.js';
import { sightingLine, sightingsOf } from '../../store/observation-store.js';
import type { CliContext } from '../context.js';
import { storeCommandOptions, withPools, type StoreOptions } from '../store-options.js';
import { isoTime } from '../../time.js';

export function registerWhois(program: Command, ctx: CliContext): void {
  storeCommandOptions(
    program
      .command('whois')
      .description('show who holds a MAC, the pools that cover it, and everything that happened to it')
      .argument('<mac>', 'the MAC, any notation'),
  ).action(async (text: string, opts: StoreOptions) => {
    const mac = parseMac(text);
    const [who, seen] = await withPools(
      ctx,
      opts,
      async (pools) => [await pools.whois(mac), await sightingsOf(pools.store, mac)] as const,
      'read',
    );
    const kind = classifyMac(mac);
    if (opts.json) {
      ctx.json({
        mac: formatMac(mac),
        holding: who.holding === null ? null : { ...who.holding, mac: formatMac(who.holding.mac) },
        pools: who.pools,
        classification: kind,
        history: who.history.map((h) => ({ ...h, at: isoTime(h.at) })),
        seen: seen.map((s) => ({
          ...s,
          first: isoOrNull(s.first),
          last: isoOrNull(s.last),
          recordedAt: isoTime(s.recordedAt),
        })),
      });
      return;
    }
    const lines = [
      `${formatMac(mac)}  (${formatMac(mac, 'hyphen')})`,
      `  holder   ${who.holding === null ? 'none: free to allocate or reserve' : describeHolding(who.holding)}`,
      `  pools    ${who.pools.length === 0 ? 'none covers it' : who.pools.map((p) => (p.excluded ? `${p.name} (excluded there)` : p.name)).join(', ')}`,
      `  kind     ${kind.description}`,
      `  history  ${who.history.length === 0 ? 'none' : ''}`,
      ...who.history.map(
        (h) =>
          `    ${isoTime(h.at)}  ${h.event.padEnd(9)}${h.pool === null ? '' : ` pool ${h.pool}`}${h.owner === null ? '' : ` owner ${JSON.stringify(h.owner)}`}${h.key === null ? '' : ` key ${JSON.stringify(h.key)}`}`,
      ),
      `  seen     ${seen.length === 0 ? 'never recorded on the wire (macfleet observe --record)' : ''}`,
      ...seen.map((s) => `    ${sightingLine(s)}`),
    ];
    ctx.out(lines.join('\n').replace(/ +$/gm, ''));
  });
}

const isoOrNull = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());
