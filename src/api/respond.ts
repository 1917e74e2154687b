/**
 * What every route shares: the Hono environment, the role check, the error responses each route
 * documents, response validation against the route's own schema, and cursor pagination.
 */
import { createRoute, type RouteConfig, type z } from '@hono/zod-openapi';
import type { Context, Input, MiddlewareHandler } from 'hono';
import { MacfleetError } from '../errors.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WriteRecord } from '../store/write-log.js';
import type { ApiDeps } from './deps.js';
import { roleAllows, type Principal, type Role } from './principal.js';
import { ProblemSchema } from './schemas.js';

export interface ApiEnv {
  Variables: {
    deps: ApiDeps;
    requestId: string;
    /** Set by the authentication middleware on /api/v1. */
    principal: Principal;
    /** Set by a route that wrote its write-log record in its own transaction (an allocation). */
    writeLogged?: boolean;
  };
}

/**
 * The write-log record of this request, with the status it will have if the write succeeds (the
 * middleware writes the refused ones, and any whose route did not write its own).
 */
export function writeRecordOf<P extends string, I extends Input>(
  c: Context<ApiEnv, P, I>,
  status = 200,
): WriteRecord {
  return {
    requestId: c.get('requestId'),
    time: c.var.deps.clock.now(),
    actor: c.get('principal').name,
    method: c.req.method,
    path: c.req.path,
    status,
    code: null,
  };
}

export const API_PREFIX = '/api/v1';

/** What `nodeIo` and `requestHeader` read of a Hono context. */
interface RequestContext {
  readonly env: unknown;
  readonly req: { header(name: string): string | undefined };
}

/**
 * The node request and response, when the app runs under @hono/node-server (they are its env);
 * undefined in process (`app.request`).
 */
export function nodeIo(
  c: RequestContext,
): { incoming: IncomingMessage; outgoing: ServerResponse } | undefined {
  const env = c.env as { incoming?: IncomingMessage; outgoing?: ServerResponse } | undefined;
  return env?.incoming !== undefined && env.outgoing !== undefined
    ? { incoming: env.incoming, outgoing: env.outgoing }
    : undefined;
}

/**
 * A request header (any case). Under node it is read from node's parsed headers: asking the fetch
 * Request makes @hono/node-server build a whole Headers object for the request, several µs of every
 * request that only needs its token and its length.
 */
export function requestHeader(c: RequestContext, name: string): string | undefined {
  const io = nodeIo(c);
  if (io === undefined) return c.req.header(name);
  const value = io.incoming.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Refuse the request (403) unless the caller's role allows `role`. */
export const need =
  (role: Role): MiddlewareHandler<ApiEnv> =>
  async (c, next) => {
    const p = c.get('principal');
    if (!roleAllows(p.role, role)) {
      throw new MacfleetError('FORBIDDEN', `this needs the ${role} role; the token ${p.name} has ${p.role}`);
    }
    await next();
  };

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ProblemSchema } },
});

/** The error responses of an authenticated route (the body of each is a Problem). */
const ERROR_RESPONSES = {
  400: problem('the request does not match its schema, or its JSON is malformed'),
  401: problem('no token, or an unknown, revoked or expired one'),
  403: problem("the token's role does not allow this"),
  413: problem('the body is larger than the limit'),
  422: problem('a MAC or range in the request is not valid'),
  429: problem('too many requests from this token; see Retry-After'),
  503: problem('the store is unavailable, or the request took too long'),
} as const;

/**
 * An /api/v1 route: the path is written without the prefix; `role` is documented and enforced (403);
 * `errors` adds route-specific statuses (404, 409). The type stays the config's own, so handlers are
 * typed by their request and success-response schemas (errors are thrown, never returned).
 */
export function apiRoute<R extends RouteConfig>(
  role: Role,
  config: R,
  errors: { 404?: string; 409?: string } = {},
): R {
  const extra: Record<number, ReturnType<typeof problem>> = {};
  if (errors[404] !== undefined) extra[404] = problem(errors[404]);
  if (errors[409] !== undefined) extra[409] = problem(errors[409]);
  return createRoute({
    ...config,
    path: `${API_PREFIX}${config.path}`,
    security: [{ bearer: [] }],
    description: `${config.description === undefined ? '' : `${config.description}\n\n`}Role: ${role}.`,
    middleware: [need(role)],
    responses: { ...config.responses, ...ERROR_RESPONSES, ...extra },
  });
}

/** Validate a response body against its schema: a mismatch is a server bug, answered as a 500. */
/** A route's JSON response: its schema (validated, and in the OpenAPI document) and what it means. */
export const json = <S extends z.ZodType>(schema: S, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

export function check<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const r = schema.safeParse(body);
  if (!r.success) {
    throw new MacfleetError('INTERNAL', 'the response did not match its schema', { cause: r.error });
  }
  return r.data;
}

/**
 * Cursors are opaque to clients: base64url of the last item's key. `next` is the request's own URL
 * with the cursor of the page's last item, or null when the page was the last.
 */
export const encodeCursor = (key: string): string => Buffer.from(key, 'utf8').toString('base64url');

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (encodeCursor(text) !== cursor) {
    throw new MacfleetError('INVALID_ARGUMENT', 'cursor: not a cursor this server handed out', {
      location: { field: 'cursor' },
    });
  }
  return text;
}

export function nextLink(c: Context, lastKey: string | undefined, full: boolean): string | null {
  if (!full || lastKey === undefined) return null;
  const url = new URL(c.req.url);
  url.searchParams.set('cursor', encodeCursor(lastKey));
  return `${url.pathname}${url.search}`;
}

/** One page of a list already in key order: items after `cursor`, `limit` of them, and the next link. */
export function pageOf<T, U>(
  c: Context,
  all: readonly T[],
  keyOf: (item: T) => string,
  query: { limit: number; cursor?: string | undefined },
  view: (item: T) => U,
): { items: U[]; next: string | null } {
  const after = decodeCursor(query.cursor);
  // Key order is JS string order here, whatever collation the database sorted by.
  all = [...all].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
  let start = 0;
  if (after !== undefined) {
    start = all.findIndex((x) => keyOf(x) > after);
    if (start < 0) start = all.length;
  }
  const slice = all.slice(start, start + query.limit);
  const more = start + query.limit < all.length;
  return {
    items: slice.map(view),
    next: nextLink(c, slice.length === 0 ? undefined : keyOf(slice.at(-1)!), more),
  };
}

export { isoString as iso } from '../time.js';
