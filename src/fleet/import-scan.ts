/**
 * `macfleet import <scan.json>`: bring an audit (`macfleet scan --json`) into the inventory. Hosts and
 * networks are created as needed, each VM's adapters are matched by position, and running the same
 * import again changes nothing: a VM is updated where the scan differs, never duplicated. A batch
 * operation: records it cannot use become issues and the rest goes on.
 */
import { MacfleetError } from '../errors.js';
import { formatMac, parseMac, type Mac } from '../mac/index.js';
import { initialSchemeState } from './hypervisor-source.js';
import {
  adapterMacs,
  knownMacs,
  HYPERVISOR_KINDS,
  type Adapter,
  type Host,
  type HypervisorKind,
  type MacMode,
  type Vm,
} from './model.js';
import { FORMAT_HYPERVISOR_KINDS } from '../schemes/index.js';
import { checkStaticMac } from './rules.js';
import { inSession, type FleetDeps, type Session } from './session.js';
import { adapterDetail, vmDetail } from './views.js';

/** One adapter of the scan's `adapters` array, as far as the inventory needs it. */
export interface ScanAdapter {
  readonly file: string;
  readonly line: number;
  readonly vm: string;
  readonly host: string | null;
  readonly network: string | null;
  readonly mac: Mac | null;
  readonly mode: 'static' | 'dynamic' | 'unknown';
  readonly hypervisor: string;
  readonly enabled: boolean;
  /** A network private to its host by nature (NAT, host-only, libvirt `default`, Hyper-V Default Switch). */
  readonly hostPrivate: boolean;
}

export interface ImportIssue {
  readonly file: string;
  readonly line?: number;
  readonly field?: string;
  readonly code: string;
  readonly message: string;
}

/** The scan's hypervisor names that map to an inventory hypervisor kind. */
const HYPERVISOR_OF: Readonly<Record<string, HypervisorKind>> = {
  ...FORMAT_HYPERVISOR_KINDS,
  ...Object.fromEntries(HYPERVISOR_KINDS.map((k) => [k, k])),
};

/** Host-private networks the scan names without saying so (older scans have no `hostPrivate`). */
function privateByName(hypervisor: string | null | undefined, network: string | null | undefined): boolean {
  if (network === null || network === undefined) return false;
  switch (hypervisor) {
    case 'hyper-v':
      return network === 'Default Switch';
    case 'libvirt':
      return network === 'default';
    case 'virtualbox':
    case 'ovf':
      return network === 'NAT';
    case 'virtual-server':
      return /^internal network$/i.test(network);
    case 'vmware':
      return /^(nat|hostonly|vmnet1|vmnet8)$/i.test(network);
    default:
      return false;
  }
}

/** Network name for adapters the scan found attached to nothing. */
export const NOT_CONNECTED = '(not connected)';

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parse the text of a scan JSON document; shape errors name the field (`adapters[3].mac`). */
export function parseScanJson(
  text: string,
  file: string,
): { adapters: ScanAdapter[]; issues: ImportIssue[] } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new MacfleetError('PARSE_ERROR', `${file}: not JSON: ${(e as Error).message}`, {
      location: { file },
      cause: e,
    });
  }
  if (!isObject(doc) || !Array.isArray(doc['adapters'])) {
    throw new MacfleetError(
      'PARSE_ERROR',
      `${file}: expected the output of macfleet scan --json, an object with an "adapters" array`,
      {
        location: { file, field: 'adapters' },
      },
    );
  }
  const adapters: ScanAdapter[] = [];
  const issues: ImportIssue[] = [];
  doc['adapters'].forEach((raw: unknown, i) => {
    const field = `adapters[${i}]`;
    const bad = (what: string): void => {
      issues.push({ file, field, code: 'PARSE_ERROR', message: `${field}: ${what}` });
    };
    if (!isObject(raw)) return bad('expected an object');
    const str = (k: string): string | null | undefined =>
      typeof raw[k] === 'string' ? raw[k] : raw[k] === null ? null : undefined;
    const vm = str('vm');
    const sourceFile = str('file') ?? file;
    const line = typeof raw['line'] === 'number' ? raw['line'] : 0;
    const mode = str('mode');
    if (vm === undefined || vm === null || vm === '') return bad('"vm" must be a non-empty string');
    if (mode !== 'static' && mode !== 'dynamic' && mode !== 'unknown')
      return bad('"mode" must be static, dynamic or unknown');
    let mac: Mac | null = null;
    const macText = str('mac');
    if (macText !== null && macText !== undefined) {
      try {
        mac = parseMac(macText);
      } catch (e) {
        return bad(`"mac": ${(e as Error).message}`);
      }
    } else if (macText === undefined) return bad('"mac" must be a MAC string or null');
    adapters.push({
      file: sourceFile,
      line,
      vm,
      host: str('host') ?? null,
      network: str('network') ?? null,
      mac,
      mode,
      hypervisor: str('hypervisor') ?? 'unknown',
      enabled: raw['enabled'] !== false,
      hostPrivate:
        typeof raw['hostPrivate'] === 'boolean'
          ? raw['hostPrivate']
          : privateByName(str('hypervisor'), str('network')),
    });
  });
  return { adapters, issues };
}

