/**
 * The console as `macfleet serve` mounts it: built over the API's own services (one store, one token
 * check), typed as the API app's sub-app. The console sets and reads only its own context variables
 * (`principal`, `session`), so sharing the API's context is safe.
 */
import type { Hono } from 'hono';
import type { ApiDeps } from '../api/deps.js';
import type { ApiEnv } from '../api/respond.js';
import { createConsole } from './console-app.js';
import type { ScanShelf } from './scan-shelf.js';

export interface MountedConsole {
  /** For `createApp(deps, { web })`. */
  readonly web: Hono<ApiEnv>;
  readonly scans: ScanShelf;
}

export function mountableConsole(deps: ApiDeps): MountedConsole {
  const { app, scans } = createConsole(deps);
  // Same Hono class with a narrower variable map: the console never reads the API's `deps`/`requestId`.
  return { web: app as unknown as Hono<ApiEnv>, scans };
}

export const consoleFor = (deps: ApiDeps): Hono<ApiEnv> => mountableConsole(deps).web;
