/**
 * `macfleet import <scan.json>`: bring an audit (`macfleet scan --json`) into the inventory. Hosts and
 * networks are created as needed, each VM's adapters are matched by position, and running the same
 * import again changes nothing: a VM is updated where the scan differs, never duplicated. A batch
 * operation: records it cannot use become issues and the rest goes on.
 */
import { shellQuote } from '../escape.js';
import { MacfleetError } from '../errors.js';
import { readScanDocument, readScanValue, type ReadScanAdapter } from '../audit/scan-document.js';
import { segmentOf } from '../audit/index.js';
import { formatMac, HYPER_V_OUI, ouiOf, type Mac } from '../mac/index.js';
import { initialSchemeState } from './hypervisor-source.js';
import {
  adapterMacs,
  knownMacs,
  checkName,
  HYPERVISOR_KINDS,
  type Adapter,
  type Host,
  type HypervisorKind,
  type MacMode,
  type Vm,
  VMWARE_DEFAULT_POLICY,
} from './model.js';
import { FORMAT_HYPERVISOR_KINDS } from '../schemes/index.js';
import { checkStaticMac } from './rules.js';
import { inSession, type FleetDeps, type Session } from './session.js';
import { adapterDetail, vmDetail } from './views.js';

/**
 * One adapter of the scan's `adapters` array, as far as the inventory needs it (the scan document's
 * adapter as read, src/audit/scan-document.ts). Without `segment` the network's segment follows from
 * `hostPrivate`, as the audit's default rule has it.
 */
export type ScanAdapter = Pick<
  ReadScanAdapter,
  'file' | 'line' | 'vm' | 'host' | 'network' | 'mac' | 'mode' | 'hypervisor' | 'enabled' | 'hostPrivate'
> & { readonly segment?: string | null };

export interface ImportIssue {
  readonly file: string;
  readonly line?: number;
  /** Where in the scan document: a JSON path such as `adapters[3].mac`. */
  readonly field?: string;
  readonly code: string;
  readonly message: string;
}

/** The scan's hypervisor names that map to an inventory hypervisor kind. */
const HYPERVISOR_OF: Readonly<Record<string, HypervisorKind>> = {
  ...FORMAT_HYPERVISOR_KINDS,
  ...Object.fromEntries(HYPERVISOR_KINDS.map((k) => [k, k])),
};

/** Network name for adapters the scan found attached to nothing. */
export const NOT_CONNECTED = '(not connected)';

/**
 * Parse the text of a scan JSON document (src/audit/scan-document.ts). Not JSON or no `adapters` array:
 * PARSE_ERROR; a bad adapter is left out with one issue per bad field, named by its JSON path.
 */
export function parseScanJson(
  text: string,
  file: string,
): { adapters: ScanAdapter[]; issues: ImportIssue[] } {
  return importIssues(readScanDocument(text, file), file);
}

/** `parseScanJson` of a document already parsed from JSON (an HTTP body). */
export function parseScanValue(
  doc: unknown,
  file: string,
): { adapters: ScanAdapter[]; issues: ImportIssue[] } {
  return importIssues(readScanValue(doc, file), file);
}

function importIssues(
  { adapters, problems }: ReturnType<typeof readScanValue>,
  file: string,
): { adapters: ScanAdapter[]; issues: ImportIssue[] } {
  return {
    adapters,
    issues: problems.map((p) => ({ file, field: p.field, code: 'PARSE_ERROR', message: p.message })),
  };
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
    const badName = invalidName(a, host);
    if (badName !== undefined) {
      issues.push(badName);
      skipped++;
      continue;
    }
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
      if (a.mode === 'dynamic' && a.mac !== null && ouiOf(a.mac) === HYPER_V_OUI) {
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
    // Writes are batched: VMs are written a thousand at a time (repo.putVms) with the events so far, and
    // before anything reads them back (a dynamic MAC's allocation checks the MACs on the host): few
    // statements, and memory bounded by the batch, not the scan.
    const pending: Vm[] = [];
    const writePending = async (): Promise<void> => {
      if (pending.length > 0) await s.repo.putVms(pending.splice(0));
      await s.flush();
    };
    const hosts = new Map<string, Host | undefined>();
    for (const g of groups.values()) {
      if (pending.length >= 1000) await writePending();
      if (!hosts.has(g.host)) hosts.set(g.host, await ensureHost(s, g, options, issues, count, hyperVHints));
      const host = hosts.get(g.host);
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
          const segment = networkSegment(a, host.name);
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
          if (previous?.mode !== 'dynamic') await writePending();
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
          vmware: host.hypervisor === 'vmware' ? (previous?.vmware ?? VMWARE_DEFAULT_POLICY) : null,
        });
        count.imported++;
      }
      const vm: Vm = { host: host.name, name: g.vm, state: existing?.state ?? 'stopped', adapters };
      if (existing === undefined) {
        for (const a of adapters) logAssigned(s, vm, a, g.adapters[a.index]!.mac === null);
        pending.push(vm);
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
      pending.push(vm);
      count.updated++;
    }
    await writePending();
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

/** The names `vm create` would refuse (control characters, absurd lengths), as a positioned issue. */
function invalidName(a: ScanAdapter, host: string | undefined): ImportIssue | undefined {
  try {
    checkName(a.vm, 'VM name');
    if (host !== undefined) checkName(host, 'host name');
    if (a.network !== null) checkName(a.network, 'network name');
    return undefined;
  } catch (e) {
    if (!(e instanceof MacfleetError)) throw e;
    return { file: a.file, line: a.line, code: e.code, message: e.message };
  }
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
        `a Hyper-V host needs its IPv4 address or MAC range; add it first with macfleet host add ${shellQuote(g.host)} --hypervisor hyper-v --ip <ipv4>`,
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

/**
 * The segment of a network the import creates: the scan's (it applied the segment map), else the audit's
 * default rule for this host. A host-private network of an adapter whose host the scan did not know is
 * named for the host it is imported on; a network shared with no one (not connected, user-mode NAT) is
 * kept apart per host (the findings treat its adapters as sharing nothing).
 */
function networkSegment(a: ScanAdapter, host: string): string {
  if (a.network === null) return `${NOT_CONNECTED} on ${host}`;
  if (typeof a.segment === 'string' && !(a.host === null && a.hostPrivate)) return a.segment;
  const input = { host, network: a.network, hostPrivate: a.hostPrivate };
  return segmentOf(input) ?? `${a.network} on ${host}`;
}
