/**
 * `npm start`: the demo. Opens (and migrates) the embedded SQLite database — `$MACFLEET_DB`, else
 * `.macfleet/demo.db` under the current directory — seeds the demo fleet and creates an admin token
 * on the first run, then serves the API and the console as `macfleet serve` does on 127.0.0.1:8470
 * (`$MACFLEET_LISTEN` to change it), printing the URL (and, on the first run, the token).
 */
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { apiDeps } from '../api/deps.js';
import { DEFAULT_LISTEN, parseListen, startServer } from '../api/server.js';
import { openStore } from '../store/open-store.js';
import { isEmptyFleet, scanFleetTree, seedDemoFleet, shelveExampleScan } from './demo-fleet.js';
import { mountableConsole } from './mount.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const db = process.env['MACFLEET_DB']?.trim() || join(process.cwd(), '.macfleet', 'demo.db');
if (!/^postgres(ql)?:\/\//i.test(db)) mkdirSync(dirname(db), { recursive: true });
const store = await openStore(db);
const deps = apiDeps(store);
const example = await scanFleetTree(join(root, 'examples', 'fleet'));
let token: string | undefined;
const mounted = mountableConsole(deps);
if (await isEmptyFleet(store)) {
  await seedDemoFleet(store, deps.fleet('demo'), example, deps.clock.now());
  await shelveExampleScan(mounted.scans, join(root, 'examples', 'fleet'));
  token = (await deps.tokens.create({ role: 'admin', name: 'demo-admin' })).token;
}
const listen = parseListen(process.env['MACFLEET_LISTEN'] ?? DEFAULT_LISTEN);
const server = await startServer(deps, listen, { web: mounted.web });
process.stdout.write(`macfleet console: ${server.url}/  (database ${db})\n`);
if (token !== undefined) {
  process.stdout.write(
    `first run: demo fleet seeded; sign in with this admin token (shown once, keep it):\n  ${token}\n`,
  );
} else {
  process.stdout.write(
    'sign in with a token (create one: ./bin/macfleet token create --role admin --db ' + db + ')\n',
  );
}
const stop = () => {
  void server.stop().then(() => store.close());
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
