/**
 * Seeds a database for the console's browser tests, then exits: the demo fleet, and one token per
 * role, printed as JSON `{"operator": "mft_...", "viewer": "mft_..."}`. The tests then run
 * `macfleet serve` on it.
 */
import { fileURLToPath } from 'node:url';
import { apiDeps } from '../../src/api/deps.js';
import { openStore } from '../../src/store/open-store.js';
import { scanFleetTree, seedDemoFleet } from '../../src/web/demo-fleet.js';

const db = process.argv[2];
if (db === undefined) throw new Error('usage: console-seed.ts <db file>');
const store = await openStore(db);
const deps = apiDeps(store);
const example = await scanFleetTree(fileURLToPath(new URL('../../examples/fleet', import.meta.url)));
await seedDemoFleet(store, deps.fleet('demo'), example, deps.clock.now());
const operator = (await deps.tokens.create({ role: 'operator', name: 'olivia' })).token;
const viewer = (await deps.tokens.create({ role: 'viewer', name: 'victor' })).token;
process.stdout.write(`${JSON.stringify({ operator, viewer })}\n`);
await store.close();
