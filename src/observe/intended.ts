/**
 * The intended side: what the configurations, inventory and pools say each MAC should be. Read from a
 * `macfleet scan --json` document with a narrow schema of just the fields reconcile needs (the scan
 * document has no shared schema yet; when it has one, `scanIntended` is the one place to switch), or
 * built by the CLI from the store's inventory and pools.
 */
import { z } from 'zod';
import { segmentOf } from '../audit/index.js';
import { MacfleetError } from '../errors.js';
import { safeParseMac, type Mac } from '../mac/index.js';

export interface IntendedAdapter {
  readonly mac: Mac;
  readonly vm: string;
  readonly host: string | null;
  readonly network: string | null;
  readonly segment: string | null;
  readonly vlan: number | null;
  /** `running`/`stopped`/`saved` from the inventory; null when the source does not say (a scan). */
  readonly state: string | null;
  readonly file: string | null;
  readonly line: number | null;
}

export interface Intended {
  readonly adapters: readonly IntendedAdapter[];
  /** MACs a pool holds (allocated, reserved, in use) and a description of the holder. */
  readonly poolHeld: ReadonlyMap<Mac, string>;
}

const scanAdapterSchema = z.object({
  file: z.string(),
  line: z.number().int(),
  vm: z.string(),
  host: z.string().nullable(),
  network: z.string().nullable(),
  mac: z.string().nullable(),
  enabled: z.boolean().optional(),
  hostPrivate: z.boolean().optional(),
  segment: z.string().nullable().optional(),
  vlan: z.number().int().nullable().optional(),
});

const scanDocumentSchema = z.object({ adapters: z.array(scanAdapterSchema) });

/** Read a `scan --json` document; shape errors name the JSON path (`adapters[3].mac`). */
export function scanIntended(text: string, file: string): Intended {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new MacfleetError('PARSE_ERROR', `${file}: not JSON: ${(e as Error).message}`, {
      location: { file },
      cause: e,
    });
  }
  const parsed = scanDocumentSchema.safeParse(doc);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    const path = first.path
      .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
      .join('')
      .replace(/^\./, '');
    throw new MacfleetError(
      'PARSE_ERROR',
      `${file}: ${path || '(root)'}: ${first.message} (expected the output of macfleet scan --json)`,
      {
        location: { file, field: path },
      },
    );
  }
  const adapters: IntendedAdapter[] = [];
  for (const a of parsed.data.adapters) {
    if (a.mac === null || a.enabled === false) continue;
    const mac = safeParseMac(a.mac);
    if (!mac.success) continue;
    adapters.push({
      mac: mac.data,
      vm: a.vm,
      host: a.host,
      network: a.network,
      segment:
        a.segment ?? segmentOf({ host: a.host, network: a.network, hostPrivate: a.hostPrivate ?? false }),
      vlan: a.vlan ?? null,
      state: null,
      file: a.file,
      line: a.line,
    });
  }
  return { adapters, poolHeld: new Map() };
}
