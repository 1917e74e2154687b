/**
 * What the console needs from the process that serves it. This is the seam with `macfleet serve`:
 * the service builds one of these from its own store and token check and mounts `consoleApp(deps)` at
 * `/`; tests and the demo build it directly. Everything else the console does, it does by calling the
 * core (src/fleet, src/store, src/lab, src/scan) the way the CLI does.
 */
import type { Principal } from '../api/principal.js';
import type { Clock, Random } from '../random.js';
import type { UploadLimits } from '../scan/upload.js';
import type { ScanStore } from '../store/scan-store.js';
import type { Store } from '../store/store.js';

export interface ConsoleDeps {
  readonly store: Store;
  readonly clock: Clock;
  /** For the hypervisors' random schemes, session ids and CSRF tokens' companions. */
  readonly random: Random;
  /** The principal a bearer token stands for; null or undefined for an unknown, revoked or expired token. */
  authenticate(token: string): Promise<Principal | null | undefined>;
  /** Mark session cookies `Secure` (when served over HTTPS). Default false: loopback HTTP. */
  readonly secureCookies?: boolean;
  /** How long a console session lasts without use (ms). Default 8 hours. */
  readonly sessionIdleMs?: number;
  /** Uploaded scans (shared with the API, which holds the retention); default: over `store`. */
  readonly scans?: ScanStore;
  /** Upload bounds (shared with the API and its body limit); default UPLOAD_LIMITS. */
  readonly uploadLimits?: UploadLimits;
}
