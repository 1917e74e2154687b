/**
 * PowerShell for adapters whose configuration lives on a Hyper-V host (the JSON/CSV exports are only a
 * copy of it). `Set-VMNetworkAdapter -VMName <vm> -Name <adapter> -ComputerName <host>` with
 * `-StaticMacAddress <12 hex digits>` or `-DynamicMacAddress` (Hyper-V module; see
 * https://learn.microsoft.com/powershell/module/hyper-v/set-vmnetworkadapter, and the xHyper-V DSC
 * resource MSFT_xVMNetworkAdapter.psm1, which calls it the same way with -VMName and -Name). The VM must
 * be off to change its MAC settings.
 */
import { formatMac, type Mac } from '../mac/index.js';

/** A PowerShell single-quoted string: only `'` is special (doubled); the typographic quotes too. */
export const psQuote = (s: string): string => `'${s.replace(/['\u2018\u2019\u201a\u201b]/g, (q) => q + q)}'`;

export function setVmNetworkAdapter(a: {
  readonly vm: string;
  readonly adapter: string;
  readonly host: string | null;
  readonly mac: Mac | null;
}): string {
  const target =
    a.vm === '(management OS)'
      ? `-ManagementOS -Name ${psQuote(a.adapter)}`
      : `-VMName ${psQuote(a.vm)} -Name ${psQuote(a.adapter)}`;
  const host = a.host === null ? '' : ` -ComputerName ${psQuote(a.host)}`;
  const mac =
    a.mac === null ? '-DynamicMacAddress' : `-StaticMacAddress ${psQuote(formatMac(a.mac, 'bare'))}`;
  return `Set-VMNetworkAdapter ${target}${host} ${mac}`;
}

/** A script of the commands, stopping at the first error. */
export function powershellScript(commands: readonly string[], header: string): string {
  return [
    `# ${header}`,
    '# Run on a machine with the Hyper-V module, with the VMs turned off.',
    "$ErrorActionPreference = 'Stop'",
    ...commands,
    '',
  ].join('\r\n');
}
