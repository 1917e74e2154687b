/**
 * A console server for the browser tests, as a child process: the demo fleet seeded into a temporary
 * database, the console on 127.0.0.1 (a free port, printed as `listening <url>`), and fixed tokens
 * from $MACFLEET_TEST_TOKENS (`token:role:name,...`). Stops on SIGTERM.
 */
import { serve } from '@hono/node-server';
import { fileURLToPath } from 'node:url';
import { ROLES, type Principal } from '../../src/api/principal.js';
import { cryptoRandom } from '../../src/crypto-random.js';
import { systemClock } from '../../src/random.js';
import { storeFleetDeps } from '../../src/store/fleet-deps.js';
import { openStore } from '../../src/store/open-store.js';
import { createConsole } from '../../src/web/console-app.js';
import { scanFleetTree, seedDemoFleet, shelveExampleScan } from '../../src/web/demo-fleet.js';

const db = process.argv[2];
if (db === undefined) throw new Error('usage: console-child.ts <db file>');
const tokens = new Map<string, Principal>();
for (const item of (process.env['MACFLEET_TEST_TOKENS'] ?? '').split(',').filter(Boolean)) {
  const [token, role, name] = item.split(':');
  const r = ROLES.find((x) => x === role);
  if (token !== undefined && r !== undefined) tokens.set(token, { name: name ?? role!, role: r });
}
const store = await openStore(db);
const random = cryptoRandom();
const example = await scanFleetTree(fileURLToPath(new URL('../../examples/fleet', import.meta.url)));
await seedDemoFleet(
  store,
  storeFleetDeps(store, { clock: systemClock, random, actor: 'demo' }),
  example,
  Date.now(),
);
const { app, scans } = createConsole({
  store,
  clock: systemClock,
  random,
  authenticate: (t) => Promise.resolve(tokens.get(t)),
});
shelveExampleScan(scans, example, Date.now());
const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => {
  process.stdout.write(`listening http://127.0.0.1:${info.port}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  void store.close().then(() => process.exit(0));
});
