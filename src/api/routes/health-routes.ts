/** /healthz (the process is up), /readyz (the store answers), /metrics (Prometheus text): no token. */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { ApiEnv } from '../respond.js';
import { check } from '../respond.js';
import { HealthSchema, ReadySchema } from '../schemas.js';

const healthz = createRoute({
  method: 'get',
  path: '/healthz',
  tags: ['health'],
  summary: 'the process is up',
  responses: { 200: { description: 'up', content: { 'application/json': { schema: HealthSchema } } } },
});

const readyz = createRoute({
  method: 'get',
  path: '/readyz',
  tags: ['health'],
  summary: 'the store is reachable and migrated',
  responses: {
    200: { description: 'ready', content: { 'application/json': { schema: ReadySchema } } },
    503: {
      description: 'the store does not answer',
      content: { 'application/json': { schema: ReadySchema } },
    },
  },
});

const metrics = createRoute({
  method: 'get',
  path: '/metrics',
  tags: ['health'],
  summary:
    'Prometheus metrics: requests by route and status, latency, allocations, pool utilisation, store errors',
  responses: {
    200: { description: 'Prometheus text format', content: { 'text/plain': { schema: z.string() } } },
  },
});

export function registerHealthRoutes(app: OpenAPIHono<ApiEnv>): void {
  app.openapi(healthz, (c) => c.json(check(HealthSchema, { status: 'ok' }), 200));

  app.openapi(readyz, async (c) => {
    try {
      const s = await c.var.deps.store.schemaStatus();
      await c.var.deps.store.transaction((tx) => tx.get('SELECT 1 AS one'), { mode: 'read' });
      return c.json(
        check(ReadySchema, {
          status: 'ready',
          store: { dialect: s.dialect, version: s.version, latest: s.latest },
        }),
        200,
      );
    } catch {
      c.var.deps.metrics.storeErrors.inc({ code: 'STORE_UNAVAILABLE' });
      return c.json(check(ReadySchema, { status: 'unavailable', store: null }), 503);
    }
  });

  app.openapi(metrics, async (c) => {
    const { deps } = c.var;
    try {
      deps.metrics.setPools(await deps.pools.listPools());
    } catch {
      deps.metrics.storeErrors.inc({ code: 'STORE_UNAVAILABLE' });
    }
    return c.text(await deps.metrics.registry.metrics(), 200, {
      'Content-Type': deps.metrics.registry.contentType,
    });
  });
}
