/**
 * `macfleet predict <scheme>` and `macfleet doctor nlb` over HTTP: the request body carries the CLI's
 * options (camelCase), validated here, and the answer is the document the CLI prints with --json, built
 * by the same core functions (src/schemes/predict-json.ts, src/lab/nlb-doctor.ts).
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import { inField, MacfleetError } from '../../errors.js';
import { DOCTOR_HYPERVISORS, VMWARE_DEFAULTS } from '../../lab/index.js';
import { formatMac, NLB_MODES, parseIpv4, parseMac, parseVip } from '../../mac/index.js';
import {
  hyperVPool,
  hyperVPoolFromIpv4,
  libvirtScheme,
  parseVsNic,
  PROXMOX_DEFAULT_PREFIX,
  proxmoxScheme,
  qemuPrediction,
  randomSchemeJson,
  rangeJson,
  virtualBoxScheme,
  virtualServerPrediction,
  vmwarePredictionJson,
  xenScheme,
  type VmwarePredictInput,
} from '../../schemes/index.js';
import { apiRoute, check, type ApiEnv } from '../respond.js';

const Report = z.record(z.string(), z.unknown());
const PredictReport = z.union([z.array(z.string()), Report]).openapi('PredictReport', {
  description:
    'what `macfleet predict <scheme> --json` prints: a list of MACs (virtual-server, qemu) or the scheme document',
});
const int = (min: number, max: number) => z.number().int().min(min).max(max);
const MAX_COUNT = 1_000_000;

const PredictRequest = z
  .discriminatedUnion('scheme', [
    z
      .object({
        scheme: z.literal('virtual-server'),
        nics: z
          .array(z.string().min(1).max(64))
          .min(1)
          .max(64)
          .openapi({
            description: 'host adapters in host order: `<mac>[,loopback|,bridge]`',
            example: ['00-11-22-33-44-55'],
          }),
        count: int(1, MAX_COUNT).default(10),
        start: int(0, Number.MAX_SAFE_INTEGER).default(0),
      })
      .strict(),
    z
      .object({
        scheme: z.literal('hyper-v'),
        ip: z
          .string()
          .max(64)
          .optional()
          .openapi({ description: 'the IPv4 address the host had when Hyper-V was installed' }),
        min: z.string().max(64).optional().openapi({ description: 'MacAddressMinimum (with max)' }),
        max: z.string().max(64).optional().openapi({ description: 'MacAddressMaximum (with min)' }),
      })
      .strict(),
    z
      .object({
        scheme: z.literal('qemu'),
        count: int(1, MAX_COUNT).default(10),
        start: int(0, Number.MAX_SAFE_INTEGER).default(0),
      })
      .strict(),
    ...(['libvirt', 'xen', 'virtualbox'] as const).map((s) =>
      z.object({ scheme: z.literal(s), adapters: int(0, 2 ** 40).default(1000) }).strict(),
    ),
    z
      .object({
        scheme: z.literal('proxmox'),
        adapters: int(0, 2 ** 40).default(1000),
        prefix: z
          .string()
          .min(1)
          .max(64)
          .default(PROXMOX_DEFAULT_PREFIX)
          .openapi({ description: 'datacenter mac_prefix' }),
      })
      .strict(),
    z
      .object({
        scheme: z.literal('vmware'),
        uuid: z.string().max(128).optional().openapi({ description: 'the VM BIOS UUID (uuid.bios)' }),
        offset: int(0, Number.MAX_SAFE_INTEGER)
          .optional()
          .openapi({ description: 'with uuid: one adapter with this generatedAddressOffset' }),
        count: int(1, 1000).default(4).openapi({ description: 'with uuid: adapters ethernet0..N-1' }),
        instanceId: int(0, 63)
          .optional()
          .openapi({ description: 'vCenter instance id (VMware OUI allocation)' }),
        prefix: z
          .string()
          .max(64)
          .optional()
          .openapi({ description: 'vCenter prefix-based allocation prefix, e.g. 005026' }),
        prefixLength: int(1, 48).optional(),
        ranges: z
          .array(z.string().max(64))
          .max(64)
          .default([])
          .openapi({ description: 'vCenter range-based allocation ranges, in order' }),
        static: z.boolean().default(false).openapi({ description: 'the VMware static (manual) range' }),
      })
      .strict(),
  ])
  .openapi('PredictRequest');

const onOff = (cliOn: string, cliOff: string) =>
  z
    .union([z.boolean(), z.enum([cliOn, cliOff])])
    .transform((v) => v === true || v === cliOn)
    .optional();
const DoctorNlbRequest = z
  .object({
    hypervisor: z.enum(DOCTOR_HYPERVISORS),
    mode: z.enum(NLB_MODES),
    vip: z
      .string()
      .min(1)
      .max(64)
      .openapi({ description: 'the cluster IP address', example: '192.168.0.10' }),
    nodes: int(1, 32).default(2),
    macSpoofing: onOff('on', 'off').openapi({
      description: 'Hyper-V: MAC address spoofing on the NLB adapters (default off)',
    }),
    macChanges: onOff('accept', 'reject').openapi({
      description: 'VMware: MAC address changes (default per vmwareDefaults)',
    }),
    forgedTransmits: onOff('accept', 'reject').openapi({
      description: 'VMware: forged transmits (default per vmwareDefaults)',
    }),
    vmwareDefaults: z
      .enum(VMWARE_DEFAULTS)
      .optional()
      .openapi({ description: 'vsphere7 (default) or legacy' }),
    notifySwitches: onOff('on', 'off').openapi({ description: 'VMware: "Notify switches" (default on)' }),
    portSecurity: onOff('on', 'off').openapi({
      description: 'OVS/Neutron: port security on the NLB ports (default on)',
    }),
    addressPairs: z
      .boolean()
      .optional()
      .openapi({ description: 'OVS/Neutron: the NLB MACs and VIP as allowed address pairs' }),
    maskSourceMac: z
      .boolean()
      .default(true)
      .openapi({ description: 'NLB unicast: MaskSourceMAC (default on)' }),
  })
  .strict()
  .openapi('DoctorNlbRequest');

const jsonBody = <S extends z.ZodType>(schema: S) => ({
  body: { content: { 'application/json': { schema } }, required: true },
});

const predict = apiRoute('viewer', {
  method: 'post',
  path: '/predict',
  tags: ['tools'],
  summary: 'the MACs a hypervisor host hands out (as `macfleet predict <scheme> --json`)',
  request: jsonBody(PredictRequest),
  responses: {
    200: { description: 'the prediction', content: { 'application/json': { schema: PredictReport } } },
  },
});

const doctorNlb = apiRoute('viewer', {
  method: 'post',
  path: '/doctor/nlb',
  tags: ['tools'],
  summary:
    'will NLB work on these VMs: the symptoms an admin will see, the frames that prove them, and the fixes (as `macfleet doctor nlb --json`)',
  request: jsonBody(DoctorNlbRequest),
  responses: {
    200: {
      description: 'the diagnosis',
      content: { 'application/json': { schema: Report.openapi('NlbDiagnosis') } },
    },
  },
});

type PredictInput = z.output<typeof PredictRequest>;

function vmwareInput(b: Extract<PredictInput, { scheme: 'vmware' }>): VmwarePredictInput {
  const modes = [
    b.uuid !== undefined,
    b.instanceId !== undefined,
    b.prefix !== undefined || b.prefixLength !== undefined,
    b.ranges.length > 0,
    b.static,
  ].filter(Boolean).length;
  if (modes !== 1)
    throw new MacfleetError(
      'INVALID_ARGUMENT',
      'json: give exactly one of uuid, instanceId, prefix with prefixLength, ranges, static',
      { location: { field: 'json' } },
    );
  if (b.uuid !== undefined) return { uuid: b.uuid, offset: b.offset, count: b.count };
  if (b.instanceId !== undefined) return { instanceId: b.instanceId };
  if (b.static) return { static: true };
  if (b.ranges.length > 0) return { ranges: b.ranges };
  if (b.prefix === undefined || b.prefixLength === undefined)
    throw new MacfleetError('INVALID_ARGUMENT', 'json: prefix and prefixLength go together', {
      location: { field: b.prefix === undefined ? 'json.prefix' : 'json.prefixLength' },
    });
  return { prefix: b.prefix, prefixLength: b.prefixLength };
}

/** The prediction document; a value the schemes refuse is named by its JSON field. */
function prediction(b: PredictInput, random: Parameters<typeof virtualServerPrediction>[3]): unknown {
  switch (b.scheme) {
    case 'virtual-server': {
      const nics = b.nics.map((n, i) => inField(`json.nics.${i}`, () => parseVsNic(n, 'nic')));
      return virtualServerPrediction(nics, b.count, b.start, random).map((r) => formatMac(r.mac));
    }
    case 'hyper-v': {
      if (b.ip !== undefined) {
        if (b.min !== undefined || b.max !== undefined)
          throw new MacfleetError('INVALID_ARGUMENT', 'json: give either ip or min and max, not both', {
            location: { field: 'json.ip' },
          });
        return rangeJson(hyperVPoolFromIpv4(parseIpv4(b.ip, 'json.ip')));
      }
      if (b.min === undefined || b.max === undefined)
        throw new MacfleetError('INVALID_ARGUMENT', 'json: give ip, or both min and max', {
          location: { field: b.min === undefined ? 'json.min' : 'json.max' },
        });
      const min = inField('json.min', () => parseMac(b.min!));
      const max = inField('json.max', () => parseMac(b.max!));
      return rangeJson(hyperVPool(min, max));
    }
    case 'qemu':
      return qemuPrediction(b.count, b.start).map((m) => formatMac(m));
    case 'libvirt':
      return randomSchemeJson(libvirtScheme(), b.adapters);
    case 'xen':
      return randomSchemeJson(xenScheme(), b.adapters);
    case 'virtualbox':
      return randomSchemeJson(virtualBoxScheme(), b.adapters);
    case 'proxmox':
      return randomSchemeJson(
        inField('json.prefix', () => proxmoxScheme(b.prefix)),
        b.adapters,
      );
    case 'vmware': {
      const input = vmwareInput(b);
      const field =
        'uuid' in input
          ? 'json.uuid'
          : 'ranges' in input
            ? 'json.ranges'
            : 'prefix' in input
              ? 'json.prefix'
              : 'json';
      return inField(field, () => vmwarePredictionJson(input));
    }
  }
}

export function registerPredictRoutes(app: OpenAPIHono<ApiEnv>): void {
  app.openapi(predict, (c) =>
    c.json(check(PredictReport, prediction(c.req.valid('json'), c.var.deps.random)), 200),
  );

  app.openapi(doctorNlb, async (c) => {
    const { doctorNlb: diagnose } = await import('../../lab/index.js');
    const b = c.req.valid('json');
    const defined = <K extends string, V>(k: K, v: V | undefined) => (v === undefined ? {} : { [k]: v });
    const result = diagnose({
      hypervisor: b.hypervisor,
      mode: b.mode,
      vip: inField('json.vip', () => parseVip(b.vip)),
      nodes: b.nodes,
      ...defined('macSpoofing', b.macSpoofing),
      ...defined('macChanges', b.macChanges),
      ...defined('forgedTransmits', b.forgedTransmits),
      ...defined('vmwareDefaults', b.vmwareDefaults),
      ...defined('notifySwitches', b.notifySwitches),
      ...defined('portSecurity', b.portSecurity),
      ...defined('addressPairs', b.addressPairs),
      maskSourceMac: b.maskSourceMac,
    });
    return c.json(check(Report, JSON.parse(JSON.stringify(result.diagnosis)) as unknown), 200);
  });
}
