/** `macfleet serve`: the HTTP API (and the web console) over the store, until SIGTERM or SIGINT. */
import type { Command } from 'commander';
import { apiDeps } from '../../api/deps.js';
import { DEFAULT_RATE_LIMIT } from '../../api/rate-limit.js';
import { DEFAULT_BODY_LIMIT } from '../../api/app.js';
import { UPLOAD_LIMITS } from '../../scan/upload.js';
import { loadVendors } from '../../api/routes/mac-routes.js';
import { DEFAULT_LISTEN, isLoopback, parseListen, startServer } from '../../api/server.js';
import type { CliContext } from '../context.js';
import { intOption } from '../options.js';
import { DEFAULT_SCAN_RETENTION } from '../../store/scan-store.js';
import { checkNesting } from '../../store/nesting.js';
import { consoleFor } from '../../web/mount.js';
import { clockFrom, parseDuration, withStore, type StoreOptions } from '../store-options.js';

interface ServeOptions extends StoreOptions {
  readonly listen: string;
  readonly rateLimit: number;
  readonly rateBurst?: number;
  readonly bodyLimit: number;
  readonly uploadLimit: number;
  readonly requestTimeout: string;
  readonly keepScans: number;
}

export function registerServe(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description('serve the HTTP API (/api/v1, /openapi.json, /docs, /metrics) until SIGTERM or SIGINT')
    .option(
      '--listen <host:port>',
      'where to listen; anything but loopback is printed as a warning',
      DEFAULT_LISTEN,
    )
    .option('--db <path|url>', 'SQLite file or postgres:// URL ($MACFLEET_DB, when set, takes precedence)')
    .option(
      '--rate-limit <n>',
      'requests per second per token (0: no limit)',
      intOption('--rate-limit'),
      DEFAULT_RATE_LIMIT.perSecond,
    )
    .option(
      '--rate-burst <n>',
      'requests a token may send at once (default: twice --rate-limit)',
      intOption('--rate-burst', 1),
    )
    .option('--body-limit <bytes>', 'largest request body', intOption('--body-limit', 1), DEFAULT_BODY_LIMIT)
    .option(
      '--upload-limit <bytes>',
      'largest scan upload (POST /api/v1/scans, the console): files or one archive',
      intOption('--upload-limit', 1),
      UPLOAD_LIMITS.maxUploadBytes,
    )
    .option('--request-timeout <duration>', 'answer 503 TIMEOUT after this long', '30s')
    .option(
      '--keep-scans <n>',
      'uploaded scans kept in the database (the newest; an upload past this deletes the oldest)',
      intOption('--keep-scans', 1),
      DEFAULT_SCAN_RETENTION,
    )
    .action(async (opts: ServeOptions) => {
      const listen = parseListen(opts.listen);
      const timeout = parseDuration(opts.requestTimeout, '--request-timeout');
      await withStore(ctx, opts, async (store, location) => {
        const deps = apiDeps(store, {
          clock: clockFrom(undefined),
          scanRetention: opts.keepScans,
          uploadLimits: { ...UPLOAD_LIMITS, maxUploadBytes: opts.uploadLimit },
        });
        await loadVendors();
        // The nested-transaction guard costs every promise of the process (src/store/nesting.ts).
        checkNesting(false);
        const server = await startServer(deps, listen, {
          web: consoleFor(deps),
          rateLimit:
            opts.rateLimit === 0
              ? false
              : { perSecond: opts.rateLimit, burst: opts.rateBurst ?? opts.rateLimit * 2 },
          bodyLimitBytes: opts.bodyLimit,
          requestTimeoutMs: timeout,
          log: (line) => ctx.io.stderr(`${line}\n`),
        });
        if (!isLoopback(listen.host)) {
          ctx.io.stderr(
            `macfleet: warning: listening on ${server.url}, reachable from other machines; every request needs a token, but traffic is plain HTTP (put TLS in front)\n`,
          );
        }
        ctx.io.stderr(`macfleet: serving ${location.target} on ${server.url} (docs: ${server.url}/docs)\n`);
        // The action (and so the CLI's run) resolves only once the server has stopped: bin/macfleet exits then.
        await new Promise<void>((resolve) => {
          const stop = (signal: string): void => {
            process.off('SIGTERM', onTerm);
            process.off('SIGINT', onInt);
            ctx.io.stderr(`macfleet: ${signal}: finishing in-flight requests\n`);
            resolve();
          };
          const onTerm = (): void => stop('SIGTERM');
          const onInt = (): void => stop('SIGINT');
          process.on('SIGTERM', onTerm);
          process.on('SIGINT', onInt);
        });
        await server.stop();
        ctx.io.stderr('macfleet: stopped\n');
      });
    });
}
