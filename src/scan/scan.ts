/**
 * `scan`: walk the trees, read every VM config (in worker threads on large trees, one per core), resolve
 * hosts and segments, and run the audit. The walk feeds the workers as it goes, and results are merged
 * in walk order as batches complete, so the output is the same whatever the scheduling.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Auditor, type Finding, type SegmentRule } from '../audit/index.js';
import type { AdapterRecord, FormatIssue, FormatName } from '../formats/types.js';
import type { HostMatcher } from './host-from-path.js';
import type { FileResult } from './read-config.js';
import type { ReadBatch } from './scan-worker.js';
import { walkFiles, type WalkEntry } from './walk.js';
import { decodeResults, encodeResults } from './wire.js';

export const DEFAULT_MAX_FILE_SIZE = 16 * 1024 * 1024;

export interface ScanOptions {
  readonly follow?: boolean;
  readonly maxFileSize?: number;
  readonly hostFromPath?: HostMatcher;
  readonly segments?: readonly SegmentRule[];
  /**
   * Parsing worker threads besides this thread, which parses too: by default one per core beyond the
   * first when the tree is large; 0 = parse in this thread only.
   */
  readonly workers?: number;
  /**
   * Read files in one worker thread and parse them all in this one (default: on two cores or fewer, for
   * a large tree). Takes precedence over `workers`.
   */
  readonly readerThread?: boolean;
  /** Called as files are parsed (for a progress bar); `total` grows while the walk goes on. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Called with each run of adapters, in walk order, as soon as it is final (to render while parsing). */
  readonly onAdapters?: (adapters: readonly AdapterRecord[]) => void;
}

export interface ScanResult {
  /** Files read as VM configs. */
  readonly files: number;
  /** Files looked at in total (configs or not). */
  readonly filesSeen: number;
  readonly formats: Partial<Record<FormatName, number>>;
  readonly adapters: AdapterRecord[];
  readonly findings: Finding[];
  readonly issues: FormatIssue[];
  /** The segment map the scan ran with (`ScanOptions.segments`), for the segments the report names. */
  readonly segmentRules?: readonly SegmentRule[];
}

type Entry = WalkEntry;

const BATCH = 256;
/** Batches a worker holds at once: it never waits for this thread (busy parsing its own) between batches. */
const IN_FLIGHT = 3;
const WORKER_THRESHOLD = 2000;

export async function scan(paths: readonly string[], options: ScanOptions = {}): Promise<ScanResult> {
  const maxFileSize = options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
  const walkIssues: FormatIssue[] = [];
  const source = new Entries(walkFiles(paths, { follow: options.follow ?? false }, walkIssues));
  const adapters: AdapterRecord[] = [];
  const issues: FormatIssue[] = [];
  const formats: Partial<Record<FormatName, number>> = {};
  let configFiles = 0;
  let filesSeen = 0;
  // The audit takes each run of adapters as it is merged: only the cross-adapter rules are left for the end.
  const auditor = new Auditor(options.segments ? { segments: options.segments } : {});
  const merge = (entries: readonly Entry[], results: readonly FileResult[]) => {
    const run: AdapterRecord[] = [];
    results.forEach((r, i) => {
      filesSeen++;
      if (r.issues.length > 0) issues.push(...r.issues);
      if (r.format === undefined) return;
      configFiles++;
      formats[r.format] = (formats[r.format] ?? 0) + 1;
      const f = entries[i]!;
      const host = options.hostFromPath?.(relative(f.root, f.path) || f.path) ?? null;
      for (const a of r.adapters) run.push(a.host === null && host !== null ? { ...a, host } : a);
    });
    if (run.length === 0) return;
    for (const a of run) adapters.push(a);
    auditor.add(run);
    options.onAdapters?.(run);
  };
  await parseAll(source, maxFileSize, options, merge);
  const findings = auditor.findings();
  const result = {
    files: configFiles,
    filesSeen,
    formats,
    adapters,
    findings,
    issues: [...walkIssues, ...issues],
  };
  return options.segments ? { ...result, segmentRules: options.segments } : result;
}

/** Up to `n` entries from the walk, in order. */
class Entries {
  private run: readonly Entry[] = [];
  private at = 0;
  constructor(private readonly walk: Iterator<Entry[]>) {}

  take(n: number): Entry[] {
    const out: Entry[] = [];
    while (out.length < n) {
      if (this.at === this.run.length) {
        const next = this.walk.next();
        if (next.done === true) break;
        this.run = next.value;
        this.at = 0;
        continue;
      }
      const k = Math.min(n - out.length, this.run.length - this.at);
      for (let i = 0; i < k; i++) out.push(this.run[this.at + i]!);
      this.at += k;
    }
    return out;
  }
}

