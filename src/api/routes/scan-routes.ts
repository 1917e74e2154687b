/**
 * Uploaded scans: configuration files (multipart/form-data) or one archive (zip, tar, tar.gz as the
 * body), scanned as `macfleet scan` scans a tree and kept in the store (the console's Scan upload shows
 * the same scans); listed newest first, read back with their scan document (the `scan --json` shape),
 * and imported into the inventory as `macfleet import` imports `scan --json`.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import type { Context, TypedResponse } from 'hono';
import { ScanDocumentSchema } from '../../audit/scan-document.js';
import { MacfleetError } from '../../errors.js';
import { HYPERVISOR_KINDS } from '../../fleet/index.js';
import { archiveKind, type UploadedFile } from '../../scan/upload.js';
import { importKeptScan, uploadScan } from '../../scan/uploaded-scans.js';
import type { ScanSummary } from '../../store/scan-store.js';
import { apiRoute, check, decodeCursor, iso, nextLink, type ApiEnv } from '../respond.js';
import { PageQuery, ScanPage, ScanSummarySchema } from '../schemas.js';

/** Media types of a body that is one archive (or one configuration file). */
export const ARCHIVE_TYPES = [
  'application/zip',
  'application/x-tar',
  'application/gzip',
  'application/x-gzip',
  'application/octet-stream',
] as const;
const DECLARED_KIND: Readonly<Record<string, 'zip' | 'tar' | 'gzip'>> = {
  'application/zip': 'zip',
  'application/x-tar': 'tar',
  'application/gzip': 'gzip',
  'application/x-gzip': 'gzip',
};

const ScanWithDocument = ScanSummarySchema.extend({
  document: ScanDocumentSchema.meta({
    id: 'ScanDocument',
    description: 'the scan document, as `macfleet scan --json` writes it and `macfleet import` reads it',
  }),
}).openapi('Scan');

/** `{id}` of a scan. */
export const ScanIdParam = z.object({
  id: z.coerce
    .number()
    .int()
    .min(1)
    .max(Number.MAX_SAFE_INTEGER)
    .openapi({ param: { name: 'id', in: 'path' }, example: 1 }),
});

const boolText = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1')
  .optional();
const hostOption = (description: string) => z.string().min(1).max(256).optional().openapi({ description });
const UploadOptions = z
  .object({
    host: hostOption('host for VMs whose file and path name none (the import uses it)'),
    hostFromPath: z
      .string()
      .min(1)
      .max(1024)
      .optional()
      .openapi({ description: "host name from each file's path in the upload, e.g. `{host}/**`" }),
    import: boolText.openapi({ description: 'import the scan into the inventory right away' }),
    filename: z.string().min(1).max(1024).optional().openapi({
      description:
        'archive body: its name (default from Content-Disposition, else `upload`); a single configuration file sent as the body is read by this name',
    }),
  })
  .strict();

const binary = { schema: { type: 'string' as const, format: 'binary' } };

const upload = apiRoute('operator', {
  method: 'post',
  path: '/scans',
  tags: ['scans'],
  summary: 'upload configuration files or one archive of them; they are scanned and kept',
  description:
    'Either `multipart/form-data` with one or more file parts (any field name; archives among them are opened) and optional text fields `host`, `hostFromPath`, `import`; or one archive as the body (`application/zip`, `application/x-tar`, `application/gzip`, `application/octet-stream`) with the options as query parameters. An archive holds at most 20,000 files and 256 MiB expanded; paths with `..` are dropped. With `import=true` the scan is imported at once (if the import is refused, the scan is kept and the problem names it in `details.scan`).',
  request: {
    query: UploadOptions,
    body: {
      required: true,
      content: {
        'multipart/form-data': {
          schema: {
            type: 'object',
            properties: {
              files: { type: 'array', items: { type: 'string', format: 'binary' } },
              host: { type: 'string' },
              hostFromPath: { type: 'string' },
              import: { type: 'string', enum: ['true', 'false'] },
            },
            required: ['files'],
          },
        },
        ...Object.fromEntries(ARCHIVE_TYPES.map((t) => [t, binary])),
      },
    },
  },
  responses: {
    201: {
      description: 'the scan, with its document (and the import, when asked)',
      headers: { Location: { schema: { type: 'string' }, description: 'the scan' } },
      content: { 'application/json': { schema: ScanWithDocument } },
    },
  },
});

const list = apiRoute('viewer', {
  method: 'get',
  path: '/scans',
  tags: ['scans'],
  summary: 'uploaded scans, newest first (without their documents)',
  request: { query: PageQuery },
  responses: {
    200: { description: 'a page of scans', content: { 'application/json': { schema: ScanPage } } },
  },
});

