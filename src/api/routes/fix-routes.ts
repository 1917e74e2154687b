/**
 * `POST /api/v1/scans/{id}/fix-plan`: `macfleet fix` for an uploaded scan. The server holds the files
 * the scan read (as uploaded), so it plans exactly as the CLI plans a tree: the same choice of changes,
 * the same idempotency keys (a plan made again replays its MACs), MACs allocated from the pool and held.
 * It cannot write the uploader's files: it answers the plan document (`fix --out`), a unified diff per
 * file (for `patch -p1` in the upload's root) and, when asked, each fixed file's bytes. The plan names
 * the files as uploaded; `macfleet fix --apply plan.json` run in the upload's root applies it, checking
 * each file's sha256 first.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import {
  allocateNewMacs,
  chooseFix,
  finishFix,
  fixFileOf,
  keepRule,
  type FixOptions,
} from '../../apply/plan-fix.js';
import { poolFixAllocator } from '../../apply/pool-allocator.js';
import { MacfleetError } from '../../errors.js';
import { fixPlanSchema } from '../../fix/plan-schema.js';
import { planSummary, unifiedDiff } from '../../fix/render-plan.js';
import { FIX_SCOPES } from '../../fix/select-changes.js';
import { rebuildScan } from '../../scan/uploaded-scans.js';
import { apiRoute, check, type ApiEnv } from '../respond.js';
import { ScanIdParam } from './scan-routes.js';

const FixPlanRequest = z
  .object({
    pool: z
      .string()
      .min(1)
      .max(256)
      .optional()
      .openapi({ description: 'pool for new MACs (default: the default pool), as `fix --pool`' }),
    scope: z.enum(FIX_SCOPES).default('default').openapi({
      description: 'duplicates to fix: default (blocking, conflicting) or latent (all), as `fix --scope`',
    }),
    keep: z.string().min(1).max(1024).default('first').openapi({
      description:
        'who keeps the MAC: first (path order) or a glob over the uploaded paths, as `fix --keep` (oldest needs file times, which an upload does not carry)',
    }),
    dynamic: z.boolean().default(false).openapi({
      description: "switch adapters to the format's dynamic MAC where it has one, as `fix --dynamic`",
    }),
    includeFiles: z.boolean().default(false).openapi({
      description: 'also answer each fixed file, base64 (its bytes as the apply would write them)',
    }),
  })
  .strict()
  .openapi('FixPlanRequest');

const FixPlanResponse = z
  .object({
    scan: z.number().int(),
    summary: z.string().openapi({ description: 'the one line `macfleet fix` prints first' }),
    plan: fixPlanSchema.meta({
      id: 'FixPlan',
      description: 'the plan document, as `macfleet fix --out` writes it',
    }),
    files: z.array(
      z.object({
        file: z.string(),
        diff: z.string().openapi({ description: 'a unified diff (a/ and b/ prefixes: `patch -p1`)' }),
        content: z.string().optional().openapi({ description: 'with includeFiles: the fixed file, base64' }),
      }),
    ),
  })
  .openapi('FixPlanAnswer');

const fixPlan = apiRoute(
  'operator',
  {
    method: 'post',
    path: '/scans/{id}/fix-plan',
    tags: ['scans'],
    summary:
      'plan the MAC changes that resolve an uploaded scan’s duplicates and invalid MACs (as `macfleet fix`)',
    description:
      'New MACs are allocated from the pool and held (idempotent: planning the same scan again replays them). Nothing is written to any file: apply the plan with `macfleet fix --apply plan.json` in the upload’s root, or the diffs with `patch -p1`.',
    request: {
      params: ScanIdParam,
      body: { content: { 'application/json': { schema: FixPlanRequest } }, required: false },
    },
    responses: {
      200: { description: 'the plan', content: { 'application/json': { schema: FixPlanResponse } } },
    },
  },
  {
    404: 'no such scan, or no such pool',
    409: 'the pool cannot hand out the MACs needed (POOL_EXHAUSTED)',
  },
);

export function registerFixRoutes(app: OpenAPIHono<ApiEnv>): void {
  app.openapi(fixPlan, async (c) => {
    const { deps } = c.var;
    const id = c.req.valid('param').id;
    const b = FixPlanRequest.parse(c.req.valid('json'));
    if (b.keep === 'oldest')
      throw new MacfleetError(
        'INVALID_ARGUMENT',
        'json.keep: oldest needs the files’ modification times, which an upload does not carry; use first or a glob',
        { location: { field: 'json.keep' } },
      );
    const summary = await deps.scans.summary(id);
    const stored = await deps.scans.files(id);
    const scan = await rebuildScan(deps.scans, summary);
    // A path uploaded twice (two archives holding the same path) is ambiguous: never planned.
    const count = new Map<string, number>();
    for (const f of stored) count.set(f.path, (count.get(f.path) ?? 0) + 1);
    const byPath = new Map(stored.map((f) => [f.path, f.bytes]));
    const options: FixOptions = {
      scope: b.scope,
      keep: keepRule(b.keep, '/', 'json.keep'),
      keepText: b.keep,
      dynamic: b.dynamic,
      pool: b.pool ?? null,
      backupDir: null,
      cwd: '.',
      now: deps.clock.now(),
    };
    const prepared = chooseFix(
      {
        scan,
        readFile: (file) => {
          const bytes = byPath.get(file);
          return bytes === undefined || count.get(file) !== 1 ? undefined : fixFileOf(file, bytes, 0);
        },
        roots: ['.'],
        place: (file) => file,
        onDisk: false,
      },
      options,
    );
    const allocated = prepared.requests.some((r) => r !== undefined)
      ? await allocateNewMacs(prepared, poolFixAllocator(deps.pools, options.pool))
      : { macs: prepared.requests.map(() => undefined), allocations: [], warnings: [] };
    const { plan, texts } = finishFix(prepared, allocated, options);
    for (const [path, n] of count)
      if (n > 1)
        plan.warnings.push(
          `${path}: uploaded ${n} times (two archives hold that path): its adapters are not planned`,
        );
    return c.json(
      check(FixPlanResponse, {
        scan: id,
        summary: planSummary(plan),
        plan,
        files: plan.files.map((f) => {
          const t = texts.get(f.file)!;
          return {
            file: f.file,
            diff: unifiedDiff(f.file, t.before, t.after),
            ...(b.includeFiles ? { content: Buffer.from(t.bytes).toString('base64') } : {}),
          };
        }),
      }),
      200,
    );
  });
}
