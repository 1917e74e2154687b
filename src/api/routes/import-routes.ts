/**
 * `POST /api/v1/imports`: a scan document (the output of `macfleet scan --json`) into the inventory,
 * as `macfleet import` does: the adapters that read are imported, each bad one is left out and named by
 * its JSON path; running it again updates, never duplicates.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import { MacfleetError } from '../../errors.js';
import { HYPERVISOR_KINDS, importScan, parseScanValue } from '../../fleet/index.js';
import { apiRoute, check, type ApiEnv } from '../respond.js';
import { ImportResultSchema } from '../schemas.js';

const ImportQuery = z.object({
  host: z
    .string()
    .min(1)
    .max(256)
    .optional()
    .openapi({ description: 'host of the VMs whose files do not name one (`import --host`)' }),
  hypervisor: z.enum(HYPERVISOR_KINDS).optional().openapi({
    description: 'hypervisor of new hosts when the file format does not tell (OVF, inventory CSV)',
  }),
});

const ScanDocumentBody = z
  .object({ adapters: z.array(z.unknown()) })
  .passthrough()
  .openapi('ScanDocumentBody', {
    description:
      'the output of `macfleet scan --json` (or of POST /api/v1/scans); only `adapters` is read, each adapter checked on its own',
  });

const importRoute = apiRoute('operator', {
  method: 'post',
  path: '/imports',
  tags: ['fleet'],
  summary: 'bring a scan document into the inventory (as `macfleet import`); again updates, never duplicates',
  request: {
    query: ImportQuery,
    body: { content: { 'application/json': { schema: ScanDocumentBody } }, required: true },
  },
  responses: {
    200: {
      description: 'what was created, updated and left out (each bad adapter named by its JSON path)',
      content: { 'application/json': { schema: ImportResultSchema } },
    },
  },
});

export function registerImportRoutes(app: OpenAPIHono<ApiEnv>): void {
  app.openapi(importRoute, async (c) => {
    const { host, hypervisor } = c.req.valid('query');
    const parsed = parseScanValue(c.req.valid('json'), 'body');
    // Nothing readable and problems said: the document cannot be imported as given (the CLI exits 2).
    if (parsed.adapters.length === 0 && parsed.issues.length > 0) {
      const first = parsed.issues[0]!;
      throw new MacfleetError(
        'PARSE_ERROR',
        `no adapter of the document could be read (${parsed.issues.length} problem${parsed.issues.length === 1 ? '' : 's'}); first: ${first.message}`,
        {
          location: { field: `body.${first.field ?? 'adapters'}` },
          details: {
            issues: parsed.issues.map((i) => ({ path: `body.${i.field ?? ''}`, message: i.message })),
          },
        },
      );
    }
    const result = await importScan(
      c.var.deps.fleet(c.var.principal.name),
      parsed.adapters,
      { ...(host === undefined ? {} : { host }), ...(hypervisor === undefined ? {} : { hypervisor }) },
      parsed.issues,
    );
    return c.json(check(ImportResultSchema, result), 200);
  });
}
