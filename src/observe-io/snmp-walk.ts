/**
 * Walk a switch's forwarding table over SNMP v2c (`snmp://community@host[:port]`) with the `net-snmp`
 * package, then decode it with the pure BRIDGE-MIB/Q-BRIDGE-MIB decoder. A walk that fails or times
 * out is an issue for that source; the others go on.
 */
import snmp from 'net-snmp';
import { iso, type SourceContext } from '../observe/model.js';
import { decodeBridgeMib, WALKED_OIDS, type Varbind } from '../observe/snmp/bridge-mib.js';
import type { ReadResult, SourceOptions } from './read-sources.js';

export interface SnmpTarget {
  readonly community: string;
  readonly host: string;
  readonly port: number;
}

export function parseSnmpUrl(url: string): SnmpTarget | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== 'snmp:' || u.hostname === '') return null;
  return {
    community: decodeURIComponent(u.username) || 'public',
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port === '' ? 161 : Number(u.port),
  };
}

export async function walkSnmp(
  url: string,
  o: SourceOptions,
  now: () => number = Date.now,
): Promise<ReadResult> {
  const target = parseSnmpUrl(url);
  const name = url.replace(/\/\/[^@/]*@/, '//'); // never print the community
  if (target === null) {
    return {
      source: null,
      issues: [
        { file: name, code: 'INVALID_ARGUMENT', message: `${name}: expected snmp://community@host[:port]` },
      ],
    };
  }
  const session = snmp.createSession(target.host, target.community, {
    port: target.port,
    version: snmp.Version2c,
    timeout: 2000,
    retries: 1,
  });
  const varbinds: Varbind[] = [];
  try {
    for (const oid of WALKED_OIDS) await subtree(session, oid, varbinds);
  } catch (e) {
    return {
      source: null,
      issues: [
        { file: name, code: 'SNMP_FAILED', message: `${name}: SNMP walk failed: ${(e as Error).message}` },
      ],
    };
  } finally {
    session.close();
  }
  const ctx: SourceContext = {
    name,
    host: o.host ?? target.host,
    segment: o.segment,
    uplinks: o.uplinks,
    takenAt: now(),
  };
  const r = decodeBridgeMib(varbinds, ctx);
  return {
    source: {
      name,
      kind: 'snmp',
      host: ctx.host,
      first: iso(r.first),
      last: iso(r.last),
      observations: r.observations,
      moves: [],
    },
    issues: r.issues,
  };
}

function subtree(session: snmp.Session, oid: string, out: Varbind[]): Promise<void> {
  return new Promise((resolve, reject) => {
    session.subtree(
      oid,
      20,
      (vbs: snmp.Varbind[]) => {
        for (const vb of vbs) {
          if (snmp.isVarbindError(vb)) continue;
          const v = vb.value as unknown;
          out.push({
            oid: vb.oid,
            value: typeof v === 'number' ? v : Buffer.isBuffer(v) ? new Uint8Array(v) : String(v),
          });
        }
      },
      (error: Error | null) => (error ? reject(error) : resolve()),
    );
  });
}