async function parseAll(
  source: Entries,
  maxFileSize: number,
  options: ScanOptions,
  merge: (entries: readonly Entry[], results: readonly FileResult[]) => void,
): Promise<void> {
  const workerUrl = new URL('./scan-worker.js', import.meta.url);
  // Under a TypeScript runner the compiled worker does not exist: parse in this thread.
  const canUseWorkers = workerUrl.protocol === 'file:' && existsSync(fileURLToPath(workerUrl));
  const head = source.take(WORKER_THRESHOLD);
  const large = head.length === WORKER_THRESHOLD;
  // With workers, either (a) one per core beyond the first reads and parses, and this thread parses too
  // between walking and merging; or (b) on two cores, one worker only reads (it loads no parser) and
  // this thread parses everything: on two cores that costs less in all than two parsing threads (one
  // JIT, one heap of results, no results to copy between threads) and was ~8% faster on the bench tree.
  const cores = availableParallelism();
  const readerMode =
    canUseWorkers && large && (options.readerThread ?? (options.workers === undefined && cores <= 2));
  const wanted = readerMode ? 1 : (options.workers ?? (large ? cores - 1 : 0));
  let pending = head;
  let walked = head.length;
  const nextBatch = (): Entry[] => {
    if (pending.length > 0) {
      const batch = pending.slice(0, BATCH);
      pending = pending.slice(BATCH);
      return batch;
    }
    const batch = source.take(BATCH);
    walked += batch.length;
    return batch;
  };
  let done = 0;
  // Batches are numbered in walk order and merged in that order, whoever parsed them and whenever.
  const completed = new Map<number, { entries: readonly Entry[]; results: readonly FileResult[] }>();
  let sent = 0;
  let flushed = 0;
  const complete = (index: number, entries: readonly Entry[], results: readonly FileResult[]) => {
    completed.set(index, { entries, results });
    done += entries.length;
    for (let c = completed.get(flushed); c !== undefined; c = completed.get(flushed)) {
      completed.delete(flushed++);
      merge(c.entries, c.results);
    }
    options.onProgress?.(done, walked);
  };
  // Loading starts now and is awaited where needed, so the workers get going meanwhile.
  const parsers = import('./read-config.js');
  // Results parsed here go through the same wire form as a worker's: the copy leaves behind the file
  // texts that parsed strings (sliced from them) would otherwise keep alive. On 100k files that is 82 MB
  // of heap kept vs 28 MB, and the scan is faster for it (less for the collector to copy).
  const ownCopy = (results: readonly FileResult[], paths: readonly string[]) =>
    decodeResults(structuredClone(encodeResults(results, paths)), paths);
  const parseRead = async (entries: readonly Entry[], batch: ReadBatch): Promise<FileResult[]> => {
    const { readConfig, parseFileBytes } = await parsers;
    const paths = entries.map((e) => e.path);
    let offset = 0;
    const results = paths.map((path, i): FileResult => {
      const length = batch.lengths[i]!;
      if (length === -2) return { adapters: [], issues: [batch.issues[i]!] };
      if (length === -1) return readConfig(path, maxFileSize); // too large for one read: the long way
      offset += length;
      return parseFileBytes(path, batch.bytes.subarray(offset - length, offset));
    });
    return ownCopy(results, paths);
  };
  let answered = false;
  // Each worker has IN_FLIGHT batches at a time, so it never waits for this thread (busy walking, parsing,
  // merging and rendering) between batches. A worker answers its batches in the order they were sent.
  const runWorker = () =>
    new Promise<void>((resolve, reject) => {
      const worker = new Worker(workerUrl, { workerData: { role: readerMode ? 'read' : 'parse' } });
      const inFlight: { index: number; entries: Entry[] }[] = [];
      let exhausted = false;
      let stopped = false;
      // Answers are handled in order (a reader's are parsed here, which may first wait for the parsers).
      let handled = Promise.resolve();
      const send = () => {
        const entries = exhausted ? [] : nextBatch();
        if (entries.length === 0) {
          exhausted = true;
          // Stop the worker only once it has answered everything (closing drops unsent answers).
          if (inFlight.length === 0 && !stopped) {
            stopped = true;
            worker.postMessage(null);
            // Everything is answered: the scan need not wait for the thread to wind down.
            worker.unref();
            handled.then(resolve, reject);
          }
          return;
        }
        inFlight.push({ index: sent++, entries });
        worker.postMessage({ files: entries.map((e) => e.path), maxFileSize });
      };
      worker.on('message', (answer: unknown[] | ReadBatch) => {
        answered = true;
        const c = inFlight.shift()!;
        send(); // keep the worker busy before merging
        const paths = c.entries.map((e) => e.path);
        handled = handled.then(async () => {
          const results = Array.isArray(answer)
            ? decodeResults(answer, paths)
            : await parseRead(c.entries, answer);
          complete(c.index, c.entries, results);
        });
        handled.catch(reject);
      });
      worker.on('error', reject);
      worker.on('exit', (code) => {
        if (!stopped) reject(new Error(`scan worker stopped early (exit code ${code})`));
      });
      for (let k = 0; k < IN_FLIGHT; k++) send();
    });
  // Workers start first: they take a while to load the parsers, and have their first batches meanwhile.
  const workers = canUseWorkers ? Array.from({ length: Math.max(0, wanted) }, runWorker) : [];
  const { readConfig } = await parsers;
  const parseHere = (batch: readonly Entry[]) => {
    const paths = batch.map((e) => e.path);
    return ownCopy(
      paths.map((p) => readConfig(p, maxFileSize)),
      paths,
    );
  };
  // With parsing workers, this thread takes batches too, yielding after each so that their answers are
  // merged promptly. With a reader, it parses what the reader sends, and reads batches itself only until
  // the reader's first answer (the reader takes ~0.1 s to start).
  for (let batch = nextBatch(); batch.length > 0; batch = readerMode && answered ? [] : nextBatch()) {
    complete(sent++, batch, parseHere(batch));
    if (workers.length > 0) await new Promise((resolve) => setImmediate(resolve));
  }
  await Promise.all(workers);
}