export interface ImportOptions {
  /** Host for adapters whose file does not name one. */
  readonly host?: string;
  /** Hypervisor of hosts to create when the scan's format does not say (OVF, inventory CSV). */
  readonly hypervisor?: HypervisorKind;
}

export interface ImportResult {
  readonly hosts: { readonly created: number };
  readonly networks: { readonly created: number };
  readonly vms: { readonly created: number; readonly updated: number; readonly unchanged: number };
  readonly adapters: { readonly imported: number; readonly skipped: number };
  readonly issues: readonly ImportIssue[];
}

interface VmGroup {
  host: string;
  hypervisor: string;
  vm: string;
  adapters: ScanAdapter[];
}

/** Import scan adapters into the inventory in one transaction (see the file comment). */
export function importScan(
  deps: FleetDeps,
  scan: readonly ScanAdapter[],
  options: ImportOptions = {},
  parseIssues: readonly ImportIssue[] = [],
): Promise<ImportResult> {
  const issues: ImportIssue[] = [...parseIssues];
  const groups = new Map<string, VmGroup>();
  let skipped = 0;
  for (const a of scan) {
    if (!a.enabled) {
      skipped++;
      continue;
    }
    const host = a.host ?? options.host;
    if (host === undefined) {
      issues.push({
        file: a.file,
        line: a.line,
        code: 'USAGE',
        message: `${a.vm}: the scan does not say which host it is on; pass --host`,
      });
      skipped++;
      continue;
    }
    const key = `${host}\u0000${a.vm}`;
    const group = groups.get(key) ?? { host, hypervisor: a.hypervisor, vm: a.vm, adapters: [] };
    group.adapters.push(a);
    groups.set(key, group);
  }
  // Any dynamic 00-15-5D MAC seen on a host, to give a Hyper-V host created by the import its pool.
  const hyperVHints = new Map<string, Mac>();
  for (const g of groups.values()) {
    for (const a of g.adapters) {
      if (a.mode === 'dynamic' && a.mac !== null && Math.floor(a.mac / 2 ** 24) === 0x00155d) {
        if (!hyperVHints.has(g.host)) hyperVHints.set(g.host, a.mac);
      }
    }
  }
  return inSession(deps, async (s) => {
    const count = {
      hosts: 0,
      networks: 0,
      created: 0,
      updated: 0,
      unchanged: 0,
      imported: 0,
      refused: new Set<string>(),
    };
    // One read per host of its VMs and networks, not one per VM and adapter: imports are big.
    const known = new Map<string, { vms: Map<string, Vm>; networks: Set<string> }>();
    const inventoryOf = async (host: string) => {
      let entry = known.get(host);
      if (entry === undefined) {
        entry = {
          vms: new Map((await s.repo.listVms(host)).map((v) => [v.name, v])),
          networks: new Set((await s.repo.listNetworks(host)).map((n) => n.name)),
        };
        known.set(host, entry);
      }
      return entry;
    };
    for (const g of groups.values()) {
      const host = await ensureHost(s, g, options, issues, count, hyperVHints);
      if (host === undefined) {
        skipped += g.adapters.length;
        continue;
      }
      const inventory = await inventoryOf(host.name);
      const existing = inventory.vms.get(g.vm);
      const adapters: Adapter[] = [];
      for (const a of g.adapters) {
        const index = adapters.length;
        const network = a.network ?? NOT_CONNECTED;
        if (!inventory.networks.has(network)) {
          inventory.networks.add(network);
          // As the audit names segments: a host-private network is a segment of its own on each host.
          const segment = network === NOT_CONNECTED || a.hostPrivate ? `${network} on ${host.name}` : network;
          await s.repo.putNetwork({ host: host.name, name: network, nic: null, segment });
          s.emit('network.added', { host: host.name }, null, { name: network, segment, imported: true }, []);
          count.networks++;
        }
        const mode: MacMode = a.mode === 'dynamic' || a.mac === null ? 'dynamic' : 'static';
        const previous = existing?.adapters.find((x) => x.index === index);
        let mac = a.mac;
        if (mac !== null && mode === 'static') {
          try {
            checkStaticMac(host, mac, `${a.vm} adapter ${index}`);
          } catch (e) {
            // The scan's findings already report it; the inventory records the MAC as the file has it.
            issues.push({ file: a.file, line: a.line, code: 'INVALID_MAC', message: (e as Error).message });
          }
        }
        if (mac === null) {
          // "Regenerate at next start": keep what the inventory gave it before, else allocate (rule 1).
          mac =
            previous?.mode === 'dynamic'
              ? previous.mac
              : await s.assignDynamic(host.name, g.vm, index, network, previous?.mac ?? null, 'imported');
        }
        adapters.push({
          index,
          network,
          mode,
          mac,
          spoofing: previous?.spoofing ?? false,
          dhcpGuard: previous?.dhcpGuard ?? false,
          routerGuard: previous?.routerGuard ?? false,
          vmware:
            host.hypervisor === 'vmware'
              ? (previous?.vmware ?? { promiscuous: false, macChanges: false, forgedTransmits: false })
              : null,
        });
        count.imported++;
      }
      const vm: Vm = { host: host.name, name: g.vm, state: existing?.state ?? 'stopped', adapters };
      if (existing === undefined) {
        for (const a of adapters) logAssigned(s, vm, a, g.adapters[a.index]!.mac === null);
        await s.repo.putVm(vm);
        s.emit(
          'vm.imported',
          { host: vm.host, vm: vm.name },
          null,
          { ...vmDetail(vm), file: g.adapters[0]!.file },
          adapterMacs(adapters),
        );
        count.created++;
        continue;
      }
      if (JSON.stringify(vmDetail(existing)) === JSON.stringify(vmDetail(vm))) {
        count.unchanged++;
        continue;
      }
      const indexes = new Set([...existing.adapters, ...adapters].map((a) => a.index));
      for (const index of [...indexes].sort((x, y) => x - y)) {
        const before = existing.adapters.find((a) => a.index === index);
        const after = adapters.find((a) => a.index === index);
        if (JSON.stringify(before && adapterDetail(before)) === JSON.stringify(after && adapterDetail(after)))
          continue;
        s.emit(
          'adapter.updated',
          { host: vm.host, vm: vm.name, adapter: index },
          before === undefined ? null : adapterDetail(before),
          after === undefined ? null : { ...adapterDetail(after), reason: 'imported' },
          knownMacs(before?.mac ?? null, after?.mac ?? null),
        );
        if (after !== undefined && after.mac !== before?.mac && g.adapters[index]!.mac !== null) {
          logAssigned(s, vm, after, false, before?.mac ?? undefined);
        }
      }
      await s.repo.putVm(vm);
      count.updated++;
    }
    return {
      hosts: { created: count.hosts },
      networks: { created: count.networks },
      vms: { created: count.created, updated: count.updated, unchanged: count.unchanged },
      adapters: { imported: count.imported, skipped },
      issues,
    };
  });
}

