/**
 * The I/O around the pure observe core: read each source named on the command line (a capture streamed
 * in 1 MiB chunks, a table or lease file as text, an SNMP agent walked) into an ObservedSource.
 * A source that cannot be read becomes an issue; the others go on.
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { CaptureReader } from '../observe/frames/capture-reader.js';
import { FrameObserver } from '../observe/frames/frame-observer.js';
import {
  iso,
  SOURCE_KINDS,
  type ObservedSource,
  type ObserveIssue,
  type SourceContext,
  type SourceKind,
} from '../observe/model.js';
import { sniffKind, TEXT_PARSERS } from '../observe/sources.js';

export interface SourceOptions {
  readonly cwd: string;
  readonly host: string | null;
  readonly hostFromPath: ((relativePath: string) => string | null) | null;
  readonly segment: string | null;
  readonly uplinks: readonly string[];
  /** When the tables were taken (`--taken`); null: each file's modification time. */
  readonly takenAt: number | null;
}

export interface ReadResult {
  readonly source: ObservedSource | null;
  readonly issues: ObserveIssue[];
}

const CHUNK = 1 << 20;

/** `<kind>:<path>` names the parser; a bare path is sniffed. */
export function splitKind(arg: string): { kind: SourceKind | null; path: string } {
  const m = /^([a-z]+):(?!\/\/)(.+)$/.exec(arg);
  if (m !== null && (SOURCE_KINDS as readonly string[]).includes(m[1]!))
    return { kind: m[1] as SourceKind, path: m[2]! };
  return { kind: null, path: arg };
}

export async function readSource(arg: string, o: SourceOptions): Promise<ReadResult> {
  if (arg.startsWith('snmp://')) {
    const { walkSnmp } = await import('./snmp-walk.js');
    return walkSnmp(arg, o);
  }
  const { kind: named, path } = splitKind(arg);
  const abs = resolve(o.cwd, path);
  const host = o.host ?? o.hostFromPath?.(relative(o.cwd, abs)) ?? null;
  let takenAt: number;
  let head: Uint8Array;
  try {
    const st = await stat(abs);
    if (!st.isFile()) return fail(arg, `${path} is not a regular file`);
    takenAt = o.takenAt ?? st.mtimeMs;
    head = await readHead(abs);
  } catch (e) {
    return fail(arg, `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  const kind = named ?? sniffKind(head);
  if (kind === null) {
    return fail(
      arg,
      `${path}: not a capture (pcap, pcapng), bridge fdb or neighbour JSON, arpwatch arp.dat, dnsmasq, ISC dhcpd or Kea lease file; name the kind as <kind>:${path} (${SOURCE_KINDS.join(', ')})`,
    );
  }
  const ctx: SourceContext = { name: path, host, segment: o.segment, uplinks: o.uplinks, takenAt };
  if (kind === 'pcap' || kind === 'pcapng') return readCaptureFile(abs, ctx);
  if (kind === 'snmp') return fail(arg, 'snmp sources are URLs: snmp://community@host[:port]');
  let text: string;
  try {
    text = await readFile(abs, 'utf8');
  } catch (e) {
    return fail(arg, `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  const r = TEXT_PARSERS[kind](text, ctx);
  return {
    source: {
      name: path,
      kind,
      host,
      first: iso(r.first),
      last: iso(r.last),
      observations: r.observations,
      moves: [],
    },
    issues: r.issues,
  };
}

async function readHead(abs: string): Promise<Uint8Array> {
  const stream = createReadStream(abs, { start: 0, end: 4095 });
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

/** Stream a capture through the reader: memory stays one chunk plus one record plus the MAC table. */
export async function readCaptureFile(abs: string, ctx: SourceContext): Promise<ReadResult> {
  const observer = new FrameObserver();
  const reader = new CaptureReader(observer);
  try {
    for await (const chunk of createReadStream(abs, { highWaterMark: CHUNK })) reader.push(chunk as Buffer);
  } catch (e) {
    return fail(ctx.name, `cannot read ${ctx.name}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  const captureIssues = reader.end();
  const { observations, moves } = observer.result(ctx);
  const issues: ObserveIssue[] = captureIssues.map((i) => ({
    file: ctx.name,
    offset: i.offset,
    code: i.code,
    message: i.message,
  }));
  for (const [linkType, n] of observer.unsupported)
    issues.push({
      file: ctx.name,
      code: 'UNSUPPORTED',
      message: `${n} frame(s) of link type ${linkType} not decoded (known: 1 Ethernet, 113 Linux SLL, 276 Linux SLL2)`,
    });
  if (observer.short > 0)
    issues.push({
      file: ctx.name,
      code: 'MALFORMED',
      message: `${observer.short} frame(s) shorter than their link-layer header`,
    });
  return {
    source: {
      name: ctx.name,
      kind: reader.format ?? 'pcap',
      host: ctx.host,
      first: Number.isFinite(observer.firstTime) ? iso(observer.firstTime) : null,
      last: Number.isFinite(observer.lastTime) ? iso(observer.lastTime) : null,
      frames: observer.frames,
      observations,
      moves,
    },
    issues,
  };
}

const fail = (file: string, message: string): ReadResult => ({
  source: null,
  issues: [{ file, code: 'IO_ERROR', message }],
});
