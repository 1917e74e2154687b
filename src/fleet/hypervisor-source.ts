/**
 * The MAC source that behaves as the host's own hypervisor: Virtual Server's counter over the host's
 * physical NICs, Hyper-V's next-available pointer over its range, and the random-prefix schemes.
 * The scheme state lives in the host record and is returned with each grant to be persisted.
 */
import { MacfleetError } from '../errors.js';
import {
  formatMac,
  ipv4Octets,
  macFromNumber,
  macFromOctets,
  octets,
  parseMac,
  type Mac,
} from '../mac/index.js';
import { randomInt, type Random } from '../random.js';
import type { Host, HypervisorKind, SchemeState } from './model.js';
import type { FleetRepository, MacGrant, MacRequest, MacSource } from './ports.js';

/** Random-prefix schemes: prefix (24 bits) and how many low bits are random. */
const RANDOM_SCHEMES: Partial<Record<HypervisorKind, { prefix: string; bits: number }>> = {
  vmware: { prefix: '00:0c:29:00:00:00', bits: 24 },
  kvm: { prefix: '52:54:00:00:00:00', bits: 24 },
  xen: { prefix: '00:16:3e:00:00:00', bits: 23 },
  virtualbox: { prefix: '08:00:27:00:00:00', bits: 24 },
  proxmox: { prefix: 'bc:24:11:00:00:00', bits: 24 },
};

/** The n-th dynamic MAC of a Virtual Server 2005 R2 host (n from 0), or undefined without a physical NIC. */
export function virtualServerNth(host: Host, n: number): Mac | undefined {
  const eligible = host.nics.filter((nic) => nic.kind === 'physical');
  if (eligible.length === 0) return undefined;
  const nic = eligible[Math.floor(n / 256) % eligible.length]!;
  const o = octets(nic.mac);
  return macFromOctets([0x00, 0x03, 0xff, o[3] ^ (n % 256), o[4], o[5]]);
}

/** The Hyper-V dynamic range of a host: explicit min/max in its scheme state, else from its IPv4. */
export function hyperVRange(host: Host): { min: Mac; max: Mac } {
  const { min, max } = host.scheme;
  if (typeof min === 'string' && typeof max === 'string') return { min: parseMac(min), max: parseMac(max) };
  if (host.ip === null) {
    throw new MacfleetError(
      'INVALID_ARGUMENT',
      `Hyper-V host ${host.name} has neither an IPv4 address nor a MAC range`,
    );
  }
  const [, , c, d] = ipv4Octets(host.ip);
  return {
    min: macFromOctets([0x00, 0x15, 0x5d, c, d, 0x00]),
    max: macFromOctets([0x00, 0x15, 0x5d, c, d, 0xff]),
  };
}

/** The initial scheme state of a fresh host. */
export function initialSchemeState(
  host: Omit<Host, 'scheme'>,
  options: { min?: Mac; max?: Mac } = {},
): SchemeState {
  switch (host.hypervisor) {
    case 'virtual-server':
      return { counter: 0 };
    case 'hyper-v': {
      const explicit =
        options.min !== undefined && options.max !== undefined
          ? { min: formatMac(options.min), max: formatMac(options.max) }
          : {};
      const { min } = hyperVRange({ ...host, scheme: explicit });
      return { ...explicit, next: formatMac(min) };
    }
    default:
      return {};
  }
}

async function macsOnHost(repo: FleetRepository, host: string): Promise<Set<Mac>> {
  const used = new Set<Mac>();
  for (const vm of await repo.listVms(host)) for (const a of vm.adapters) used.add(a.mac);
  return used;
}

/** The hypervisor's own scheme as a MacSource for one host. */
export function hypervisorMacSource(repo: FleetRepository, random: Random): MacSource {
  return {
    async allocate(req: MacRequest): Promise<MacGrant> {
      const { host } = req;
      const source = `hypervisor:${host.hypervisor}`;
      if (host.hypervisor === 'virtual-server') {
        // Virtual Server hands out the next counter value without looking at what is in use: that is
        // exactly how its duplicates arise. Only the MAC that just conflicted is stepped over.
        let counter = typeof host.scheme.counter === 'number' ? host.scheme.counter : 0;
        for (let tries = 0; tries < 65_536; tries++) {
          const mac = virtualServerNth(host, counter) ?? randomIn(random, 0x0003ff000000, 24);
          counter++;
          if (!req.avoid.has(mac)) return { mac, source, scheme: { ...host.scheme, counter } };
        }
        throw new MacfleetError(
          'POOL_EXHAUSTED',
          `Virtual Server host ${host.name}: every dynamic MAC is to be avoided`,
        );
      }
      const used = await macsOnHost(repo, host.name);
      if (host.hypervisor === 'hyper-v') {
        const { min, max } = hyperVRange(host);
        const size = max - min + 1;
        const next = typeof host.scheme.next === 'string' ? parseMac(host.scheme.next) : min;
        const start = next < min || next > max ? 0 : next - min;
        for (let i = 0; i < size; i++) {
          const mac = macFromNumber(min + ((start + i) % size));
          if (used.has(mac) || req.avoid.has(mac)) continue;
          const after = macFromNumber(min + ((start + i + 1) % size));
          return { mac, source, scheme: { ...host.scheme, next: formatMac(after) } };
        }
        throw new MacfleetError(
          'POOL_EXHAUSTED',
          `Hyper-V host ${host.name}: all ${size} MACs of ${formatMac(min)}..${formatMac(max)} are in use`,
        );
      }
      const scheme = RANDOM_SCHEMES[host.hypervisor]!;
      const base = parseMac(scheme.prefix);
      for (let tries = 0; tries < 1000; tries++) {
        const mac = randomIn(random, base, scheme.bits);
        if (!used.has(mac) && !req.avoid.has(mac)) return { mac, source };
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

function randomIn(random: Random, base: number, bits: number): Mac {
  return macFromNumber(base + randomInt(random, 2 ** bits));
}

/** Rule 5: is this dynamic MAC outside the range the host hands out now (Hyper-V only)? */
export function outsideHostRange(host: Host, mac: Mac): boolean {
  if (host.hypervisor !== 'hyper-v') return false;
  const { min, max } = hyperVRange(host);
  return mac < min || mac > max;
}
