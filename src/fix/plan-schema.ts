/**
 * The fix plan: what `macfleet fix --out` writes and `fix --apply <plan>` / `fix --undo <plan>` read.
 * One schema for writer and reader; the TypeScript types are derived from it, and a reader's error names
 * the JSON path of the bad value.
 */
import { z } from 'zod';
import { MacfleetError } from '../errors.js';
import { DUPLICATE_SCOPES, FINDING_KINDS } from '../audit/index.js';
import { FORMAT_NAMES } from '../formats/types.js';

export const FIX_PLAN_VERSION = 1;
/** How a change reaches the adapter: written into its file, a PowerShell command, or by hand. */
export const CHANGE_VIAS = ['file', 'powershell', 'manual'] as const;
export type ChangeVia = (typeof CHANGE_VIAS)[number];
export const CHANGE_ACTIONS = ['static', 'dynamic'] as const;
export type ChangeAction = (typeof CHANGE_ACTIONS)[number];
export const KEEP_RULES = ['oldest', 'first', 'glob'] as const;

const macText = z.string().regex(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/, 'a MAC as 00:11:22:33:44:55');
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, '64 lower-case hex digits (sha256)');
const count = z.number().int().nonnegative();

export const planChangeSchema = z.object({
  /** Absolute path of the file holding the adapter. */
  file: z.string().min(1),
  line: count,
  column: count,
  vm: z.string(),
  host: z.string().nullable(),
  network: z.string().nullable(),
  adapter: z.string(),
  format: z.enum(FORMAT_NAMES),
  oldMac: macText,
  action: z.enum(CHANGE_ACTIONS),
  /** The new MAC (action static); null for dynamic. */
  newMac: macText.nullable(),
  via: z.enum(CHANGE_VIAS),
  /** The finding the change resolves. */
  finding: z.object({
    kind: z.enum(FINDING_KINDS),
    scope: z.enum(DUPLICATE_SCOPES).optional(),
    mac: z.string(),
  }),
  /** The member that keeps the MAC (duplicates): `file:line vm adapter`. */
  keeps: z.string().nullable(),
});
export type PlanChange = z.infer<typeof planChangeSchema>;

export const planReplacementSchema = z.object({
  /** Character offset into the decoded text of the file as it was planned. */
  offset: count,
  old: z.string(),
  text: z.string(),
});

export const planFileSchema = z.object({
  file: z.string().min(1),
  format: z.enum(FORMAT_NAMES),
  /** sha256 of the file's bytes when planned, and of the bytes the apply writes. */
  before: sha256,
  after: sha256,
  replacements: z.array(planReplacementSchema).min(1),
});
export type PlanFile = z.infer<typeof planFileSchema>;

export const planAllocationSchema = z.object({
  mac: macText,
  pool: z.string(),
  owner: z.string(),
  key: z.string(),
});
export type PlanAllocation = z.infer<typeof planAllocationSchema>;

export const fixPlanSchema = z.object({
  macfleetFixPlan: z.literal(FIX_PLAN_VERSION),
  createdAt: z.string(),
  /** The scanned roots (absolute, symlinks resolved): a file is only ever written inside them. */
  roots: z.array(z.string().min(1)),
  options: z.object({
    scope: z.enum(['default', 'latent']),
    keep: z.string(),
    dynamic: z.boolean(),
    pool: z.string().nullable(),
    backupDir: z.string().nullable(),
  }),
  changes: z.array(planChangeSchema),
  files: z.array(planFileSchema),
  allocations: z.array(planAllocationSchema),
  /** PowerShell commands for adapters whose configuration lives on a Hyper-V host. */
  powershell: z.array(z.string()),
  warnings: z.array(z.string()),
});
export type FixPlan = z.infer<typeof fixPlanSchema>;

/** Read a plan document (already JSON-parsed); errors name the source and the JSON path. */
export function readFixPlan(value: unknown, source: string): FixPlan {
  const r = fixPlanSchema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const path =
    issue.path.length === 0
      ? '$'
      : `$${issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}`;
  throw new MacfleetError('PARSE_ERROR', `${source}: ${path}: ${issue.message}`, {
    location: { file: source, field: path },
  });
}
