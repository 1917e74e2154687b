/** One Hyper-V network adapter record, shared by the JSON and CSV exports of Get-VMNetworkAdapter. */
import type { FormatContext } from '../format-context.js';
import type { AdapterRecord } from '../types.js';

export interface HypervFields {
  readonly vmName: string | undefined;
  readonly name: string | undefined;
  readonly switchName: string | undefined;
  readonly computerName: string | undefined;
  readonly isManagementOs: boolean;
  readonly dynamic: boolean | undefined;
  readonly spoofing: boolean | undefined;
  /** The MacAddress value and its offset (inside quotes). */
  readonly mac: { readonly value: string; readonly offset: number } | undefined;
  readonly rowOffset: number;
}

export function hypervRecord(ctx: FormatContext, f: HypervFields): AdapterRecord {
  const raw = f.mac?.value.trim() ?? '';
  const lead = f.mac ? f.mac.value.length - f.mac.value.trimStart().length : 0;
  // A dynamic adapter of a VM never started shows 000000000000: no MAC assigned yet.
  const unassigned = raw === '' || /^0{12}$/.test(raw);
  if (!f.mac) ctx.issue('MISSING_FIELD', 'Hyper-V adapter without a MacAddress property', f.rowOffset);
  const mac = unassigned ? null : ctx.mac(raw, f.mac!.offset + lead, 'MacAddress');
  const where = ctx.span(mac !== null ? f.mac!.offset + lead : f.rowOffset, mac !== null ? raw.length : 0);
  const switchName = f.switchName?.trim() || null;
  return {
    file: ctx.file,
    line: where.line,
    column: where.column,
    vm: f.isManagementOs ? '(management OS)' : f.vmName?.trim() || '(unnamed VM)',
    adapter: f.name?.trim() || 'Network Adapter',
    mac,
    macText: mac !== null ? raw : null,
    macSpan: mac !== null ? where : null,
    mode: f.dynamic === true ? 'dynamic' : f.dynamic === false ? 'static' : 'unknown',
    network: switchName,
    // The "Default Switch" (Windows 10 1709+ / Server 2019) is a NAT switch private to each host.
    hostPrivate: switchName === 'Default Switch',
    hypervisor: 'hyper-v',
    host: f.computerName?.trim() || null,
    enabled: true,
    ...(f.spoofing === undefined ? {} : { macSpoofing: f.spoofing }),
  };
}
