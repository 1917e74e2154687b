/**
 * A child process for the concurrency and crash tests: opens the store, allocates one MAC at a time
 * from a pool (each its own committed transaction) and prints each MAC on stdout once committed.
 * With `parallel` > 1, that many loops run at once in the process (as in a server), sharing `count`.
 * Usage: node --import tsx allocate-loop.ts <db path|url> <pool> <count|forever> [parallel]
 */
import { formatMac } from '../../src/mac/index.js';
import { openStore } from '../../src/store/open-store.js';
import { PoolStore } from '../../src/store/pool-store.js';

const [db, pool, countText, parallelText = '1'] = process.argv.slice(2);
if (db === undefined || pool === undefined || countText === undefined) {
  process.stderr.write('usage: allocate-loop.ts <db> <pool> <count|forever>\n');
  process.exit(2);
}
const count = countText === 'forever' ? Infinity : Number(countText);
const store = await openStore(db);
const pools = new PoolStore(store);
process.stdout.write('ready\n');
let started = 0;
async function loop(): Promise<void> {
  while (started < count) {
    started++;
    const { macs } = await pools.allocate({ pool: pool!, owner: `worker-${process.pid}` });
    // Pipes are synchronous on Linux: once write returns, the parent can read the line even if we die.
    process.stdout.write(`${formatMac(macs[0]!)}\n`);
  }
}
const start = performance.now();
await Promise.all(Array.from({ length: Number(parallelText) }, loop));
process.stdout.write(`done in ${Math.round(performance.now() - start)} ms\n`);
await store.close();
