/** Pools (list, create, show with utilisation) and allocation (all or nothing, idempotent by key). */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import { formatMac } from '../../mac/index.js';
import { poolJson } from '../../store/pool-json.js';
import { apiRoute, check, pageOf, writeRecordOf, type ApiEnv } from '../respond.js';
import {
  AllocationRequestSchema,
  AllocationSchema,
  PageQuery,
  PoolCreateSchema,
  PoolPage,
  PoolSchema,
} from '../schemas.js';

const NameParam = z.object({
  name: z
    .string()
    .min(1)
    .max(256)
    .openapi({ param: { name: 'name', in: 'path' } }),
});

const list = apiRoute('viewer', {
  method: 'get',
  path: '/pools',
  tags: ['pools'],
  summary: 'pools with their utilisation, by name',
  request: { query: PageQuery },
  responses: {
    200: { description: 'a page of pools', content: { 'application/json': { schema: PoolPage } } },
  },
});

const create = apiRoute(
  'admin',
  {
    method: 'post',
    path: '/pools',
    tags: ['pools'],
    summary: 'create a pool (NLB ranges and MACs already in use are left out)',
    request: { body: { content: { 'application/json': { schema: PoolCreateSchema } }, required: true } },
    responses: { 201: { description: 'the pool', content: { 'application/json': { schema: PoolSchema } } } },
  },
  { 409: 'a pool by that name exists, or the ranges overlap another pool (RANGE_OVERLAP)' },
);

const show = apiRoute(
  'viewer',
  {
    method: 'get',
    path: '/pools/{name}',
    tags: ['pools'],
    summary: 'a pool: ranges, exclusions, size, used, free, quarantined',
    request: { params: NameParam },
    responses: { 200: { description: 'the pool', content: { 'application/json': { schema: PoolSchema } } } },
  },
  { 404: 'no such pool' },
);

const allocate = apiRoute(
  'operator',
  {
    method: 'post',
    path: '/pools/{name}/allocations',
    tags: ['pools'],
    summary: 'hand out `count` MACs no one else holds, all or nothing; the same `key` returns the same MACs',
    description:
      'Concurrent requests share transactions (group commit); the answer is sent once the allocation is durable (SQLite synchronous=FULL, PostgreSQL commit).',
    request: {
      params: NameParam,
      body: { content: { 'application/json': { schema: AllocationRequestSchema } }, required: true },
    },
    responses: {
      201: { description: 'allocated', content: { 'application/json': { schema: AllocationSchema } } },
      200: {
        description: 'a replayed key: the MACs the first request got',
        content: { 'application/json': { schema: AllocationSchema } },
      },
    },
  },
  {
    404: 'no such pool',
    409: 'the pool cannot hand out that many (POOL_EXHAUSTED), or the key was used for another request',
  },
);

export function registerPoolRoutes(app: OpenAPIHono<ApiEnv>): void {
  app.openapi(list, async (c) => {
    const pools = await c.var.deps.pools.listPools();
    return c.json(
      check(
        PoolPage,
        pageOf(c, pools, (p) => p.name, c.req.valid('query'), poolJson),
      ),
      200,
    );
  });

  app.openapi(create, async (c) => {
    const b = c.req.valid('json');
    const info = await c.var.deps.pools.createPool(
      {
        name: b.name,
        ranges: b.ranges,
        exclusions: b.exclusions,
        defaultExclusions: b.defaultExclusions,
        quarantineMs: b.quarantineMs,
        isDefault: b.default,
      },
      { force: b.force },
    );
    return c.json(check(PoolSchema, poolJson(info)), 201);
  });

  app.openapi(show, async (c) => {
    const info = await c.var.deps.pools.showPool(c.req.valid('param').name);
    return c.json(check(PoolSchema, poolJson(info)), 200);
  });

  app.openapi(allocate, async (c) => {
    const { deps } = c.var;
    const b = c.req.valid('json');
    const record = writeRecordOf(c);
    // The write-log record goes into the allocation's own transaction: the allocation is never durable
    // without its record, and the answer waits for one commit, not two.
    const a = await deps.pools.allocate(
      { pool: c.req.valid('param').name, count: b.count, owner: b.owner, key: b.key },
      { made: { ...record, status: 201 }, replayed: record },
    );
    c.set('writeLogged', true);
    if (!a.replayed) deps.metrics.allocations.inc({ pool: a.pool }, a.macs.length);
    const body = check(AllocationSchema, {
      pool: a.pool,
      macs: a.macs.map((m) => formatMac(m)),
      replayed: a.replayed,
    });
    return a.replayed ? c.json(body, 200) : c.json(body, 201);
  });
}
