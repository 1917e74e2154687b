/**
 * Hyper-V `Get-VMNetworkAdapter | ConvertTo-Json` output: one object or an array of objects with
 * VMName, Name, SwitchName, MacAddress (12 hex digits), DynamicMacAddressEnabled, MacAddressSpoofing
 * (ConvertTo-Json writes the OnOffState enum as a number: On = 1, Off = 2; strings are accepted too),
 * ComputerName (the host) and IsManagementOs.
 */
import { FormatContext } from '../format-context.js';
import type { AdapterRecord, ParseOptions, ParseResult } from '../types.js';
import { hypervRecord } from './hyperv-record.js';
import { scanJsonRecords } from './json-scan.js';

/** Parse ConvertTo-Json output of Get-VMNetworkAdapter. */
export function parseHypervJson(text: string, options?: ParseOptions): ParseResult {
  const ctx = new FormatContext(text, options);
  const adapters: AdapterRecord[] = [];
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const at = /position (\d+)/.exec(msg);
    ctx.issue(
      'PARSE_ERROR',
      `malformed JSON: ${msg}`,
      at ? Number(at[1]) + (text.startsWith('\uFEFF') ? 1 : 0) : text.length,
    );
    return { adapters, issues: ctx.issues };
  }
  const records = Array.isArray(value) ? (value as unknown[]) : [value];
  const positions = scanJsonRecords(text);
  records.forEach((rec, k) => {
    const pos = positions[k];
    const start = pos?.start ?? 0;
    if (rec === null || typeof rec !== 'object' || Array.isArray(rec)) {
      ctx.issue(
        'PARSE_ERROR',
        `element ${k}: expected an object with the properties of a VMNetworkAdapter`,
        start,
      );
      return;
    }
    const o = rec as Record<string, unknown>;
    const str = (key: string): string | undefined => (typeof o[key] === 'string' ? o[key] : undefined);
    const macValue = o['MacAddress'];
    const macOffset = pos?.values.get('MacAddress');
    if (macValue !== undefined && typeof macValue !== 'string') {
      ctx.issue(
        'INVALID_MAC',
        `element ${k}: MacAddress must be a string of 12 hex digits`,
        macOffset ?? start,
      );
      return;
    }
    adapters.push(
      hypervRecord(ctx, {
        vmName: str('VMName'),
        name: str('Name'),
        switchName: str('SwitchName'),
        computerName: str('ComputerName'),
        isManagementOs: o['IsManagementOs'] === true,
        dynamic:
          typeof o['DynamicMacAddressEnabled'] === 'boolean' ? o['DynamicMacAddressEnabled'] : undefined,
        spoofing: onOff(o['MacAddressSpoofing']),
        mac: typeof macValue === 'string' ? { value: macValue, offset: macOffset ?? start } : undefined,
        rowOffset: start,
      }),
    );
  });
  return { adapters, issues: ctx.issues };
}

function onOff(v: unknown): boolean | undefined {
  if (v === 1 || v === true || v === 'On') return true;
  if (v === 2 || v === false || v === 'Off') return false;
  return undefined;
}
