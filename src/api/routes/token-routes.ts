/** Tokens (admin) and the API's write log (admin). */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import type { TokenInfo } from '../../store/token-store.js';
import { apiRoute, check, iso, nextLink, decodeCursor, pageOf, type ApiEnv } from '../respond.js';
import {
  PageQuery,
  NewTokenSchema,
  TokenCreateSchema,
  TokenPage,
  TokenSchema,
  WritePage,
} from '../schemas.js';

export const tokenJson = (t: TokenInfo) => ({
  name: t.name,
  role: t.role,
  key: t.key,
  createdAt: iso(t.createdAt),
  expiresAt: t.expiresAt === null ? null : iso(t.expiresAt),
  revokedAt: t.revokedAt === null ? null : iso(t.revokedAt),
});

const list = apiRoute('admin', {
  method: 'get',
  path: '/tokens',
  tags: ['tokens'],
  summary: 'every token (never its secret), by name',
  request: { query: PageQuery },
  responses: {
    200: { description: 'a page of tokens', content: { 'application/json': { schema: TokenPage } } },
  },
});

const create = apiRoute(
  'admin',
  {
    method: 'post',
    path: '/tokens',
    tags: ['tokens'],
    summary: 'create a token; the response is the only time its secret is shown',
    request: { body: { content: { 'application/json': { schema: TokenCreateSchema } }, required: true } },
    responses: {
      201: { description: 'the new token', content: { 'application/json': { schema: NewTokenSchema } } },
    },
  },
  { 409: 'a token by that name exists' },
);

const revoke = apiRoute(
  'admin',
  {
    method: 'delete',
    path: '/tokens/{name}',
    tags: ['tokens'],
    summary: 'revoke a token (by name or key); it stops working within seconds on every serve process',
    request: {
      params: z.object({
        name: z
          .string()
          .min(1)
          .max(128)
          .openapi({ param: { name: 'name', in: 'path' } }),
      }),
    },
    responses: {
      200: { description: 'the revoked token', content: { 'application/json': { schema: TokenSchema } } },
    },
  },
  { 404: 'no such token' },
);

const writes = apiRoute('admin', {
  method: 'get',
  path: '/writes',
  tags: ['tokens'],
  summary: 'the API write log, newest first: who wrote what, the request id, the status',
  request: {
    query: PageQuery.extend({ requestId: z.string().max(128).optional() }),
  },
  responses: {
    200: { description: 'a page of writes', content: { 'application/json': { schema: WritePage } } },
  },
});

export function registerTokenRoutes(app: OpenAPIHono<ApiEnv>): void {
  app.openapi(list, async (c) => {
    const all = await c.var.deps.tokens.list();
    return c.json(
      check(
        TokenPage,
        pageOf(c, all, (t) => t.name, c.req.valid('query'), tokenJson),
      ),
      200,
    );
  });

  app.openapi(create, async (c) => {
    const b = c.req.valid('json');
    const made = await c.var.deps.tokens.create({ role: b.role, name: b.name, expiresInMs: b.expiresInMs });
    return c.json(check(NewTokenSchema, { ...tokenJson(made.info), token: made.token }), 201);
  });

  app.openapi(revoke, async (c) => {
    const t = await c.var.deps.tokens.revoke(c.req.valid('param').name);
    return c.json(check(TokenSchema, tokenJson(t)), 200);
  });

  app.openapi(writes, async (c) => {
    const q = c.req.valid('query');
    const before = decodeCursor(q.cursor);
    const rows = await c.var.deps.writes.list({
      limit: q.limit + 1,
      before: before === undefined ? undefined : Number(before),
      requestId: q.requestId,
    });
    const items = rows.slice(0, q.limit).map((w) => ({ ...w, time: iso(w.time) }));
    return c.json(
      check(WritePage, { items, next: nextLink(c, items.at(-1)?.id.toString(), rows.length > q.limit) }),
      200,
    );
  });
}
