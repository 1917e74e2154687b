/**
 * The one schema set of the HTTP API: zod schemas that validate every request (through
 * @hono/zod-openapi) and every response (`check` in respond.ts), and from which /openapi.json is
 * generated. The TypeScript types of the bodies are derived from them.
 */
import { z } from '@hono/zod-openapi';
import { SEVERITIES } from '../audit/finding-types.js';
import { ERROR_CODES } from '../errors.js';
import { DUPLICATE_SCOPES, HYPERVISOR_KINDS, MAC_MODES, NIC_KINDS, VM_STATES } from '../fleet/index.js';
import { HOLDING_STATES } from '../pool/pool-errors.js';
import { ROLES } from './principal.js';

export const MacText = z.string().min(1).max(64).openapi({
  description: 'a MAC in any notation (00-03-FF-12-34-56, 00:03:ff:12:34:56, 0003.ff12.3456, 0003FF123456)',
  example: '02:00:00:00:00:01',
});
const Name = z.string().min(1).max(256);
const Iso = z.string().openapi({ description: 'an ISO 8601 time', example: '2026-11-29T08:00:00.000Z' });

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string(),
    code: z.enum(ERROR_CODES),
    requestId: z.string(),
    field: z.string().optional(),
    file: z.string().optional(),
    line: z.number().int().optional(),
    column: z.number().int().optional(),
    position: z.number().int().optional(),
    details: z.record(z.string(), z.unknown()).optional(),
  })
  .openapi('Problem', { description: 'RFC 9457 problem details, with the macfleet error code' });

export const LimitQuery = z.coerce
  .number()
  .int()
  .min(1)
  .max(1000)
  .default(100)
  .openapi({ description: 'page size (1-1000)' });
export const CursorQuery = z
  .string()
  .max(512)
  .optional()
  .openapi({ description: "the `cursor` of the previous page's `next` link" });
/** `?limit=&cursor=` of every list. */
export const PageQuery = z.object({ limit: LimitQuery, cursor: CursorQuery });

/** A page of items and the link to the next page (null on the last page). */
export const page = <T extends z.ZodType>(item: T, name: string) =>
  z.object({ items: z.array(item), next: z.string().nullable() }).openapi(name);

// --- health ---
export const HealthSchema = z.object({ status: z.literal('ok') }).openapi('Health');
export const ReadySchema = z
  .object({
    status: z.enum(['ready', 'unavailable']),
    store: z.object({ dialect: z.string(), version: z.number().int(), latest: z.number().int() }).nullable(),
  })
  .openapi('Ready');

// --- pools and allocation ---
export const PoolSchema = z
  .object({
    name: z.string(),
    default: z.boolean(),
    ranges: z.array(z.string()),
    exclusions: z.array(z.string()),
    quarantineMs: z.number().int(),
    size: z.number().int(),
    used: z.number().int(),
    free: z.number().int(),
    quarantined: z.number().int(),
    usedPercent: z.number(),
    cursor: z.string(),
    createdAt: Iso,
  })
  .openapi('Pool');
export const PoolPage = page(PoolSchema, 'PoolPage');

export const PoolCreateSchema = z
  .object({
    name: Name,
    ranges: z
      .array(z.string())
      .min(1)
      .openapi({ example: ['02:00:00:00:00:00-02:00:00:ff:ff:ff'] }),
    exclusions: z.array(z.string()).default([]),
    defaultExclusions: z.boolean().default(true),
    quarantineMs: z.number().int().min(0).default(86_400_000),
    default: z.boolean().default(false),
    force: z.boolean().default(false),
  })
  .openapi('PoolCreate');

export const AllocationRequestSchema = z
  .object({
    count: z.number().int().min(1).max(100_000).default(1),
    owner: z.string().max(1024).nullable().default(null),
    key: z
      .string()
      .min(1)
      .max(256)
      .nullable()
      .default(null)
      .openapi({ description: 'idempotency key: the same key returns the same MACs, never new ones' }),
  })
  .openapi('AllocationRequest');
export const AllocationSchema = z
  .object({ pool: z.string(), macs: z.array(z.string()), replayed: z.boolean() })
  .openapi('Allocation');

export const HoldingSchema = z
  .object({
    mac: z.string(),
    state: z.enum(HOLDING_STATES),
    pool: z.string().nullable(),
    owner: z.string().nullable(),
    since: Iso,
    quarantineUntil: Iso.nullable(),
  })
  .openapi('Holding');

export const ReservationRequestSchema = z
  .object({ mac: MacText, owner: z.string().max(1024).nullable().default(null) })
  .openapi('ReservationRequest');

