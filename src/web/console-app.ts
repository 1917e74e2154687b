/**
 * The administration web console: a Hono app of server-rendered pages, mounted at `/` by
 * `macfleet serve` (the API stays under /api/v1). Every route authenticates on its own (no global
 * middleware), so mounting the console never touches the API's routes.
 */
import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { mountAssets } from './assets.js';
import { authenticateRequests, loginRoutes, sessionIdleMs, SessionStore, type ConsoleEnv } from './auth.js';
import type { ConsoleDeps } from './deps.js';
import { registerConflictPages } from './pages/conflicts.js';
import { registerScanFixPages } from './pages/fix-plan.js';
import { registerInventoryFixPages } from './pages/inventory-fix.js';
import { registerDoctorPage } from './pages/doctor.js';
import { registerEventsPage } from './pages/events.js';
import { registerHostsPage } from './pages/hosts.js';
import { registerOverviewPage } from './pages/overview.js';
import { registerPoolPages } from './pages/pools.js';
import { registerScanPages } from './pages/scans.js';
import { registerVmPages } from './pages/vms.js';
import type { Kit } from './route-kit.js';
import { ScanShelf } from './scan-shelf.js';
import { ScanStore } from '../store/scan-store.js';
import { FleetCache } from './fleet-data.js';

/** Paths the console answers; everything else is left to the app it is mounted in. */
export const CONSOLE_PREFIXES = [
  '/',
  '/login',
  '/logout',
  '/assets/',
  '/hosts',
  '/vms',
  '/conflicts',
  '/pools',
  '/events',
  '/doctor',
  '/scans',
] as const;

export interface ConsoleHandle {
  readonly app: Hono<ConsoleEnv>;
  /** Uploaded scans (the demo puts the example fleet's audit here). */
  readonly scans: ScanShelf;
}

/** Build the console. */
export function createConsole(deps: ConsoleDeps): ConsoleHandle {
  const app = new Hono<ConsoleEnv>();
  const sessions = new SessionStore(sessionIdleMs(deps));
  const scans = new ScanShelf(deps.scans ?? new ScanStore(deps.store, deps.clock));
  const kit: Kit = { deps, guard: authenticateRequests(deps, sessions), scans, cache: new FleetCache() };
  const headers = secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
    },
    referrerPolicy: 'same-origin',
  });
  for (const p of CONSOLE_PREFIXES) app.use(p.endsWith('/') && p !== '/' ? `${p}*` : p, headers);
  for (const p of ['/hosts', '/vms', '/conflicts', '/pools', '/events', '/doctor', '/scans'])
    app.use(`${p}/*`, headers);
  mountAssets(app);
  const login = loginRoutes(deps, sessions);
  app.get('/login', (c) => login.show(c));
  app.post('/login', (c) => login.submit(c));
  app.post('/logout', kit.guard, (c) => login.logout(c));
  registerOverviewPage(app, kit);
  registerHostsPage(app, kit);
  registerVmPages(app, kit);
  registerConflictPages(app, kit);
  registerScanFixPages(app, kit);
  registerInventoryFixPages(app, kit);
  registerPoolPages(app, kit);
  registerEventsPage(app, kit);
  registerDoctorPage(app, kit);
  registerScanPages(app, kit);
  return { app, scans };
}

/** The console's Hono app (see `createConsole` for the handle with its scan shelf). */
export const consoleApp = (deps: ConsoleDeps): Hono<ConsoleEnv> => createConsole(deps).app;
