/**
 * What the HTTP API (and the web console mounted beside it) work with: one Store, the services over it
 * built once per process (one PoolStore, so concurrent allocations share transactions), the tokens, the
 * write log, the metrics, and the fleet core wired as the CLI wires it (`storeFleetDeps`).
 */
import { cryptoRandom } from '../crypto-random.js';
import type { FleetDeps } from '../fleet/index.js';
import { systemClock, type Clock, type Random } from '../random.js';
import { storeFleetDeps } from '../store/fleet-deps.js';
import { openStore, type DbLocation } from '../store/open-store.js';
import { PoolStore } from '../store/pool-store.js';
import { UPLOAD_LIMITS, type UploadLimits } from '../scan/upload.js';
import { ScanStore } from '../store/scan-store.js';
import type { Store } from '../store/store.js';
import { TokenStore } from '../store/token-store.js';
import { WriteLog } from '../store/write-log.js';
import { ApiMetrics } from './metrics.js';
import type { Principal } from './principal.js';

export interface ApiDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly random: Random;
  readonly pools: PoolStore;
  readonly tokens: TokenStore;
  readonly writes: WriteLog;
  readonly metrics: ApiMetrics;
  /** Uploaded scans (shared with the console's Scan upload). */
  readonly scans: ScanStore;
  /** Bounds of one upload: files, bytes expanded, bytes per file. */
  readonly uploadLimits: UploadLimits;
  /** The fleet core acting as `actor` (the token's name): every event it records names the actor. */
  fleet(actor: string): FleetDeps;
  /** The caller a bearer token stands for, or null. */
  authenticate(token: string): Promise<Principal | null>;
}

export interface ApiDepsOptions {
  readonly clock?: Clock;
  readonly random?: Random;
  /** How long an authenticated token is trusted without asking the store again (ms). */
  readonly tokenCacheMs?: number;
  readonly metrics?: ApiMetrics;
  /** How many uploaded scans are kept (newest first; default DEFAULT_SCAN_RETENTION). */
  readonly scanRetention?: number;
  readonly uploadLimits?: UploadLimits;
}

/** The services over an open store (the caller closes the store). */
export function apiDeps(store: Store, options: ApiDepsOptions = {}): ApiDeps {
  const clock = options.clock ?? systemClock;
  const random = options.random ?? cryptoRandom();
  const tokens = new TokenStore(store, clock, options.tokenCacheMs);
  return {
    store,
    clock,
    random,
    pools: new PoolStore(store, clock),
    tokens,
    writes: new WriteLog(store),
    metrics: options.metrics ?? new ApiMetrics(),
    scans: new ScanStore(store, clock, options.scanRetention),
    uploadLimits: options.uploadLimits ?? UPLOAD_LIMITS,
    fleet: (actor) => storeFleetDeps(store, { clock, actor, random }),
    authenticate: (token) => tokens.authenticate(token),
  };
}

/** Open the store at `location` (migrating it) and build the services over it. */
export async function openApiDeps(
  location: string | DbLocation,
  options: ApiDepsOptions = {},
): Promise<ApiDeps> {
  return apiDeps(await openStore(location), options);
}