export const MacLookupSchema = z
  .object({
    mac: z.string(),
    hyphen: z.string(),
    multicast: z.boolean(),
    local: z.boolean(),
    broadcast: z.boolean(),
    zero: z.boolean(),
    vendor: z.string().nullable(),
    classification: z.object({ kind: z.string(), description: z.string() }).catchall(z.unknown()),
    holder: HoldingSchema.nullable(),
    pools: z.array(z.object({ name: z.string(), excluded: z.boolean() })),
    adapters: z.array(
      z.object({
        host: z.string(),
        vm: z.string(),
        adapter: z.number().int(),
        network: z.string(),
        mode: z.string(),
        state: z.string(),
      }),
    ),
    history: z.array(
      z.object({
        event: z.string(),
        pool: z.string().nullable(),
        owner: z.string().nullable(),
        key: z.string().nullable(),
        at: Iso,
      }),
    ),
  })
  .openapi('MacLookup');

// --- fleet ---
export const HostSchema = z
  .object({
    name: z.string(),
    hypervisor: z.enum(HYPERVISOR_KINDS),
    nics: z.array(z.object({ mac: z.string(), kind: z.enum(NIC_KINDS) })),
    ip: z.string().nullable(),
    allocation: z.string(),
    scheme: z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()])),
  })
  .openapi('Host');
export const HostPage = page(HostSchema, 'HostPage');
export const HostCreateSchema = z
  .object({
    name: Name,
    hypervisor: z.enum(HYPERVISOR_KINDS),
    nics: z.array(z.object({ mac: MacText, kind: z.enum(NIC_KINDS).default('physical') })).default([]),
    ip: z.string().nullable().default(null),
    allocation: z.string().default('hypervisor').openapi({ description: '`hypervisor` or `pool:<name>`' }),
    min: MacText.optional(),
    max: MacText.optional(),
  })
  .openapi('HostCreate');
export const HostPatchSchema = z
  .object({
    allocation: z.string().optional(),
    ip: z.string().optional(),
    min: MacText.optional(),
    max: MacText.optional(),
  })
  .openapi('HostPatch');

export const NetworkSchema = z
  .object({ name: z.string(), host: z.string(), nic: z.string().nullable(), segment: z.string() })
  .openapi('Network');
export const NetworkPage = page(NetworkSchema, 'NetworkPage');
export const NetworkCreateSchema = z
  .object({ host: Name, name: Name, nic: MacText.optional(), segment: Name.optional() })
  .openapi('NetworkCreate');

const VmwareSchema = z.object({
  promiscuous: z.boolean(),
  macChanges: z.boolean(),
  forgedTransmits: z.boolean(),
});
export const AdapterSchema = z
  .object({
    index: z.number().int(),
    network: z.string(),
    mode: z.enum(MAC_MODES),
    mac: z.string(),
    spoofing: z.boolean(),
    dhcpGuard: z.boolean(),
    routerGuard: z.boolean(),
    vmware: VmwareSchema.nullable(),
  })
  .openapi('Adapter');
export const VmSchema = z
  .object({ name: z.string(), host: z.string(), state: z.enum(VM_STATES), adapters: z.array(AdapterSchema) })
  .openapi('Vm');
export const VmPage = page(VmSchema, 'VmPage');
export const VmStartSchema = VmSchema.extend({
  warnings: z
    .array(
      z.object({
        adapter: z.number().int(),
        mac: z.string(),
        network: z.string(),
        heldBy: z
          .array(z.string())
          .openapi({ description: 'the running adapters that hold the MAC (host/vm#adapter)' }),
        behaviour: z
          .string()
          .openapi({ description: "what the host's hypervisor does with a duplicate at start" }),
        consequence: z.string(),
        message: z.string().openapi({ description: 'the warning `macfleet vm start` prints' }),
      }),
    )
    .openapi({
      description:
        'duplicates the VM started with anyway (empty where none, or where the hypervisor refuses)',
    }),
}).openapi('VmStart');

const AdapterSpecSchema = z.object({
  network: Name,
  static: MacText.optional(),
  spoofing: z.boolean().optional(),
  dhcpGuard: z.boolean().optional(),
  routerGuard: z.boolean().optional(),
  vmware: VmwareSchema.partial().optional(),
});
export const VmCreateSchema = z
  .object({
    host: Name,
    name: Name,
    adapters: z.array(AdapterSpecSchema).default([]),
    force: z.boolean().default(false),
  })
  .openapi('VmCreate');
export const VmRegisterSchema = z
  .object({
    host: Name.openapi({ description: 'the host to register the VM on' }),
    copy: z.boolean().default(false),
    as: Name.optional(),
  })
  .openapi('VmRegister');

