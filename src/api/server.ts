/**
 * Running the app on a socket: `startServer` listens (loopback by default), `stop` stops accepting,
 * lets in-flight requests finish (closing idle keep-alive connections); the caller closes the store.
 */
import { serve } from '@hono/node-server';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isIP } from 'node:net';
import { MacfleetError } from '../errors.js';
import { createApp, type AppOptions } from './app.js';
import type { ApiDeps } from './deps.js';
import { loadVendors } from './routes/mac-routes.js';

export const DEFAULT_LISTEN = '127.0.0.1:8470';

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/** `127.0.0.1:8470`, `[::1]:8470`, `:8470` (loopback), `8470`. */
export function parseListen(text: string): ListenAddress {
  const t = text.trim();
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*))?:?(\d{1,5})$/.exec(t);
  const port = m === null ? NaN : Number(m[3]);
  if (m === null || !(port >= 0 && port <= 65535)) {
    throw new MacfleetError(
      'INVALID_ARGUMENT',
      `--listen ${JSON.stringify(text)}: expected host:port such as 127.0.0.1:8470 or [::1]:8470`,
      {
        location: { field: '--listen' },
      },
    );
  }
  const host = m[1] ?? (m[2] === undefined || m[2] === '' ? '127.0.0.1' : m[2]);
  return { host, port };
}

/** Whether an address only this machine can reach. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

export interface RunningServer {
  readonly address: ListenAddress;
  readonly url: string;
  /** Stop accepting and finish in-flight requests (the store stays open). */
  stop(): Promise<void>;
}

export async function startServer(
  deps: ApiDeps,
  listen: ListenAddress,
  options: AppOptions = {},
): Promise<RunningServer> {
  const app = createApp(deps, options);
  await loadVendors();
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: listen.host, port: listen.port }, () =>
      resolve(s),
    ) as Server;
    s.once('error', (e) =>
      reject(
        new MacfleetError('IO_ERROR', `cannot listen on ${listen.host}:${listen.port}: ${e.message}`, {
          cause: e,
        }),
      ),
    );
  });
  // Slow or stalled clients: headers within 30 s, a whole request within 60 s (node answers 408).
  server.headersTimeout = 30_000;
  server.requestTimeout = 60_000;
  server.keepAliveTimeout = 5_000;
  const a = server.address() as AddressInfo;
  const address = { host: a.address, port: a.port };
  const url = `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
  let stopping: Promise<void> | undefined;
  return {
    address,
    url,
    stop: () =>
      (stopping ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      })),
  };
}
