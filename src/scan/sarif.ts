/**
 * SARIF 2.1.0 for code review of a repository of VM configs: one rule per finding kind (and scope), one
 * result per finding located at its first member, the other members as related locations.
 */
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
const uri = (file: string): string => file.split('\\').join('/').replace(/^\.\//, '');

function location(file: string, line: number | undefined, column: number | undefined) {
  return {
    physicalLocation: {
      artifactLocation: { uri: uri(file) },
      ...(line === undefined
        ? {}
        : { region: { startLine: line, ...(column === undefined ? {} : { startColumn: column }) } }),
    },
  };
}

export function scanSarif(r: ScanResult, version: string): unknown {
  const results = [
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
