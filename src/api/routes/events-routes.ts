/**
 * The audit log (events) and the inventory's findings: what happened to the fleet, and what is wrong
 * with it now, read as the CLI's `events` and `findings` read them.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { createHash } from 'node:crypto';
import { MacfleetError } from '../../errors.js';
import { eventJson, type InventoryFinding } from '../../fleet/index.js';
import { parseMac } from '../../mac/index.js';
import { readFleetFindings } from '../../store/fleet-pages.js';
import { apiRoute, check, decodeCursor, json, nextLink, type ApiEnv } from '../respond.js';
import { EventPage, FindingPage, MacText, PageQuery } from '../schemas.js';

const events = apiRoute('viewer', {
  method: 'get',
  path: '/events',
  tags: ['events'],
  summary: 'the audit log, oldest first, filtered by VM, host, MAC and time',
  request: {
    query: PageQuery.extend({
      vm: z.string().optional(),
      host: z.string().optional(),
      mac: MacText.optional(),
      since: z.iso
        .datetime({ offset: true })
        .optional()
        .openapi({ description: 'only events at or after this time' }),
      until: z.iso
        .datetime({ offset: true })
        .optional()
        .openapi({ description: 'only events before this time' }),
    }),
  },
  responses: { 200: json(EventPage, 'a page of events') },
});

const findings = apiRoute('viewer', {
  method: 'get',
  path: '/findings',
  tags: ['events'],
  summary: 'duplicate MACs in the inventory (blocking, conflicting, latent), then its NLB problems',
  request: { query: PageQuery },
  responses: { 200: json(FindingPage, 'a page of findings') },
});

export function registerEventRoutes(app: OpenAPIHono<ApiEnv>): void {
  app.openapi(events, async (c) => {
    const q = c.req.valid('query');
    const after = decodeCursor(q.cursor);
    const events = await c.var.deps.fleet(c.var.principal.name).repo.listEvents({
      ...(q.vm === undefined ? {} : { vm: q.vm }),
      ...(q.host === undefined ? {} : { host: q.host }),
      ...(q.mac === undefined ? {} : { mac: parseMac(q.mac) }),
      ...(q.since === undefined ? {} : { since: Date.parse(q.since) }),
      ...(q.until === undefined ? {} : { until: Date.parse(q.until) }),
      ...(after === undefined ? {} : { afterSeq: Number(after) }),
      limit: q.limit + 1,
    });
    const items = events.slice(0, q.limit);
    return c.json(
      check(EventPage, {
        items: items.map(eventJson),
        next: nextLink(c, items.at(-1)?.seq.toString(), events.length > q.limit),
      }),
      200,
    );
  });
  app.openapi(findings, async (c) => {
    // As `macfleet findings` and the console's Conflicts page: duplicates by scope, then NLB problems.
    const found = await c.var.deps.store.transaction(readFleetFindings, { mode: 'read' });
    return c.json(check(FindingPage, findingsPage(c, found, c.req.valid('query'))), 200);
  });
}

/**
 * What a finding is about, whatever its position: kind, scope, MAC and members. Two findings of one
 * list never share it (a MAC's members are split between its findings, never repeated).
 */
function findingIdentity(f: InventoryFinding): string {
  const members = f.members.map((m) => `${m.host}\u0000${m.vm}\u0000${m.adapter}`).join('\u0001');
  return createHash('sha256')
    .update(`${f.kind}\u0000${f.scope ?? ''}\u0000${f.mac}\u0000${f.message}\u0000${members}`)
    .digest('base64url')
    .slice(0, 22);
}

/**
 * A page of findings. Findings are computed, not stored, so the cursor names the last finding handed
 * out (its identity, and its position as a fallback): the next page starts after that finding wherever
 * it now is, so a finding fixed or added before it between two pages neither skips nor repeats one.
 * Only when that finding itself is gone does the page start at its old position (where what followed
 * it now is).
 */
function findingsPage(
  c: Context,
  found: readonly InventoryFinding[],
  query: { limit: number; cursor?: string | undefined },
): { items: InventoryFinding[]; next: string | null } {
  const after = decodeCursor(query.cursor);
  let start = 0;
  if (after !== undefined) {
    const m = /^(\d{1,9})\.([\w-]{22})$/.exec(after);
    if (m === null) {
      throw new MacfleetError('INVALID_ARGUMENT', 'cursor: not a findings cursor this server handed out', {
        location: { field: 'cursor' },
      });
    }
    const at = found.findIndex((f) => findingIdentity(f) === m[2]);
    // Gone (fixed since): what followed it has moved up into its place.
    start = at >= 0 ? at + 1 : Math.min(Number(m[1]), found.length);
  }
  const items = found.slice(start, start + query.limit);
  const last = items.at(-1);
  return {
    items,
    next: nextLink(
      c,
      last === undefined ? undefined : `${start + items.length - 1}.${findingIdentity(last)}`,
      start + query.limit < found.length,
    ),
  };
}
