/** Worker thread: parses batches of files sent by the scan and posts the results back (in wire form). */
import { parentPort } from 'node:worker_threads';
import { readConfig, type FileResult } from './read-config.js';
import { encodeResults } from './wire.js';

interface Batch {
  readonly files: readonly string[];
  readonly maxFileSize: number;
}

parentPort?.on('message', (batch: Batch | null) => {
  if (batch === null) {
    parentPort?.close();
    return;
  }
  const results: FileResult[] = batch.files.map((f) => readConfig(f, batch.maxFileSize));
  parentPort?.postMessage(encodeResults(results, batch.files));
});
