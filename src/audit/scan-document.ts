/**
 * The scan document: what `macfleet scan --json` writes and `macfleet import` reads, defined once here.
 * The writer (src/scan/report.ts) is typed by `ScanDocument`; the reader validates with the schema and
 * reports each problem with its JSON path (`adapters[3].mac`). Extend the shape, never rename a field.
 */
import { z } from 'zod';
import { MacfleetError } from '../errors.js';
import { FORMAT_NAMES, ISSUE_SEVERITIES, MAC_MODES } from '../formats/types.js';
import { parseMac, safeParseMac, type Mac } from '../mac/index.js';
import { DUPLICATE_SCOPES, FINDING_KINDS, SEVERITIES } from './finding-types.js';
import { segmentOf } from './segments.js';

/**
 * A MAC in any notation (the scan writes canonical colon-lower). A refinement, not a transform: zod runs
 * it several times faster, and the reader converts the checked text once.
 */
const macText = z.string().refine((text) => safeParseMac(text).success, {
  error: (issue) => {
    const r = safeParseMac(String(issue.input));
    return r.success ? 'expected a MAC address' : r.error.message;
  },
});

export const ScanAdapterSchema = z.object({
  file: z.string(),
  /** Where the MAC value is (or, without a MAC, where the adapter is declared): 1-based. */
  line: z.number().int().nonnegative(),
  vm: z.string().min(1, 'expected a non-empty VM name'),
  /** Null: the file does not say and --host-from-path did not tell. */
  host: z.string().nullable(),
  /** Null: not attached to any network. */
  network: z.string().nullable(),
  mac: macText.nullable(),
  mode: z.enum(MAC_MODES),
  /** One of HYPERVISORS as the scan writes it; inventory hypervisor kinds (`kvm`, `xen`, ...) are read too. */
  hypervisor: z.string().min(1),
  column: z.number().int().nonnegative(),
  /** XML formats: the element path of the MAC value. */
  path: z.string().optional(),
  adapter: z.string(),
  /** False for adapters configured but not present: they never count. */
  enabled: z.boolean(),
  /** The network is private to its host by nature (NAT, host-only, libvirt `default`, Default Switch, ...). */
  hostPrivate: z.boolean(),
  /** The L2 segment the audit put the adapter in; null: it shares one with nothing (not attached, user-mode NAT). */
  segment: z.string().nullable(),
});

export const ScanFindingSchema = z.object({
  kind: z.enum(FINDING_KINDS),
  scope: z.enum(DUPLICATE_SCOPES).optional(),
  severity: z.enum(SEVERITIES),
  /** Canonical MAC, or a pool key for range overlaps (`00:15:5d:0a:05:00-ff`). */
  mac: z.string().optional(),
  message: z.string(),
  fix: z.string(),
  members: z.array(
    z.object({
      file: z.string(),
      line: z.number().int(),
      vm: z.string(),
      host: z.string().nullable(),
      network: z.string().nullable(),
      column: z.number().int(),
      adapter: z.string(),
    }),
  ),
});

export const ScanIssueSchema = z.object({
  file: z.string(),
  line: z.number().int().optional(),
  code: z.string(),
  message: z.string(),
  severity: z.enum(ISSUE_SEVERITIES),
  column: z.number().int().optional(),
  path: z.string().optional(),
});

export const ScanDocumentSchema = z.object({
  /** Files read as VM configs. */
  files: z.number().int().nonnegative(),
  adapters: z.array(ScanAdapterSchema),
  findings: z.array(ScanFindingSchema),
  issues: z.array(ScanIssueSchema),
  /** Config files per format. */
  formats: z.partialRecord(z.enum(FORMAT_NAMES), z.number().int().nonnegative()),
  /** Files looked at in total. */
  filesSeen: z.number().int().nonnegative(),
});

/** The document as written (MACs as text). */
export type ScanDocument = z.input<typeof ScanDocumentSchema>;
export type ScanDocumentAdapter = z.input<typeof ScanAdapterSchema>;
export type ScanDocumentFinding = z.input<typeof ScanFindingSchema>;
export type ScanDocumentIssue = z.input<typeof ScanIssueSchema>;
/** An adapter as read (the MAC as a value). */
export type ReadScanAdapter = Omit<z.output<typeof ScanAdapterSchema>, 'mac'> & { readonly mac: Mac | null };

