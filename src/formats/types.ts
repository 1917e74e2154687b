/**
 * What every config format yields: adapter records with exact positions, and issues (never exceptions).
 * Positions are 0-based character offsets into the text given to `parse` plus 1-based line/column, so a
 * later `rewrite(text, edits)` can replace exactly the characters of a MAC value and nothing else.
 */
import type { Mac } from '../mac/index.js';

export const FORMAT_NAMES = [
  'vmx',
  'libvirt-xml',
  'proxmox',
  'vmc',
  'vbox',
  'ovf',
  'hyperv-json',
  'hyperv-csv',
  'inventory-csv',
] as const;
export type FormatName = (typeof FORMAT_NAMES)[number];

export const HYPERVISORS = [
  'vmware',
  'libvirt',
  'proxmox',
  'virtual-server',
  'virtualbox',
  'ovf',
  'hyper-v',
  'inventory',
] as const;
export type Hypervisor = (typeof HYPERVISORS)[number];

export const MAC_MODES = ['static', 'dynamic', 'unknown'] as const;
export type MacMode = (typeof MAC_MODES)[number];

/** A span of the parsed text: `text.slice(offset, offset + length)` is exactly the value as written. */
export interface TextSpan {
  readonly offset: number;
  readonly length: number;
  /** 1-based line and column of `offset`. */
  readonly line: number;
  readonly column: number;
}

export interface AdapterRecord {
  readonly file: string;
  /** Where the adapter's MAC value is (or, without a MAC, where the adapter is declared). */
  readonly line: number;
  readonly column: number;
  /** XML formats: the element path of the MAC value, e.g. `/domain/devices/interface[2]/mac/@address`. */
  readonly path?: string;
  readonly vm: string;
  /** The adapter's id in its format: `ethernet1`, `net0`, `slot 2`, an interface index, a Hyper-V adapter name. */
  readonly adapter: string;
  readonly mac: Mac | null;
  /** The MAC value exactly as written, and where (null when the adapter has no MAC). */
  readonly macText: string | null;
  readonly macSpan: TextSpan | null;
  readonly mode: MacMode;
  /** Virtual network, bridge, switch or port group the adapter is attached to (null: not attached / unknown). */
  readonly network: string | null;
  /** True for networks private to one host by nature (NAT, host-only, internal, libvirt `default`, Hyper-V Default Switch). */
  readonly hostPrivate: boolean;
  readonly hypervisor: Hypervisor;
  /** The host when the file itself says (Hyper-V ComputerName, inventory CSV); null otherwise. */
  readonly host: string | null;
  /** False for adapters that are configured but not present/enabled: they never count as duplicates. */
  readonly enabled: boolean;
  /** VMware `checkMACAddress = "FALSE"` disables the static range check. */
  readonly checkMacRange?: boolean;
  /** Hyper-V MAC address spoofing, when the file says (true = allowed). */
  readonly macSpoofing?: boolean;
}

export const ISSUE_SEVERITIES = ['error', 'warning', 'info'] as const;
export type IssueSeverity = (typeof ISSUE_SEVERITIES)[number];

export interface FormatIssue {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  readonly path?: string;
  /** PARSE_ERROR, INVALID_MAC, MISSING_FIELD, HISTORY_IGNORED; scan adds IO_ERROR, BINARY_FILE, TOO_LARGE, ENCODING. */
  readonly code: string;
  readonly severity: IssueSeverity;
  readonly message: string;
}

export interface ParseResult {
  readonly adapters: AdapterRecord[];
  readonly issues: FormatIssue[];
}

export interface ParseOptions {
  /** The file name used in records and issues, and as a fallback VM name. */
  readonly file?: string;
}

export type Parser = (text: string, options?: ParseOptions) => ParseResult;