/** `adapter.mac_assigned` for a MAC the scan found (allocated ones were logged when allocated). */
function logAssigned(s: Session, vm: Vm, a: Adapter, allocated: boolean, before?: Mac): void {
  if (allocated || a.mac === null) return;
  s.emit(
    'adapter.mac_assigned',
    { host: vm.host, vm: vm.name, adapter: a.index },
    before === undefined ? null : { mac: formatMac(before) },
    { mac: formatMac(a.mac), mode: a.mode, network: a.network, source: 'imported', reason: 'imported' },
    before === undefined ? [a.mac] : [before, a.mac],
  );
}

async function ensureHost(
  s: Session,
  g: VmGroup,
  options: ImportOptions,
  issues: ImportIssue[],
  count: { hosts: number; refused: Set<string> },
  hyperVHints: ReadonlyMap<string, Mac>,
): Promise<Host | undefined> {
  const found = await s.repo.getHost(g.host);
  if (found !== undefined) return s.host(g.host);
  if (count.refused.has(g.host)) return undefined;
  const hypervisor = HYPERVISOR_OF[g.hypervisor] ?? options.hypervisor;
  const first = g.adapters[0]!;
  const refuse = (message: string): undefined => {
    count.refused.add(g.host);
    issues.push({ file: first.file, line: first.line, code: 'USAGE', message: `host ${g.host}: ${message}` });
    return undefined;
  };
  if (hypervisor === undefined) {
    return refuse(
      `the ${g.hypervisor} format does not say which hypervisor runs it; add the host first (macfleet host add) or pass --hypervisor`,
    );
  }
  let range: { min?: Mac; max?: Mac } = {};
  if (hypervisor === 'hyper-v') {
    // A Hyper-V dynamic MAC 00-15-5D-XX-YY-ZZ names the host's pool 00-15-5D-XX-YY-00..FF.
    const hint = hyperVHints.get(g.host);
    if (hint === undefined) {
      return refuse(
        `a Hyper-V host needs its IPv4 address or MAC range; add it first with macfleet host add ${g.host} --hypervisor hyper-v --ip <ipv4>`,
      );
    }
    const min = Math.floor(hint / 256) * 256;
    range = { min: min as Mac, max: (min + 255) as Mac };
  }
  const base = {
    name: g.host,
    hypervisor,
    nics: [],
    ip: null,
    allocation: { kind: 'hypervisor' as const },
    version: null,
  };
  const host: Host = { ...base, scheme: initialSchemeState(base, range) };
  await s.savedHost(host);
  s.emit(
    'host.added',
    { host: host.name },
    null,
    { hypervisor, imported: true, file: first.file, scheme: host.scheme },
    [],
  );
  count.hosts++;
  return host;
}
