/**
 * The HTTP API as a Hono app: `createApp(deps, options)`. Every route is declared once with its zod
 * schemas (validation + the OpenAPI 3.1 document at /openapi.json, rendered at /docs), is thin over the
 * core, and fails through one error handler (problem.ts). The web console mounts beside it at `/`
 * (`options.web`); the API stays under /api/v1.
 *
 * Middleware, outermost first: request id (`X-Request-Id`, echoed or made), metrics, the request timeout,
 * the body limit; on /api/v1 also the bearer token (401), the per-token rate limit (429) and, for
 * writes, the write log (each response waits until its record is durable).
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Hono, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { routePath } from 'hono/route';
import { randomUUID } from 'node:crypto';
import { MacfleetError } from '../errors.js';
import type { ApiDeps } from './deps.js';
import { docsPage } from './docs-page.js';
import { asMacfleetError, problemOf } from './problem.js';
import { DEFAULT_RATE_LIMIT, RateLimiter, type RateLimitOptions } from './rate-limit.js';
import { API_PREFIX, nodeIo, requestHeader, writeRecordOf, type ApiEnv } from './respond.js';
import { registerEventRoutes } from './routes/events-routes.js';
import { registerFleetRoutes } from './routes/fleet-routes.js';
import { registerFixRoutes } from './routes/fix-routes.js';
import { registerHealthRoutes } from './routes/health-routes.js';
import { registerImportRoutes } from './routes/import-routes.js';
import { registerInventoryFixRoutes } from './routes/inventory-fix-routes.js';
import { registerMacRoutes } from './routes/mac-routes.js';
import { registerPoolRoutes } from './routes/pool-routes.js';
import { registerPredictRoutes } from './routes/predict-routes.js';
import { registerScanRoutes } from './routes/scan-routes.js';
import { registerTokenRoutes } from './routes/token-routes.js';
import { registerToolRoutes } from './routes/tool-routes.js';

export interface AppOptions {
  /** The web console, mounted at `/` (its routes must stay off /api, /docs, /openapi.json, /metrics, /healthz, /readyz). */
  readonly web?: Hono<ApiEnv>;
  /** Per-token rate limit; `false` turns it off. Default: 5,000 requests/s, bursts of 10,000. */
  readonly rateLimit?: RateLimitOptions | false;
  /** Largest request body (bytes, default 16 MiB). */
  readonly bodyLimitBytes?: number;
  /** A request that takes longer is answered 503 TIMEOUT (ms, default 30 s). */
  readonly requestTimeoutMs?: number;
  /** Where unexpected errors are logged (with the request id); default stderr. */
  readonly log?: (line: string) => void;
}

