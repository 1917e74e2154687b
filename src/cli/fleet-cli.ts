/**
 * What the fleet commands share: opening the store and wiring the fleet core to it (MAC sources, clock,
 * actor), option parsers (`on|off`, `--adapter` specs, `--since`), and the human renderings.
 */
import { MacfleetError } from '../errors.js';
import type { AdapterSpec, FleetDeps, Vm, VmwarePolicy } from '../fleet/index.js';
import { adapterMacText } from '../fleet/index.js';
import { parseMac } from '../mac/index.js';
import { MIN_TIME, parseTime } from '../time.js';
import { storeFleetDeps } from '../store/fleet-deps.js';
import type { CliContext } from './context.js';
import { cryptoRandom } from './crypto-random.js';
import {
  clockFrom,
  parseDuration,
  storeCommandOptions,
  withStore,
  type StoreAccess,
  type StoreOptions,
} from './store-options.js';

export type FleetOptions = StoreOptions;

/** Add the options every fleet command takes: `--db`, `--now`, `--json`. */
export const fleetOptions = storeCommandOptions;

/** Open the store, run `fn` with the fleet wired to it (MAC sources, clock, actor), close the store. */
export function withFleet<T>(
  ctx: CliContext,
  opts: FleetOptions,
  fn: (deps: FleetDeps) => Promise<T>,
  access: StoreAccess = 'write',
): Promise<T> {
  const clock = clockFrom(opts.now, access, ctx.io.env);
  const env = ctx.io.env;
  const actor = env['MACFLEET_ACTOR'] ?? env['USER'] ?? env['USERNAME'] ?? 'cli';
  return withStore(
    ctx,
    opts,
    (store) => fn(storeFleetDeps(store, { clock, actor, random: cryptoRandom() })),
    access,
  );
}

export function parseOnOff(value: string, field: string): boolean {
  const v = value.trim().toLowerCase();
  if (v === 'on' || v === 'true' || v === 'yes') return true;
  if (v === 'off' || v === 'false' || v === 'no') return false;
  throw new MacfleetError('INVALID_ARGUMENT', `${field}: expected on or off, got ${JSON.stringify(value)}`, {
    location: { field },
  });
}

export const onOffOption = (field: string) => (value: string) => parseOnOff(value, field);

export function parseAcceptReject(value: string, field: string): boolean {
  const v = value.trim().toLowerCase();
  if (v === 'accept') return true;
  if (v === 'reject') return false;
  return parseOnOff(value, field);
}

const VMWARE_KEYS: Readonly<Record<string, keyof VmwarePolicy>> = {
  promiscuous: 'promiscuous',
  'mac-changes': 'macChanges',
  'forged-transmits': 'forgedTransmits',
};

/**
 * `--adapter <network>[,static=<mac>][,spoofing=on][,dhcp-guard=on][,router-guard=on]
 * [,promiscuous=accept][,mac-changes=accept][,forged-transmits=accept]`
 */
export function parseAdapterSpec(text: string, n: number): AdapterSpec {
  const field = `--adapter #${n}`;
  const [network, ...parts] = text.split(',');
  if (network === undefined || network.trim() === '') {
    throw new MacfleetError(
      'INVALID_ARGUMENT',
      `${field} ${JSON.stringify(text)}: the virtual network name comes first`,
      {
        location: { field },
      },
    );
  }
  let spec: AdapterSpec = { network: network.trim() };
  let vmware: Partial<Record<keyof VmwarePolicy, boolean>> | undefined;
  for (const part of parts) {
    const eq = part.indexOf('=');
    const key = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    const value = eq < 0 ? '' : part.slice(eq + 1).trim();
    const where = `${field} ${key}`;
    if (key === 'static') spec = { ...spec, static: parseMac(value) };
    else if (key === 'spoofing') spec = { ...spec, spoofing: parseOnOff(value, where) };
    else if (key === 'dhcp-guard') spec = { ...spec, dhcpGuard: parseOnOff(value, where) };
    else if (key === 'router-guard') spec = { ...spec, routerGuard: parseOnOff(value, where) };
    else if (VMWARE_KEYS[key] !== undefined)
      vmware = { ...vmware, [VMWARE_KEYS[key]]: parseAcceptReject(value, where) };
    else {
      throw new MacfleetError(
        'INVALID_ARGUMENT',
        `${field} ${JSON.stringify(text)}: unknown setting ${JSON.stringify(key)}; expected static=, spoofing=, dhcp-guard=, router-guard=, promiscuous=, mac-changes=, forged-transmits=`,
        { location: { field } },
      );
    }
  }
  return vmware === undefined ? spec : { ...spec, vmware };
}

/** `--since`: an ISO time (`2026-11-23T09:00Z`, `2026-11-23`) or an age (`90s`, `30m`, `12h`, `7d`). */
export function parseSince(text: string, now: number): number {
  if (/^\d+(ms|s|m|h|d)$/.test(text.trim())) return Math.max(MIN_TIME, now - parseDuration(text, '--since'));
  return parseTime(text, '--since');
}

/** Columns padded to their widest cell. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows
    .map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  '))
    .join('\n');
}

export const onOff = (b: boolean): string => (b ? 'on' : 'off');

const VMWARE_LABELS = {
  promiscuous: 'promiscuous',
  macChanges: 'mac-changes',
  forgedTransmits: 'forged-transmits',
} as const;

/** The human form of a VM: a header line, then one line per adapter. */
export function renderVm(vm: Vm): string {
  const rows = vm.adapters.map((a) => [
    `  #${a.index}`,
    a.network,
    a.mode,
    adapterMacText(a.mac),
    [
      `spoofing ${onOff(a.spoofing)}`,
      ...(a.dhcpGuard ? ['dhcp-guard on'] : []),
      ...(a.routerGuard ? ['router-guard on'] : []),
      ...(a.vmware === null
        ? []
        : (['promiscuous', 'macChanges', 'forgedTransmits'] as const).map(
            (k) => `${VMWARE_LABELS[k]} ${a.vmware![k] ? 'accept' : 'reject'}`,
          )),
    ].join(', '),
  ]);
  const header = `${vm.name} on ${vm.host}: ${vm.state}`;
  return rows.length === 0 ? `${header} (no network adapters)` : `${header}\n${table(rows)}`;
}
