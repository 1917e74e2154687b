/**
 * Worker thread of the scan, in one of two roles (workerData.role):
 * - 'parse': reads and parses each batch, posts the results in wire form;
 * - 'read': only reads each batch (no parser is loaded): posts the files' bytes packed in one transferred
 *   buffer, with each file's length (-1: too large for one read, the scan reads it itself; -2: an issue).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { FormatIssue } from '../formats/types.js';
import { FIRST_READ, readSmallFile } from './read-file.js';

interface Batch {
  readonly files: readonly string[];
  readonly maxFileSize: number;
}

export type WorkerRole = 'parse' | 'read';

/** What a reader posts for a batch. */
export interface ReadBatch {
  readonly bytes: Uint8Array;
  readonly lengths: Int32Array;
  readonly issues: (FormatIssue | null)[];
}

const role = (workerData as { role?: WorkerRole } | undefined)?.role ?? 'parse';

if (role === 'read') {
  const shared = new Uint8Array(FIRST_READ);
  parentPort?.on('message', (batch: Batch | null) => {
    if (batch === null) {
      parentPort?.close();
      return;
    }
    const lengths = new Int32Array(batch.files.length);
    const issues: (FormatIssue | null)[] = [];
    // A new pack per batch: its buffer is transferred, not copied.
    let pack = new Uint8Array(FIRST_READ);
    let used = 0;
    batch.files.forEach((path, i) => {
      const r = readSmallFile(path, shared, batch.maxFileSize);
      issues.push(typeof r === 'object' ? r : null);
      if (typeof r !== 'number') {
        lengths[i] = r === undefined ? -1 : -2;
        return;
      }
      if (used + r > pack.length) {
        const grown = new Uint8Array(Math.max(pack.length * 2, used + r));
        grown.set(pack.subarray(0, used));
        pack = grown;
      }
      pack.set(shared.subarray(0, r), used);
      used += r;
      lengths[i] = r;
    });
    const message: ReadBatch = { bytes: pack.subarray(0, used), lengths, issues };
    parentPort?.postMessage(message, [pack.buffer, lengths.buffer]);
  });
} else {
  const { readConfig } = await import('./read-config.js');
  const { encodeResults } = await import('./wire.js');
  parentPort?.on('message', (batch: Batch | null) => {
    if (batch === null) {
      parentPort?.close();
      return;
    }
    const results = batch.files.map((f) => readConfig(f, batch.maxFileSize));
    parentPort?.postMessage(encodeResults(results, batch.files));
  });
}
