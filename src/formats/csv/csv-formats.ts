/**
 * Two CSV formats: Hyper-V `Get-VMNetworkAdapter | Export-Csv` output (with or without the `#TYPE`
 * first line; PowerShell quotes every field) and the plain inventory `host,vm,adapter,network,mac[,mode]`
 * for anything else.
 */
import { FormatContext, isFalse, isTrue } from '../format-context.js';
import { hypervRecord } from '../hyperv/hyperv-record.js';
import type { AdapterRecord, FormatName, MacMode, ParseOptions, ParseResult } from '../types.js';
import { readCsv, type CsvRow } from './csv-text.js';

const INVENTORY_COLUMNS = ['host', 'vm', 'adapter', 'network', 'mac'] as const;

/** Which CSV format a head of text is, if any. */
export function sniffCsvFormat(head: string): FormatName | undefined {
  const lines = head.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = (lines[0]?.startsWith('#TYPE') ? lines[1] : lines[0]) ?? '';
  const cols = header.split(',').map((c) => c.trim().replace(/^"|"$/g, '').toLowerCase());
  if (cols.includes('macaddress') && (cols.includes('vmname') || cols.includes('switchname')))
    return 'hyperv-csv';
  if (INVENTORY_COLUMNS.every((c, i) => cols[i] === c)) return 'inventory-csv';
  return undefined;
}

function rowsWithHeader(ctx: FormatContext, skipType: boolean): { header: string[]; rows: CsvRow[] } | null {
  let start = ctx.text.startsWith('\uFEFF') ? 1 : 0;
  if (skipType && ctx.text.startsWith('#TYPE', start)) {
    const nl = ctx.text.indexOf('\n', start);
    start = nl < 0 ? ctx.text.length : nl + 1;
  }
  const { rows, error } = readCsv(ctx.text, start);
  if (error) ctx.issue('PARSE_ERROR', `CSV: ${error.message}`, error.offset);
  const headerRow = rows.shift();
  if (!headerRow) {
    ctx.issue('PARSE_ERROR', 'CSV: no header row', start);
    return null;
  }
  return {
    header: headerRow.fields.map((f) => f.value.trim().toLowerCase()),
    rows: rows.filter((r) => r.fields.some((f) => f.value.trim() !== '')),
  };
}

/** Parse Hyper-V Export-Csv output. */
export function parseHypervCsv(text: string, options?: ParseOptions): ParseResult {
  const ctx = new FormatContext(text, options);
  const adapters: AdapterRecord[] = [];
  const table = rowsWithHeader(ctx, true);
  if (!table) return { adapters, issues: ctx.issues };
  const col = (name: string) => table.header.indexOf(name.toLowerCase());
  if (col('MacAddress') < 0) {
    ctx.issue('MISSING_FIELD', 'Hyper-V CSV: no MacAddress column', 0);
    return { adapters, issues: ctx.issues };
  }
  for (const row of table.rows) {
    const get = (name: string) => {
      const i = col(name);
      return i < 0 ? undefined : row.fields[i];
    };
    adapters.push(
      hypervRecord(ctx, {
        vmName: get('VMName')?.value,
        name: get('Name')?.value,
        switchName: get('SwitchName')?.value,
        computerName: get('ComputerName')?.value,
        isManagementOs: isTrue(get('IsManagementOs')?.value),
        dynamic: boolOf(get('DynamicMacAddressEnabled')?.value),
        spoofing: spoofingOf(get('MacAddressSpoofing')?.value),
        mac: get('MacAddress'),
        rowOffset: row.offset,
      }),
    );
  }
  return { adapters, issues: ctx.issues };
}

const boolOf = (v: string | undefined): boolean | undefined =>
  isTrue(v) ? true : isFalse(v) ? false : undefined;
/** Export-Csv writes the OnOffState enum by name (On/Off). */
const spoofingOf = (v: string | undefined): boolean | undefined => boolOf(v);

/** Parse the plain inventory CSV `host,vm,adapter,network,mac[,mode]`. */
export function parseInventoryCsv(text: string, options?: ParseOptions): ParseResult {
  const ctx = new FormatContext(text, options);
  const adapters: AdapterRecord[] = [];
  const table = rowsWithHeader(ctx, false);
  if (!table) return { adapters, issues: ctx.issues };
  const missing = INVENTORY_COLUMNS.filter((c, i) => table.header[i] !== c);
  if (missing.length > 0) {
    ctx.issue(
      'MISSING_FIELD',
      `inventory CSV: expected the header host,vm,adapter,network,mac[,mode]; found ${table.header.join(',')}`,
      0,
    );
    return { adapters, issues: ctx.issues };
  }
  for (const row of table.rows) {
    if (row.fields[0]?.value.trimStart().startsWith('#')) continue;
    const f = (i: number) => row.fields[i]?.value.trim() ?? '';
    if (row.fields.length < 5) {
      ctx.issue(
        'MISSING_FIELD',
        `inventory CSV: expected at least 5 fields (host,vm,adapter,network,mac), found ${row.fields.length}`,
        row.offset,
      );
      continue;
    }
    const macField = row.fields[4]!;
    const raw = macField.value.trim();
    const lead = macField.value.length - macField.value.trimStart().length;
    const mac = raw === '' ? null : ctx.mac(raw, macField.offset + lead, 'mac column');
    const modeText = f(5).toLowerCase();
    let mode: MacMode = 'unknown';
    if (modeText === 'static' || modeText === 'dynamic') mode = modeText;
    else if (modeText !== '' && modeText !== 'unknown') {
      ctx.issue(
        'PARSE_ERROR',
        `mode column: expected static, dynamic or unknown, found ${JSON.stringify(f(5))}`,
        row.fields[5]!.offset,
        { severity: 'warning' },
      );
    }
    const where = ctx.span(mac !== null ? macField.offset + lead : row.offset, mac !== null ? raw.length : 0);
    adapters.push({
      file: ctx.file,
      line: where.line,
      column: where.column,
      vm: f(1) || '(unnamed VM)',
      adapter: f(2),
      mac,
      macText: mac !== null ? raw : null,
      macSpan: mac !== null ? where : null,
      mode,
      network: f(3) || null,
      hostPrivate: false,
      hypervisor: 'inventory',
      host: f(0) || null,
      enabled: true,
    });
  }
  return { adapters, issues: ctx.issues };
}
