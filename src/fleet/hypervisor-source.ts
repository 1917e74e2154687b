/**
 * The MAC source that behaves as the host's own hypervisor, on the models of src/schemes: Virtual
 * Server's counter over the host's physical NICs, Hyper-V's next-available cursor over its range, and
 * the random-prefix schemes (VMware generated, libvirt, Xen, VirtualBox, Proxmox). The scheme state
 * (`counter`, `cursor`, an explicit Hyper-V `min`/`max`) lives in the host record and is returned with
 * each grant to be persisted.
 */
import { MacfleetError } from '../errors.js';
import { formatMac, macFromNumber, parseMac, rangeContains, type Mac, type MacRange } from '../mac/index.js';
import { randomInt, type Random } from '../random.js';
import {
  hyperVNextFree,
  hyperVPool,
  hyperVPoolFromIpv4,
  libvirtScheme,
  profileOf,
  proxmoxEffectivePrefix,
  proxmoxRange,
  proxmoxScheme,
  proxmoxUnprefixedMac,
  randomMacOf,
  virtualBoxScheme,
  virtualServerMac,
  VMWARE_GENERATED_RANGE,
  xenScheme,
  type Scheme,
} from '../schemes/index.js';
import type { Host, HypervisorKind, SchemeState } from './model.js';
import type { FleetRepository, MacGrant, MacRequest, MacSource } from './ports.js';

/** The scheme settings a hypervisor's host may carry in its scheme state (`host add` options). */
const SCHEME_SETTINGS: Partial<Record<HypervisorKind, readonly string[]>> = {
  'hyper-v': ['min', 'max'],
  proxmox: ['macPrefix'],
};
export const hasSchemeSetting = (kind: HypervisorKind, setting: string): boolean =>
  SCHEME_SETTINGS[kind]?.includes(setting) ?? false;

/**
 * The random-prefix scheme of a host, or undefined for Virtual Server, Hyper-V and a Proxmox VE host
 * before 8.1 without a `mac_prefix` (fully random locally administered addresses).
 */
function randomScheme(host: Host): Scheme | MacRange | undefined {
  switch (host.hypervisor) {
    // Host-generated VMware MACs derive from the VM's BIOS UUID, itself random: 24 random bits.
    case 'vmware':
      return VMWARE_GENERATED_RANGE;
    case 'kvm':
      return libvirtScheme();
    case 'xen':
      return xenScheme();
    case 'virtualbox':
      return virtualBoxScheme();
    case 'proxmox': {
      const prefix = proxmoxEffectivePrefix(proxmoxPrefixSetting(host), host.version);
      return prefix === null ? undefined : proxmoxScheme(prefix);
    }
    default:
      return undefined;
  }
}

const proxmoxPrefixSetting = (host: Host): string | null =>
  typeof host.scheme.macPrefix === 'string' ? host.scheme.macPrefix : null;

/** The Hyper-V dynamic range of a host: an explicit min/max in its scheme state, else from its IPv4. */
export function hyperVRange(host: Host): MacRange {
  const { min, max } = host.scheme;
  if (typeof min === 'string' && typeof max === 'string') return hyperVPool(parseMac(min), parseMac(max));
  if (host.ip === null) {
    throw new MacfleetError(
      'INVALID_ARGUMENT',
      `Hyper-V host ${host.name} has neither an IPv4 address nor a MAC range`,
    );
  }
  return hyperVPoolFromIpv4(host.ip);
}

/** The initial scheme state of a fresh host (Virtual Server counter 0; Hyper-V with no cursor yet). */
export function initialSchemeState(
  host: Omit<Host, 'scheme'>,
  options: { min?: Mac; max?: Mac; macPrefix?: string } = {},
): SchemeState {
  switch (host.hypervisor) {
    case 'proxmox':
      if (options.macPrefix === undefined) return {};
      proxmoxRange(options.macPrefix);
      return { macPrefix: options.macPrefix.trim().toUpperCase() };
    case 'virtual-server':
      return { counter: 0 };
    case 'hyper-v': {
      const explicit =
        options.min !== undefined && options.max !== undefined
          ? { min: formatMac(options.min), max: formatMac(options.max) }
          : {};
      hyperVRange({ ...host, scheme: explicit });
      return explicit;
    }
    default:
      return {};
  }
}

/** The hypervisor's own scheme as a MacSource. */
export function hypervisorMacSource(repo: FleetRepository, random: Random): MacSource {
  return {
    async allocate(req: MacRequest): Promise<MacGrant> {
      const { host } = req;
      const source = `hypervisor:${host.hypervisor}`;
      if (host.hypervisor === 'virtual-server') {
        // Virtual Server hands out the next counter value without looking at what is in use: that is
        // exactly how its duplicates arise. Only MACs the caller must avoid (a conflict) are stepped over.
        let counter = typeof host.scheme.counter === 'number' ? host.scheme.counter : 0;
        for (let tries = 0; tries < 65_536; tries++) {
          const mac = virtualServerMac(host.nics, counter, random);
          counter++;
          if (!req.avoid.has(mac)) return { mac, source, scheme: { ...host.scheme, counter } };
        }
        throw new MacfleetError(
          'POOL_EXHAUSTED',
          `Virtual Server host ${host.name}: every dynamic MAC is to be avoided`,
        );
      }
      if (host.hypervisor === 'hyper-v') {
        const pool = hyperVRange(host);
        const used = await repo.macsOnHost(host.name, pool);
        const inUse = { has: (m: Mac) => used.has(m) || req.avoid.has(m) };
        const cursor = typeof host.scheme.cursor === 'string' ? parseMac(host.scheme.cursor) : undefined;
        const mac = hyperVNextFree(pool, cursor, inUse);
        if (mac === undefined) {
          throw new MacfleetError(
            'POOL_EXHAUSTED',
            `Hyper-V host ${host.name}: all ${pool.end - pool.start + 1} MACs of ${formatMac(pool.start)}..${formatMac(pool.end)} are in use`,
          );
        }
        return { mac, source, scheme: { ...host.scheme, cursor: formatMac(mac) } };
      }
      const scheme = randomScheme(host);
      if (scheme === undefined) {
        // Proxmox VE before 8.1 without mac_prefix: random_ether_addr's 46 random bits, checked by nobody.
        return { mac: proxmoxUnprefixedMac(random), source };
      }
      const range = 'sets' in scheme ? undefined : scheme;
      const used = await repo.macsOnHost(host.name, range);
      const inUse = { has: (m: Mac) => used.has(m) || req.avoid.has(m) };
      for (let tries = 0; tries < 1000; tries++) {
        const mac =
          'sets' in scheme
            ? randomMacOf(scheme, random)
            : macFromNumber(scheme.start + randomInt(random, scheme.end - scheme.start + 1));
        // libvirt, VirtualBox and Proxmox check the MACs of their own host before they use one.
        if (!inUse.has(mac)) return { mac, source };
      }
      throw new MacfleetError(
        'POOL_EXHAUSTED',
        `${host.hypervisor} host ${host.name}: no free random MAC found`,
      );
    },
    release(): Promise<void> {
      // Hypervisor schemes keep no ledger: a MAC no adapter holds is free again by construction.
      return Promise.resolve();
    },
  };
}

/**
 * Rule 5: is this dynamic MAC outside the range the host hands out now, on a hypervisor that replaces
 * such MACs at the next start (the profile's dynamicReplacedOutsideRange: Hyper-V)?
 */
export function outsideHostRange(host: Host, mac: Mac): boolean {
  return profileOf(host.hypervisor).dynamicReplacedOutsideRange && !rangeContains(hyperVRange(host), mac);
}