export const AdapterPatchSchema = z
  .object({
    mode: z.enum(MAC_MODES).optional(),
    mac: MacText.optional().openapi({
      description: 'with mode static: the static MAC (default: keep the current one)',
    }),
    force: z.boolean().optional(),
    spoofing: z.boolean().optional(),
    dhcpGuard: z.boolean().optional(),
    routerGuard: z.boolean().optional(),
    vmware: VmwareSchema.partial().optional(),
  })
  .openapi('AdapterPatch');

export const EventSchema = z
  .object({
    seq: z.number().int(),
    time: Iso,
    actor: z.string(),
    kind: z.string(),
    subject: z.string(),
    host: z.string(),
    vm: z.string().nullable(),
    adapter: z.number().int().nullable(),
    before: z.unknown(),
    after: z.unknown(),
    macs: z.array(z.string()),
  })
  .openapi('Event');
export const EventPage = page(EventSchema, 'EventPage');

const FindingMemberSchema = z.object({
  host: z.string(),
  vm: z.string(),
  adapter: z.number().int(),
  network: z.string(),
  segment: z.string(),
  mode: z.string(),
  state: z.string(),
});
/** A finding of the inventory: a duplicate MAC by scope, or an NLB problem (the audit's NLB rules). */
export const FindingSchema = z
  .discriminatedUnion('kind', [
    z.object({
      kind: z.literal('duplicate'),
      scope: z.enum(DUPLICATE_SCOPES),
      severity: z.enum(['error', 'warning']),
      mac: z.string(),
      message: z.string(),
      members: z.array(FindingMemberSchema),
      fix: z.string(),
    }),
    z.object({
      kind: z.literal('nlb'),
      severity: z.enum(SEVERITIES),
      mac: z.string(),
      message: z.string(),
      members: z.array(FindingMemberSchema),
      fix: z.string(),
    }),
  ])
  .openapi('Finding');
export const FindingPage = page(FindingSchema, 'FindingPage');

// --- tokens and the write log ---
export const TokenSchema = z
  .object({
    name: z.string(),
    role: z.enum(ROLES),
    key: z.string(),
    createdAt: Iso,
    expiresAt: Iso.nullable(),
    revokedAt: Iso.nullable(),
  })
  .openapi('Token');
export const TokenPage = page(TokenSchema, 'TokenPage');
export const TokenCreateSchema = z
  .object({
    role: z.enum(ROLES),
    name: z.string().min(1).max(64).optional(),
    expiresInMs: z.number().int().min(1).optional(),
  })
  .openapi('TokenCreate');
export const NewTokenSchema = TokenSchema.extend({
  token: z.string().openapi({ description: 'the bearer token, shown only once' }),
}).openapi('NewToken');

export const WriteSchema = z
  .object({
    id: z.number().int(),
    requestId: z.string(),
    time: Iso,
    actor: z.string(),
    method: z.string(),
    path: z.string(),
    status: z.number().int(),
    code: z.string().nullable(),
  })
  .openapi('Write');
export const WritePage = page(WriteSchema, 'WritePage');

// --- uploaded scans ---
export const ImportResultSchema = z
  .object({
    hosts: z.object({ created: z.number().int() }),
    networks: z.object({ created: z.number().int() }),
    vms: z.object({ created: z.number().int(), updated: z.number().int(), unchanged: z.number().int() }),
    adapters: z.object({ imported: z.number().int(), skipped: z.number().int() }),
    issues: z.array(
      z.object({
        file: z.string(),
        line: z.number().int().optional(),
        field: z.string().optional(),
        code: z.string(),
        message: z.string(),
      }),
    ),
  })
  .openapi('ImportResult', { description: 'what `macfleet import --json` prints' });

export const ScanSummarySchema = z
  .object({
    id: z.number().int(),
    name: z.string().openapi({ description: 'the uploaded file names' }),
    createdAt: Iso,
    actor: z.string().openapi({ description: 'the token that uploaded it' }),
    host: z.string().nullable(),
    hostFromPath: z.string().nullable(),
    files: z.number().int().openapi({ description: 'files read as VM configurations' }),
    filesSeen: z.number().int(),
    adapters: z.number().int(),
    findings: z.object({ error: z.number().int(), warning: z.number().int(), info: z.number().int() }),
    imported: z
      .object({ at: Iso, by: z.string(), result: ImportResultSchema })
      .nullable()
      .openapi({ description: 'the latest import into the inventory, or null' }),
  })
  .openapi('ScanSummary');
export const ScanPage = page(ScanSummarySchema, 'ScanPage');