const show = apiRoute(
  'viewer',
  {
    method: 'get',
    path: '/scans/{id}',
    tags: ['scans'],
    summary: 'an uploaded scan with its scan document',
    request: { params: ScanIdParam },
    responses: {
      200: { description: 'the scan', content: { 'application/json': { schema: ScanWithDocument } } },
    },
  },
  { 404: 'no such scan (never uploaded, or older than the retention)' },
);

const importRoute = apiRoute(
  'operator',
  {
    method: 'post',
    path: '/scans/{id}/import',
    tags: ['scans'],
    summary:
      'import an uploaded scan into the inventory (as `macfleet import`); again updates, never duplicates',
    request: {
      params: ScanIdParam,
      body: {
        required: false,
        content: {
          'application/json': {
            schema: z
              .object({
                host: hostOption("host of VMs whose files name none (default: the upload's host)"),
                hypervisor: z.enum(HYPERVISOR_KINDS).optional().openapi({
                  description: 'hypervisor of new hosts when the format does not say (OVF, inventory CSV)',
                }),
              })
              .strict(),
          },
        },
      },
    },
    responses: {
      200: {
        description: 'the scan, with the import just made under `imported`',
        content: { 'application/json': { schema: ScanSummarySchema } },
      },
    },
  },
  { 404: 'no such scan' },
);

export const scanSummaryJson = (s: ScanSummary) => ({
  id: s.id,
  name: s.name,
  createdAt: iso(s.createdAt),
  actor: s.actor,
  host: s.host,
  hostFromPath: s.hostFromPath,
  files: s.files,
  filesSeen: s.filesSeen,
  adapters: s.adapters,
  findings: s.findings,
  imported:
    s.imported === null ? null : { at: iso(s.imported.at), by: s.imported.by, result: s.imported.result },
});

/**
 * The summary and the document as one JSON text: the document is spliced in as stored (it was written
 * by the scan's own writer), not parsed and written again, which for a large scan is most of the work.
 */
function scanResponse<S extends 200 | 201>(
  c: Context<ApiEnv>,
  summary: ScanSummary,
  document: string,
  status: S,
): TypedResponse<z.output<typeof ScanWithDocument>, S, 'json'> {
  const head = JSON.stringify(check(ScanSummarySchema, scanSummaryJson(summary)));
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (status === 201) headers['Location'] = `/api/v1/scans/${summary.id}`;
  // The body is the declared JSON, built as text (see above): typed as the route's JSON response.
  return c.body(
    `${head.slice(0, -1)},"document":${document.trimEnd()}}`,
    status,
    headers,
  ) as unknown as TypedResponse<z.output<typeof ScanWithDocument>, S, 'json'>;
}

function parseOptions(where: 'query' | 'form', raw: Record<string, string>): z.output<typeof UploadOptions> {
  const r = UploadOptions.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const key = issue.code === 'unrecognized_keys' ? issue.keys[0] : issue.path.map(String).join('.');
  const field = `${where}.${key ?? ''}`;
  throw new MacfleetError(
    'INVALID_ARGUMENT',
    issue.code === 'unrecognized_keys'
      ? `${field}: not an option of an upload (host, hostFromPath, import${where === 'query' ? ', filename' : ''})`
      : `${field}: ${issue.message}`,
    { location: { field } },
  );
}

