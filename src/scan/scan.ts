/**
 * `scan`: walk the trees, read every VM config (in worker threads on large trees, one per core), resolve
 * hosts and segments, and run the audit. The result is data; the CLI renders it.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { audit, type Finding, type SegmentRule } from '../audit/index.js';
import type { AdapterRecord, FormatIssue, FormatName } from '../formats/types.js';
import type { HostMatcher } from './host-from-path.js';
import { readConfig, type FileResult } from './read-config.js';
import { walk } from './walk.js';

export const DEFAULT_MAX_FILE_SIZE = 16 * 1024 * 1024;

export interface ScanOptions {
  readonly follow?: boolean;
  readonly maxFileSize?: number;
  readonly hostFromPath?: HostMatcher;
  readonly segments?: readonly SegmentRule[];
  /** Worker threads: default one per core when the tree is large (0 = parse in this thread). */
  readonly workers?: number;
  /** Called as files are parsed (for a progress bar). */
  readonly onProgress?: (done: number, total: number) => void;
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
}

const BATCH = 512;
const WORKER_THRESHOLD = 2000;

export async function scan(paths: readonly string[], options: ScanOptions = {}): Promise<ScanResult> {
  const maxFileSize = options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
  const walked = walk(paths, { follow: options.follow ?? false });
  const files = walked.files.map((f) => f.path);
  const results = await parseAll(files, maxFileSize, options);
  const adapters: AdapterRecord[] = [];
  const issues: FormatIssue[] = [...walked.issues];
  const formats: Partial<Record<FormatName, number>> = {};
  let configFiles = 0;
  results.forEach((r, i) => {
    issues.push(...r.issues);
    if (r.format === undefined) return;
    configFiles++;
    formats[r.format] = (formats[r.format] ?? 0) + 1;
    const f = walked.files[i]!;
    const host = options.hostFromPath?.(relative(f.root, f.path) || f.path) ?? null;
    for (const a of r.adapters) adapters.push(a.host === null && host !== null ? { ...a, host } : a);
  });
  const findings = audit(adapters, options.segments ? { segments: options.segments } : {});
  return { files: configFiles, filesSeen: files.length, formats, adapters, findings, issues };
}

async function parseAll(
  files: readonly string[],
  maxFileSize: number,
  options: ScanOptions,
): Promise<FileResult[]> {
  const workerUrl = new URL('./scan-worker.js', import.meta.url);
  const cores = Math.max(1, availableParallelism());
  const wanted = options.workers ?? (files.length >= WORKER_THRESHOLD ? cores : 0);
  // Under a TypeScript runner the compiled worker does not exist: parse in this thread.
  const canUseWorkers = workerUrl.protocol === 'file:' && existsSync(fileURLToPath(workerUrl));
  if (wanted === 0 || !canUseWorkers) {
    const out: FileResult[] = [];
    for (let i = 0; i < files.length; i++) {
      out.push(readConfig(files[i]!, maxFileSize));
      if (options.onProgress && (i % 256 === 255 || i === files.length - 1))
        options.onProgress(i + 1, files.length);
    }
    return out;
  }
  const results: FileResult[] = new Array<FileResult>(files.length);
  let next = 0;
  let done = 0;
  const runWorker = () =>
    new Promise<void>((resolve, reject) => {
      const worker = new Worker(workerUrl);
      let start = 0;
      const send = () => {
        if (next >= files.length) {
          worker.postMessage(null);
          return;
        }
        start = next;
        next = Math.min(files.length, next + BATCH);
        worker.postMessage({ files: files.slice(start, next), maxFileSize });
      };
      worker.on('message', (batch: FileResult[]) => {
        for (let k = 0; k < batch.length; k++) results[start + k] = batch[k]!;
        done += batch.length;
        options.onProgress?.(done, files.length);
        send();
      });
      worker.on('error', reject);
      worker.on('exit', () => resolve());
      send();
    });
  await Promise.all(Array.from({ length: Math.min(wanted, Math.ceil(files.length / BATCH)) }, runWorker));
  return results;
}
