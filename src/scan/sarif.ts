/**
 * SARIF 2.1.0 for code review of a repository of VM configs: one rule per finding kind (and scope), one
 * result per finding located at its first member, the other members as related locations.
 */
import type { Location, Log, Result } from 'sarif';
import type { Finding } from '../audit/index.js';
import type { ScanResult } from './scan.js';

const RULES = [
  {
    id: 'duplicate/blocking',
    text: 'Duplicate MAC on one host and virtual network: the second VM will not start',
  },
  {
    id: 'duplicate/conflicting',
    text: 'Duplicate MAC on one L2 segment across hosts: MAC tables flap, DHCP/ARP break',
  },
  { id: 'duplicate/latent', text: 'Duplicate MAC on different segments: breaks when a VM moves' },
  { id: 'range-overlap', text: 'Two hosts hand out dynamic MACs from the same hypervisor pool' },
  { id: 'nlb', text: 'NLB cluster MAC clash or blocked by the switch policy' },
  { id: 'invalid', text: 'MAC a NIC cannot use (multicast, broadcast, zero, outside the hypervisor range)' },
  { id: 'file-issue', text: 'A file could not be read or parsed completely' },
] as const;

const ruleId = (f: Finding): string => (f.kind === 'duplicate' ? `duplicate/${f.scope ?? 'latent'}` : f.kind);
const level = (s: string): 'error' | 'warning' | 'note' =>
  s === 'error' ? 'error' : s === 'warning' ? 'warning' : 'note';

/**
 * `artifactLocation.uri` is a URI reference (SARIF 2.1.0 section 3.4.3, RFC 3986): an absolute path becomes
 * a `file:` URI, a relative one a relative reference, each segment percent-encoded (spaces, `#`, `%`,
 * `?`, non-ASCII and control characters included), so that a reader gets the same path back.
 */
export function artifactUri(file: string): string {
  const slashed = file
    .split('\\')
    .join('/')
    .replace(/^(\.\/)+/, '');
  const drive = /^[A-Za-z]:\//.test(slashed);
  const segments = (drive ? slashed : slashed.replace(/^\/+/, '')).split('/');
  const encoded = segments
    .map((seg, i) => (drive && i === 0 ? seg : encodeURIComponent(seg).replace(/[!'()*]/g, pct)))
    .join('/');
  // (A colon is encoded too, so a relative first segment never reads as a scheme.)
  return drive || slashed.startsWith('/') ? `file:///${encoded}` : encoded;
}
const pct = (c: string): string => `%${c.charCodeAt(0).toString(16).toUpperCase()}`;

function location(file: string, line: number | undefined, column: number | undefined): Location {
  return {
    physicalLocation: {
      artifactLocation: { uri: artifactUri(file) },
      ...(line === undefined
        ? {}
        : { region: { startLine: line, ...(column === undefined ? {} : { startColumn: column }) } }),
    },
  };
}

export function scanSarif(r: ScanResult, version: string): Log {
  const results: Result[] = [
    ...r.findings.map((f) => ({
      ruleId: ruleId(f),
      ruleIndex: RULES.findIndex((x) => x.id === ruleId(f)),
      level: level(f.severity),
      message: { text: `${f.message}. Fix: ${f.fix}` },
      locations: f.members.slice(0, 1).map((m) => location(m.file, m.line, m.column)),
      relatedLocations: f.members.slice(1).map((m, i) => ({
        id: i + 1,
        ...location(m.file, m.line, m.column),
        message: { text: `${m.vm} ${m.adapter}` },
      })),
      ...(f.mac === undefined ? {} : { partialFingerprints: { macfleetMac: f.mac } }),
    })),
    ...r.issues.map((i) => ({
      ruleId: 'file-issue',
      ruleIndex: RULES.length - 1,
      level: level(i.severity),
      message: { text: `${i.code}: ${i.message}` },
      locations: [location(i.file, i.line, i.column)],
    })),
  ];
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'macfleet',
            version,
            informationUri: 'https://github.com/macfleet/macfleet',
            rules: RULES.map((x) => ({ id: x.id, shortDescription: { text: x.text } })),
          },
        },
        results,
      },
    ],
  };
}