export const DEFAULT_BODY_LIMIT = 16 * 1024 * 1024;
/** The routes that take uploads (the API's, and the console's form): `deps.uploadLimits.maxUploadBytes`. */
const UPLOAD_PATHS = new Set([`${API_PREFIX}/scans`, '/scans']);
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
const REQUEST_ID = /^[\w.:-]{1,128}$/;
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function createApp(deps: ApiDeps, options: AppOptions = {}): OpenAPIHono<ApiEnv> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const limiter =
    options.rateLimit === false ? undefined : new RateLimiter(options.rateLimit ?? DEFAULT_RATE_LIMIT);
  const timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const app = new OpenAPIHono<ApiEnv>({
    defaultHook: (result) => {
      if (result.success) return;
      const issue = result.error.issues[0];
      // An unknown key of a strict object is named in the issue, not in its path.
      const path =
        issue === undefined
          ? []
          : [
              ...issue.path.map(String),
              ...(issue.code === 'unrecognized_keys' ? issue.keys.slice(0, 1) : []),
            ];
      const field = [result.target, ...path].join('.');
      throw new MacfleetError('INVALID_ARGUMENT', `${field}: ${issue?.message ?? 'invalid'}`, {
        location: { field },
        details: {
          issues: result.error.issues.map((i) => ({
            path: [result.target, ...i.path.map(String)].join('.'),
            message: i.message,
          })),
        },
      });
    },
  });

  app.use('*', async (c, next) => {
    const started = performance.now();
    const incoming = requestHeader(c, 'x-request-id');
    const requestId = incoming !== undefined && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    c.set('requestId', requestId);
    c.set('deps', deps);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        next(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new MacfleetError(
                  'TIMEOUT',
                  `the request took longer than ${timeoutMs} ms; it may still complete (retry with the same idempotency key)`,
                ),
              ),
            timeoutMs,
          );
        }),
      ]);
    } catch (e) {
      c.res = errorResponse(e, c.req.path, requestId);
    } finally {
      clearTimeout(timer);
    }
    // Under node the header goes on node's response (its writeHead merges it): touching the light
    // response's headers would build a fetch Headers for it. In process: Hono's `c.header` after the
    // handler rebuilds the response, so a response this app made (mutable headers) gets it in place;
    // immutable ones (from fetch) take the slow way.
    const io = nodeIo(c);
    if (io !== undefined && !io.outgoing.headersSent) io.outgoing.setHeader('X-Request-Id', requestId);
    else {
      try {
        c.res.headers.set('X-Request-Id', requestId);
      } catch {
        c.header('X-Request-Id', requestId);
      }
    }
    // eslint-disable-next-line @typescript-eslint/no-unsafe-argument -- hono/route types its Context loosely
    const route = c.req.routePath === '*' && c.res.status === 404 ? 'unmatched' : routePath(c, -1);
    deps.metrics.requests.inc({ method: c.req.method, route, status: String(c.res.status) });
    deps.metrics.latency.observe({ method: c.req.method, route }, (performance.now() - started) / 1000);
  });

  const errorResponse = (e: unknown, instance: string, requestId: string): Response => {
    let error: MacfleetError;
    if (e instanceof HTTPException) {
      error =
        e.status === 413
          ? new MacfleetError('PAYLOAD_TOO_LARGE', e.message)
          : new MacfleetError(
              e.status === 400 ? 'PARSE_ERROR' : 'INVALID_ARGUMENT',
              e.message || 'malformed request',
            );
    } else error = asMacfleetError(e);
    if (error.code === 'INTERNAL') log(`macfleet serve: request ${requestId}: ${errorText(e)}`);
    if (error.code === 'STORE_UNAVAILABLE' || error.code === 'INTERNAL')
      deps.metrics.storeErrors.inc({ code: error.code });
    const body = problemOf(error, instance, requestId);
    const headers: Record<string, string> = { 'Content-Type': 'application/problem+json' };
    if (error.code === 'UNAUTHENTICATED') headers['WWW-Authenticate'] = 'Bearer realm="macfleet"';
    const retry = error.details['retryAfter'];
    if (typeof retry === 'number') headers['Retry-After'] = String(retry);
    return new Response(JSON.stringify(body), { status: body.status, headers });
  };
  app.onError((e, c) => errorResponse(e, c.req.path, c.get('requestId')));
  app.notFound((c) =>
    errorResponse(
      new MacfleetError('NOT_FOUND', `no route ${c.req.method} ${c.req.path}`),
      c.req.path,
      c.get('requestId'),
    ),
  );

  const maxBody = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT;
  const maxUpload = Math.max(maxBody, deps.uploadLimits.maxUploadBytes);
  const tooLarge = (max: number): never => {
    throw new MacfleetError('PAYLOAD_TOO_LARGE', `the request body is larger than ${max} bytes`);
  };
  const limitStream: MiddlewareHandler<ApiEnv> = bodyLimit({
    maxSize: maxBody,
    onError: () => tooLarge(maxBody),
  });
  const limitUploadStream: MiddlewareHandler<ApiEnv> = bodyLimit({
    maxSize: maxUpload,
    onError: () => tooLarge(maxUpload),
  });
  // The limit reads Content-Length when there is one (node's parser never delivers more than it says).
  // A chunked body, or one without either header (a fetch Request made in-process), is counted as it
  // streams by hono's bodyLimit; a GET or HEAD without either has no body (RFC 9112 §6.3). The fast
  // paths matter: touching `c.req.raw.body` makes @hono/node-server build a whole fetch Request with a
  // body stream, a sixth of an allocation's CPU.
  const limitBody: MiddlewareHandler<ApiEnv> = (c, next) => {
    const upload = c.req.method === 'POST' && UPLOAD_PATHS.has(c.req.path);
    const max = upload ? maxUpload : maxBody;
    const length = requestHeader(c, 'content-length');
    if (requestHeader(c, 'transfer-encoding') === undefined) {
      if (length !== undefined) return Number(length) > max ? tooLarge(max) : next();
      if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    }
    return (upload ? limitUploadStream : limitStream)(c, next);
  };
  app.use('*', limitBody);

  app.use(`${API_PREFIX}/*`, async (c, next) => {
    const header = requestHeader(c, 'authorization');
    const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (match === null) {
      throw new MacfleetError(
        'UNAUTHENTICATED',
        'a bearer token is needed: Authorization: Bearer mft_... (macfleet token create)',
      );
    }
    const principal = await deps.authenticate(match[1]!);
    if (principal === null)
      throw new MacfleetError('UNAUTHENTICATED', 'the token is unknown, revoked or expired');
    c.set('principal', principal);
    const wait = limiter?.take(principal.name, deps.clock.now()) ?? 0;
    if (wait > 0) {
      throw new MacfleetError(
        'RATE_LIMITED',
        `too many requests from token ${principal.name}; retry in ${wait} s`,
        {
          details: { retryAfter: wait },
        },
      );
    }
    if (READS.has(c.req.method)) return next();
    await next();
    // A route that recorded its write in its own transaction (an allocation) is done, unless what it
    // answered is not that success (a response that failed its schema after the write).
    if (c.get('writeLogged') === true && c.res.status < 300) return;
    const problem = c.res.headers.get('content-type')?.startsWith('application/problem+json') === true;
    const code = problem ? (((await c.res.clone().json()) as { code?: string }).code ?? null) : null;
    await deps.writes.append({ ...writeRecordOf(c, c.res.status), code });
  });

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'a token from `macfleet token create --role viewer|operator|admin`',
  });
  registerHealthRoutes(app);
  registerMacRoutes(app);
  registerPoolRoutes(app);
  registerFleetRoutes(app);
  registerEventRoutes(app);
  registerImportRoutes(app);
  registerInventoryFixRoutes(app);
  registerTokenRoutes(app);
  registerToolRoutes(app);
  registerScanRoutes(app);
  registerPredictRoutes(app);
  registerFixRoutes(app);

  let document: string | undefined;
  const openapi = (): string =>
    (document ??= JSON.stringify(
      app.getOpenAPI31Document({
        openapi: '3.1.0',
        info: {
          title: 'macfleet',
          version: '0.1.0',
          description:
            'MAC address control for virtual machine fleets: pools, allocation, the fleet inventory and its audit log.',
        },
      }),
    ));
  app.get('/openapi.json', (c) => c.body(openapi(), 200, { 'Content-Type': 'application/json' }));
  app.get('/docs', (c) => c.html(docsPage(JSON.parse(openapi()) as Parameters<typeof docsPage>[0])));

  if (options.web !== undefined) app.route('/', options.web);
  return app;
}

function errorText(e: unknown): string {
  if (e instanceof MacfleetError && e.cause !== undefined) return `${e.message}: ${errorText(e.cause)}`;
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}