/** A percent-encoded filename, or the text as sent when it is not valid percent-encoding. */
function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The files and options of an upload request, whichever way it was sent. */
async function readUpload(
  c: Context<ApiEnv>,
): Promise<{ files: UploadedFile[]; options: z.output<typeof UploadOptions> }> {
  const type = (c.req.header('content-type') ?? '').toLowerCase();
  const essence = type.split(';')[0]!.trim();
  const query = parseOptions('query', c.req.query());
  if (essence === 'multipart/form-data') {
    let body: Record<string, string | File | (string | File)[]>;
    try {
      body = await c.req.parseBody({ all: true });
    } catch (e) {
      throw new MacfleetError('PARSE_ERROR', `the multipart body cannot be read: ${(e as Error).message}`, {
        location: { field: 'body' },
        cause: e,
      });
    }
    const files: UploadedFile[] = [];
    const fields: Record<string, string> = {};
    for (const [name, value] of Object.entries(body)) {
      for (const v of Array.isArray(value) ? value : [value]) {
        if (typeof v === 'string') {
          if (name in fields)
            throw new MacfleetError('INVALID_ARGUMENT', `form.${name}: given more than once`, {
              location: { field: `form.${name}` },
            });
          fields[name] = v;
        } else
          files.push({ path: v.name === '' ? name : v.name, bytes: new Uint8Array(await v.arrayBuffer()) });
      }
    }
    if (files.length === 0)
      throw new MacfleetError('INVALID_ARGUMENT', 'form.files: no file part in the upload', {
        location: { field: 'form.files' },
      });
    const form = parseOptions('form', fields);
    if (form.filename !== undefined)
      throw new MacfleetError('INVALID_ARGUMENT', 'form.filename: a file part carries its own name', {
        location: { field: 'form.filename' },
      });
    const twice = Object.keys(fields).find((k) => k in c.req.query());
    if (twice !== undefined)
      throw new MacfleetError('INVALID_ARGUMENT', `form.${twice}: given in the query too; give it once`, {
        location: { field: `form.${twice}` },
      });
    return { files, options: { ...query, ...form } };
  }
  if (!(ARCHIVE_TYPES as readonly string[]).includes(essence)) {
    throw new MacfleetError(
      'INVALID_ARGUMENT',
      `content-type: ${essence === '' ? 'missing' : JSON.stringify(essence)}; send multipart/form-data or one archive as ${ARCHIVE_TYPES.join(', ')}`,
      { location: { field: 'content-type' } },
    );
  }
  const bytes = new Uint8Array(await c.req.arrayBuffer());
  if (bytes.length === 0)
    throw new MacfleetError('INVALID_ARGUMENT', 'body: empty; send the archive as the request body', {
      location: { field: 'body' },
    });
  const declared = DECLARED_KIND[essence];
  const found = archiveKind(bytes);
  if (declared !== undefined && found !== declared && !(declared === 'gzip' && found === 'gzip'))
    throw new MacfleetError(
      'PARSE_ERROR',
      `body: declared ${essence} but ${found === undefined ? 'not an archive' : `a ${found} archive`} (its first bytes do not match)`,
      { location: { field: 'body' } },
    );
  const disposition = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(c.req.header('content-disposition') ?? '');
  const unnamed = found === undefined ? 'upload' : `upload.${found === 'gzip' ? 'gz' : found}`;
  const name = query.filename ?? (disposition?.[1] === undefined ? unnamed : safeDecode(disposition[1]));
  return { files: [{ path: name, bytes }], options: query };
}

export function registerScanRoutes(app: OpenAPIHono<ApiEnv>): void {
  app.openapi(upload, async (c) => {
    const { deps, principal } = c.var;
    const { files, options } = await readUpload(c);
    const up = await uploadScan(
      deps.scans,
      { files, actor: principal.name, host: options.host, hostFromPath: options.hostFromPath },
      deps.uploadLimits,
    );
    if (options.import !== true) return scanResponse(c, up.summary, up.document, 201);
    try {
      const { summary } = await importKeptScan(deps.fleet(principal.name), deps.scans, up.summary.id, {});
      return scanResponse(c, summary, up.document, 201);
    } catch (e) {
      if (!(e instanceof MacfleetError)) throw e;
      throw new MacfleetError(
        e.code,
        `scan ${up.summary.id} was kept, but its import was refused: ${e.message}`,
        {
          location: e.location,
          details: { ...e.details, scan: up.summary.id },
          cause: e,
        },
      );
    }
  });

  app.openapi(list, async (c) => {
    const q = c.req.valid('query');
    const after = decodeCursor(q.cursor);
    const before = after === undefined ? undefined : Number(after);
    if (before !== undefined && !Number.isSafeInteger(before))
      throw new MacfleetError('INVALID_ARGUMENT', 'cursor: not a cursor this server handed out', {
        location: { field: 'cursor' },
      });
    const { items, more } = await c.var.deps.scans.list({ limit: q.limit, before });
    return c.json(
      check(ScanPage, {
        items: items.map(scanSummaryJson),
        next: nextLink(c, items.at(-1)?.id.toString(), more),
      }),
      200,
    );
  });

  app.openapi(show, async (c) => {
    const { summary, document } = await c.var.deps.scans.withDocument(c.req.valid('param').id);
    return scanResponse(c, summary, document, 200);
  });

  app.openapi(importRoute, async (c) => {
    const { deps, principal } = c.var;
    const b = c.req.valid('json');
    const { summary } = await importKeptScan(
      deps.fleet(principal.name),
      deps.scans,
      c.req.valid('param').id,
      {
        host: b.host,
        hypervisor: b.hypervisor,
      },
    );
    return c.json(check(ScanSummarySchema, scanSummaryJson(summary)), 200);
  });
}
