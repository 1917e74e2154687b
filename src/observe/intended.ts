/**
 * The intended side: what the configurations, inventory and pools say each MAC should be. Read from a
 * `macfleet scan --json` document (its one schema), or built by the CLI from the store's inventory and pools.
 */
import { readScanDocument } from '../audit/scan-document.js';
import { MacfleetError } from '../errors.js';
import type { Mac } from '../mac/index.js';

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

/**
 * Read a `scan --json` document through its one schema (src/audit/scan-document.ts); a bad adapter is
 * refused with its JSON path (`adapters[3].mac`), since a half-read intended side would report MACs as
 * unknown that the configurations do name.
 */
export function scanIntended(text: string, file: string): Intended {
  const { adapters: read, problems } = readScanDocument(text, file);
  const first = problems[0];
  if (first !== undefined) {
    throw new MacfleetError(
      'PARSE_ERROR',
      `${file}: ${first.message} (expected the output of macfleet scan --json)`,
      { location: { file, field: first.field } },
    );
  }
  const adapters: IntendedAdapter[] = [];
  for (const a of read) {
    if (a.mac === null || !a.enabled) continue;
    adapters.push({
      mac: a.mac,
      vm: a.vm,
      host: a.host,
      network: a.network,
      segment: a.segment,
      // A scan document says nothing of VLANs: the configuration formats macfleet reads do not either.
      vlan: null,
      state: null,
      file: a.file,
      line: a.line,
    });
  }
  return { adapters, poolHeld: new Map() };
}
