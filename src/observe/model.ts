/**
 * What `macfleet observe` reads and reports, as one zod schema per document: the observation set (what
 * each source showed: a MAC, where, when) and the report (sources, findings, issues). The TypeScript
 * types are derived from the schemas; `--json` writes a report, `--record` stores observations, and
 * both are read back through these schemas. Times are ISO 8601 strings (UTC, `toISOString`), so they
 * order as text.
 */
import { z } from 'zod';

/** Every source the parsers know; `pcap`/`pcapng` are captures, the rest snapshots or logs. */
export const SOURCE_KINDS = [
  'pcap',
  'pcapng',
  'fdb',
  'neigh',
  'arpwatch',
  'dnsmasq',
  'dhcpd',
  'kea',
  'snmp',
] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

/** Captures see each frame at its time; the other sources are a table at one moment (or a lease log). */
export const isCaptureKind = (k: SourceKind): boolean => k === 'pcap' || k === 'pcapng';

/** `vm`: a port facing a VM (tap, vnet, veth, fwpr, ...); `uplink`: towards the rest of the network. */
export const PORT_KINDS = ['vm', 'uplink', 'unknown'] as const;
export type PortKind = (typeof PORT_KINDS)[number];

/** How a MAC showed itself in a source. */
export const SEEN_AS = [
  'frame',
  'arp',
  'arp-probe',
  'arp-announcement',
  'arp-payload',
  'dhcp',
  'ndp',
  'dad-probe',
  'nlb-heartbeat',
  'fdb',
  'neigh',
  'lease',
  'snmp',
] as const;
export type SeenAs = (typeof SEEN_AS)[number];

const macText = z.string().regex(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/, 'a MAC in colon notation, lower case');
const time = z.iso.datetime().nullable();

export const observationSchema = z.object({
  mac: macText,
  segment: z.string().nullable(),
  host: z.string().nullable(),
  port: z.string().nullable(),
  /** The innermost 802.1Q tag (the VM's VLAN); null when untagged or unknown. */
  vlan: z.number().int().min(0).max(4095).nullable(),
  /** The outer tag of a QinQ frame. */
  outerVlan: z.number().int().min(0).max(4095).nullable().optional(),
  portKind: z.enum(PORT_KINDS),
  first: time,
  last: time,
  /** Frames (captures) or entries (tables) that showed it. */
  count: z.number().int().min(0),
  seenAs: z.array(z.enum(SEEN_AS)),
  /** IPv4/IPv6 addresses it used or was leased. */
  ips: z.array(z.string()),
  /** DHCP client identity (client messages only): distinct client-ids (hex), host names, message types. */
  dhcp: z
    .object({ clientIds: z.array(z.string()), hostNames: z.array(z.string()), messages: z.array(z.string()) })
    .optional(),
  /** IPv6 DAD: probes (NS from ::) for its EUI-64 link-local address, and advertisements defending it after one. */
  dad: z.object({ probes: z.number().int().min(0), defended: z.number().int().min(0) }).optional(),
  /** NLB heartbeat content (EtherType 0x886F): cluster VIP and host priority. */
  nlb: z.object({ vip: z.string(), priority: z.number().int() }).optional(),
});
export type Observation = z.infer<typeof observationSchema>;

/** A MAC leaving one port for another (captures with several interfaces). */
export const moveSchema = z.object({
  mac: macText,
  at: z.iso.datetime(),
  from: z.string().nullable(),
  to: z.string().nullable(),
});
export type Move = z.infer<typeof moveSchema>;

export const sourceSchema = z.object({
  name: z.string(),
  kind: z.enum(SOURCE_KINDS),
  host: z.string().nullable(),
  /** When the table was taken (snapshots) or the capture's first and last frame. */
  first: time,
  last: time,
  frames: z.number().int().min(0).optional(),
  observations: z.array(observationSchema),
  moves: z.array(moveSchema),
});
export type ObservedSource = z.infer<typeof sourceSchema>;

export const observeIssueSchema = z.object({
  file: z.string(),
  /** Byte offset (captures) or character offset (text) of the problem. */
  offset: z.number().int().min(0).optional(),
  line: z.number().int().min(1).optional(),
  code: z.string(),
  message: z.string(),
});
export type ObserveIssue = z.infer<typeof observeIssueSchema>;

/** The observation set: what `--record` keeps and what reconcile reads. */
export const observationSetSchema = z.object({
  sources: z.array(sourceSchema),
  issues: z.array(observeIssueSchema),
});
export type ObservationSet = z.infer<typeof observationSetSchema>;

export const OBSERVE_FINDING_KINDS = [
  'live-duplicate',
  'flap',
  'unknown',
  'mismatch',
  'stale',
  'nlb',
] as const;
export type ObserveFindingKind = (typeof OBSERVE_FINDING_KINDS)[number];

export const OBSERVE_SEVERITIES = ['error', 'warning', 'info'] as const;
export type ObserveSeverity = (typeof OBSERVE_SEVERITIES)[number];

export const whereSchema = z.object({
  host: z.string().nullable(),
  port: z.string().nullable(),
  vlan: z.number().int().nullable(),
  segment: z.string().nullable(),
  first: time,
  last: time,
  source: z.string(),
});
export type Where = z.infer<typeof whereSchema>;

export const intendedRefSchema = z.object({
  file: z.string().nullable(),
  line: z.number().int().nullable(),
  vm: z.string(),
  host: z.string().nullable(),
  network: z.string().nullable(),
});
export type IntendedRef = z.infer<typeof intendedRefSchema>;

export const observeFindingSchema = z.object({
  kind: z.enum(OBSERVE_FINDING_KINDS),
  severity: z.enum(OBSERVE_SEVERITIES),
  mac: macText,
  message: z.string(),
  where: z.array(whereSchema),
  intended: z.array(intendedRefSchema),
  /** `unknown`: the registered vendor and the scheme that most likely made the MAC. */
  vendor: z.string().nullable().optional(),
  classification: z.string().optional(),
  /** `nlb`: the cluster VIP. */
  vip: z.string().optional(),
});
export type ObserveFinding = z.infer<typeof observeFindingSchema>;

/** The `--json` document of `macfleet observe`. */
export const observeReportSchema = z.object({
  sources: z.array(sourceSchema),
  findings: z.array(observeFindingSchema),
  issues: z.array(observeIssueSchema),
});
export type ObserveReport = z.infer<typeof observeReportSchema>;

/** Where a source came from and what to tag its observations with. */
export interface SourceContext {
  /** File name or URL, for issues and `where.source`. */
  readonly name: string;
  readonly host: string | null;
  /** Overrides the segment a source would give its observations (e.g. the bridge name). */
  readonly segment: string | null;
  /** Interface names that face the network, not VMs (`--uplink`). */
  readonly uplinks: readonly string[];
  /** When a snapshot was taken (file time), ms since the epoch; captures carry their own times. */
  readonly takenAt: number | null;
}

/**
 * A time as ISO 8601 (millisecond precision), or null. Capture times come as fractional ms computed in
 * floating point; they are rounded to the microsecond first so 1.25 s read from nanoseconds is not 1.249.
 */
export const iso = (ms: number | null): string | null =>
  ms === null || !Number.isFinite(ms) || Math.abs(ms) > 8.64e15
    ? null
    : new Date(Math.floor(Math.round(ms * 1000) / 1000)).toISOString();