/** A problem in a scan document, at its JSON path. */
export interface ScanDocumentProblem {
  /** `adapters[3].mac` */
  readonly field: string;
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** `['adapters', 3, 'mac']` → `adapters[3].mac` */
export const jsonPath = (path: readonly PropertyKey[]): string =>
  path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('') ||
  '(document)';

/**
 * How the reader takes an adapter: as the schema says, except for fields that hand-written documents,
 * and those written before the field existed, leave out. `hostPrivate` and `segment` are then derived
 * by `legacyAdapter` below.
 */
const ReadAdapterSchema = ScanAdapterSchema.extend({
  file: ScanAdapterSchema.shape.file.optional(),
  line: ScanAdapterSchema.shape.line.default(0),
  column: ScanAdapterSchema.shape.column.default(0),
  adapter: ScanAdapterSchema.shape.adapter.default(''),
  host: ScanAdapterSchema.shape.host.default(null),
  network: ScanAdapterSchema.shape.network.default(null),
  hypervisor: ScanAdapterSchema.shape.hypervisor.default('unknown'),
  enabled: ScanAdapterSchema.shape.enabled.default(true),
  hostPrivate: ScanAdapterSchema.shape.hostPrivate.optional(),
  segment: ScanAdapterSchema.shape.segment.optional(),
});

const DocumentShape = z.object({ adapters: z.array(z.unknown()) });

/**
 * Read a scan document's adapters. Text that is not JSON, or not an object with an `adapters` array,
 * throws PARSE_ERROR; each bad adapter is left out and reported, one problem per bad field, with its
 * JSON path. Only `adapters` is read: the findings and issues are the scan's, recomputed by whoever
 * needs them.
 */
export function readScanDocument(
  text: string,
  file: string,
): { adapters: ReadScanAdapter[]; problems: ScanDocumentProblem[] } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new MacfleetError('PARSE_ERROR', `${file}: not JSON: ${(e as Error).message}`, {
      location: { file },
      cause: e,
    });
  }
  return readScanValue(doc, file);
}

/** `readScanDocument` of a value already parsed from JSON (an HTTP body). */
export function readScanValue(
  doc: unknown,
  file: string,
): { adapters: ReadScanAdapter[]; problems: ScanDocumentProblem[] } {
  const shape = DocumentShape.safeParse(doc);
  if (!shape.success) {
    throw new MacfleetError(
      'PARSE_ERROR',
      `${file}: expected the output of macfleet scan --json, an object with an "adapters" array`,
      { location: { file, field: 'adapters' } },
    );
  }
  const adapters: ReadScanAdapter[] = [];
  const problems: ScanDocumentProblem[] = [];
  shape.data.adapters.forEach((raw, i) => {
    const r = ReadAdapterSchema.safeParse(raw);
    if (!r.success) {
      for (const issue of r.error.issues) {
        const path = ['adapters', i, ...issue.path] as (string | number)[];
        const field = jsonPath(path);
        problems.push({ field, path, message: `${field}: ${issue.message}` });
      }
      return;
    }
    adapters.push(completeAdapter(r.data, file));
  });
  return { adapters, problems };
}

function completeAdapter(a: z.output<typeof ReadAdapterSchema>, documentFile: string): ReadScanAdapter {
  const hostPrivate = a.hostPrivate ?? legacyHostPrivate(a.hypervisor, a.network);
  const { path, ...rest } = a;
  const complete = {
    ...rest,
    mac: a.mac === null ? null : parseMac(a.mac),
    file: a.file ?? documentFile,
    hostPrivate,
    segment:
      a.segment !== undefined ? a.segment : segmentOf({ host: a.host, network: a.network, hostPrivate }),
  };
  return path === undefined ? complete : { ...complete, path };
}

/**
 * Documents written before `hostPrivate` existed: the host-private networks each hypervisor names by
 * default. Only for those documents; a current scan says `hostPrivate` as its format parser decided it.
 */
function legacyHostPrivate(hypervisor: string, network: string | null): boolean {
  if (network === null) return false;
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
