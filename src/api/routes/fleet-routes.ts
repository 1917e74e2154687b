/**
 * The fleet: hosts, networks, VMs with their lifecycle and adapter settings (the audit log and the
 * findings are in events-routes.ts). Each handler calls the fleet service the CLI calls, acting as the token's name.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import { inField, MacfleetError } from '../../errors.js';
import {
  addHost,
  adapterDetail,
  addNetwork,
  createVm,
  hostJson,
  networkJson,
  parseAllocationSource,
  registerVm,
  removeVm,
  saveVm,
  setAdapter,
  startVmReport,
  startWarning,
  stopVm,
  type AdapterChange,
  type FleetDeps,
  type Vm,
  type VmRef,
} from '../../fleet/index.js';
import { parseIpv4, parseMac } from '../../mac/index.js';
import { hostsAfter, networksAfter, vmsAfter } from '../../store/fleet-pages.js';
import { apiRoute, check, json, decodeCursor, nextLink, type ApiEnv } from '../respond.js';
import {
  AdapterPatchSchema,
  HostCreateSchema,
  HostPage,
  HostPatchSchema,
  HostSchema,
  PageQuery,
  NetworkCreateSchema,
  NetworkPage,
  NetworkSchema,
  VmCreateSchema,
  VmPage,
  VmRegisterSchema,
  VmSchema,
  VmStartSchema,
} from '../schemas.js';
import type { Context } from 'hono';
import type { SqlSession } from '../../store/store.js';

const pathParam = (name: string) =>
  z
    .string()
    .min(1)
    .max(256)
    .openapi({ param: { name, in: 'path' } });
const HostParam = z.object({ host: pathParam('host') });
const VmParams = z.object({ host: pathParam('host'), name: pathParam('name') });
const AdapterParams = VmParams.extend({
  index: z.coerce
    .number()
    .int()
    .min(0)
    .openapi({ param: { name: 'index', in: 'path' } }),
});
const body = <S extends z.ZodType>(schema: S) => ({
  body: { content: { 'application/json': { schema } }, required: true },
});

export const vmView = (vm: Vm) => ({
  name: vm.name,
  host: vm.host,
  state: vm.state,
  adapters: vm.adapters.map(adapterDetail),
});

/** `POST /vms/{host}/{name}/<action>`: a lifecycle step that answers with the VM. */
const vmAction = (action: string, summary: string, errors: { 404?: string; 409?: string }) =>
  apiRoute(
    'operator',
    {
      method: 'post',
      path: `/vms/{host}/{name}/${action}`,
      tags: ['vms'],
      summary,
      request: { params: VmParams },
      responses: { 200: json(VmSchema, 'the VM') },
    },
    errors,
  );

const fleetOf = (c: Context<ApiEnv>): FleetDeps => c.var.deps.fleet(c.var.principal.name);

const routes = {
  hosts: apiRoute('viewer', {
    method: 'get',
    path: '/hosts',
    tags: ['fleet'],
    summary: 'hosts, by name',
    request: { query: PageQuery },
    responses: { 200: json(HostPage, 'a page of hosts') },
  }),
  addHost: apiRoute(
    'admin',
    {
      method: 'post',
      path: '/hosts',
      tags: ['fleet'],
      summary: 'add a host (its scheme state starts fresh)',
      request: body(HostCreateSchema),
      responses: { 201: json(HostSchema, 'the host') },
    },
    { 409: 'a host by that name exists' },
  ),
  host: apiRoute(
    'viewer',
    {
      method: 'get',
      path: '/hosts/{host}',
      tags: ['fleet'],
      summary: 'a host',
      request: { params: HostParam },
      responses: { 200: json(HostSchema, 'the host') },
    },
    { 404: 'no such host' },
  ),
  patchHost: apiRoute(
    'admin',
    {
      method: 'patch',
      path: '/hosts/{host}',
      tags: ['fleet'],
      summary: "change a host's allocation source, IPv4 address or Hyper-V range",
      request: { params: HostParam, ...body(HostPatchSchema) },
      responses: { 200: json(HostSchema, 'the host') },
    },
    { 404: 'no such host' },
  ),
  networks: apiRoute('viewer', {
    method: 'get',
    path: '/networks',
    tags: ['fleet'],
    summary: 'virtual networks, by host and name',
    request: { query: PageQuery.extend({ host: z.string().optional() }) },
    responses: { 200: json(NetworkPage, 'a page of networks') },
  }),
  addNetwork: apiRoute(
    'admin',
    {
      method: 'post',
      path: '/networks',
      tags: ['fleet'],
      summary: 'add a virtual network to a host',
      request: body(NetworkCreateSchema),
      responses: { 201: json(NetworkSchema, 'the network') },
    },
    { 404: 'no such host', 409: 'the host has a network by that name' },
  ),
  vms: apiRoute('viewer', {
    method: 'get',
    path: '/vms',
    tags: ['vms'],
    summary: 'VMs, by host and name',
    request: {
      query: PageQuery.extend({
        host: z.string().optional(),
        state: z.enum(['stopped', 'running', 'saved']).optional(),
      }),
    },
    responses: { 200: json(VmPage, 'a page of VMs') },
  }),
  createVm: apiRoute(
    'operator',
    {
      method: 'post',
      path: '/vms',
      tags: ['vms'],
      summary: "create a VM (dynamic adapters get MACs from the host's source)",
      request: body(VmCreateSchema),
      responses: { 201: json(VmSchema, 'the VM') },
    },
    { 404: 'no such host or network', 409: 'a static MAC is held elsewhere (MAC_CONFLICT) or the VM exists' },
  ),
  vm: apiRoute(
    'viewer',
    {
      method: 'get',
      path: '/vms/{host}/{name}',
      tags: ['vms'],
      summary: 'a VM with its adapters',
      request: { params: VmParams },
      responses: { 200: json(VmSchema, 'the VM') },
    },
    { 404: 'no such VM' },
  ),
  start: apiRoute(
    'operator',
    {
      method: 'post',
      path: '/vms/{host}/{name}/start',
      tags: ['vms'],
      summary:
        'start a VM, as its hypervisor would: refused (MAC_CONFLICT) where it refuses a duplicate, otherwise started with the duplicates as warnings',
      request: { params: VmParams },
      responses: { 200: json(VmStartSchema, 'the VM, and the warnings `vm start` prints') },
    },
    {
      404: 'no such VM',
      409: 'MAC_CONFLICT: a running VM on the host and network has the MAC (Virtual Server); POOL_EXHAUSTED: no MAC to assign at first start',
    },
  ),
  stop: vmAction('stop', 'stop a running or saved VM', { 404: 'no such VM' }),
  save: vmAction('save', "save a running VM's state", { 404: 'no such VM', 409: 'the VM is not running' }),
  register: apiRoute(
    'operator',
    {
      method: 'post',
      path: '/vms/{host}/{name}/register',
      tags: ['vms'],
      summary: 'register the VM on another host (move, or copy); dynamic adapters get new MACs there',
      request: { params: VmParams, ...body(VmRegisterSchema) },
      responses: { 200: json(VmSchema, 'the VM on its new host') },
    },
    { 404: 'no such VM or host', 409: 'VM_RUNNING or a name clash' },
  ),
  remove: apiRoute(
    'operator',
    {
      method: 'delete',
      path: '/vms/{host}/{name}',
      tags: ['vms'],
      summary: "remove a stopped VM (its dynamic MACs go back to the host's source)",
      request: { params: VmParams },
      responses: { 200: json(VmSchema, 'the VM as it was') },
    },
    { 404: 'no such VM', 409: 'VM_RUNNING' },
  ),
  adapter: apiRoute(
    'operator',
    {
      method: 'patch',
      path: '/vms/{host}/{name}/adapters/{index}',
      tags: ['vms'],
      summary: 'configure a network adapter: dynamic or static MAC, spoofing, guards, VMware policy',
      description:
        'The MAC mode, the static MAC and spoofing change only while the VM is stopped (VM_RUNNING otherwise), as on the hypervisors.',
      request: { params: AdapterParams, ...body(AdapterPatchSchema) },
      responses: { 200: json(VmSchema, 'the VM') },
    },
    { 404: 'no such VM or adapter', 409: 'VM_RUNNING, or the static MAC is held elsewhere (MAC_CONFLICT)' },
  ),
};

/** A VM or network page's cursor: the JSON `[host, name]` of the last item of the previous page. */
function pairCursor(text: string | undefined): { host: string; name: string } | undefined {
  if (text === undefined) return undefined;
  let key: unknown;
  try {
    key = JSON.parse(text);
  } catch {
    key = undefined;
  }
  if (!Array.isArray(key) || key.length !== 2 || !key.every((k) => typeof k === 'string'))
    throw new MacfleetError('INVALID_ARGUMENT', 'cursor: not a cursor this server handed out', {
      location: { field: 'cursor' },
    });
  return { host: key[0] as string, name: key[1] as string };
}

/** A page of VMs or networks, keyed by `[host, name]`: read in one snapshot after the cursor's pair. */
async function pairPage<T extends { readonly host: string; readonly name: string }>(
  c: Context<ApiEnv>,
  cursor: string | undefined,
  read: (
    tx: SqlSession,
    after: { host: string; name: string } | undefined,
  ) => Promise<{ items: readonly T[]; more: boolean }>,
): Promise<{ items: readonly T[]; next: string | null }> {
  const after = pairCursor(decodeCursor(cursor));
  const page = await c.var.deps.store.transaction((tx) => read(tx, after), { mode: 'read' });
  const last = page.items.at(-1);
  return {
    items: page.items,
    next: nextLink(c, last === undefined ? undefined : JSON.stringify([last.host, last.name]), page.more),
  };
}

/** The guards and VMware policies a request sets (the ones it leaves out stay as they are). */
function guardSettings(a: {
  readonly spoofing?: boolean | undefined;
  readonly dhcpGuard?: boolean | undefined;
  readonly routerGuard?: boolean | undefined;
  readonly vmware?: Readonly<Record<string, boolean | undefined>> | undefined;
}) {
  return {
    ...(a.spoofing === undefined ? {} : { spoofing: a.spoofing }),
    ...(a.dhcpGuard === undefined ? {} : { dhcpGuard: a.dhcpGuard }),
    ...(a.routerGuard === undefined ? {} : { routerGuard: a.routerGuard }),
    ...(a.vmware === undefined
      ? {}
      : { vmware: Object.fromEntries(Object.entries(a.vmware).filter(([, v]) => v !== undefined)) }),
  };
}

function adapterChange(b: z.output<typeof AdapterPatchSchema>): AdapterChange {
  if (b.mac !== undefined && b.mode !== 'static') {
    throw new MacfleetError('INVALID_ARGUMENT', 'mac: give it with "mode": "static"', {
      location: { field: 'mac' },
    });
  }
  return {
    ...(b.mode === 'static' ? { static: b.mac === undefined ? ('current' as const) : parseMac(b.mac) } : {}),
    ...(b.mode === 'dynamic' ? { dynamic: true } : {}),
    ...(b.force === undefined ? {} : { force: b.force }),
    ...guardSettings(b),
  };
}

export function registerFleetRoutes(app: OpenAPIHono<ApiEnv>): void {
  app.openapi(routes.hosts, async (c) => {
    const q = c.req.valid('query');
    const after = decodeCursor(q.cursor);
    const page = await c.var.deps.store.transaction((tx) => hostsAfter(tx, after, q.limit), { mode: 'read' });
    return c.json(
      check(HostPage, {
        items: page.items.map(hostJson),
        next: nextLink(c, page.items.at(-1)?.name, page.more),
      }),
      200,
    );
  });
  app.openapi(routes.addHost, async (c) => {
    const b = c.req.valid('json');
    const host = await addHost(fleetOf(c), {
      name: b.name,
      hypervisor: b.hypervisor,
      nics: b.nics.map((n, i) => ({ mac: inField(`nics.${i}.mac`, () => parseMac(n.mac)), kind: n.kind })),
      ip: b.ip === null ? null : parseIpv4(b.ip, 'ip'),
      allocation: parseAllocationSource(b.allocation),
      ...(b.min === undefined ? {} : { min: parseMac(b.min) }),
      ...(b.max === undefined ? {} : { max: parseMac(b.max) }),
    });
    return c.json(check(HostSchema, hostJson(host)), 201);
  });
  app.openapi(routes.host, async (c) => {
    const name = c.req.valid('param').host;
    const host = await fleetOf(c).repo.getHost(name);
    if (host === undefined) throw new MacfleetError('NOT_FOUND', `no host named ${JSON.stringify(name)}`);
    return c.json(check(HostSchema, hostJson(host)), 200);
  });
  app.openapi(routes.patchHost, async (c) => {
    const { updateHost } = await import('../../fleet/host-service.js');
    const b = c.req.valid('json');
    const host = await updateHost(fleetOf(c), c.req.valid('param').host, {
      ...(b.allocation === undefined ? {} : { allocation: parseAllocationSource(b.allocation) }),
      ...(b.ip === undefined ? {} : { ip: parseIpv4(b.ip, 'ip') }),
      ...(b.min === undefined ? {} : { min: parseMac(b.min) }),
      ...(b.max === undefined ? {} : { max: parseMac(b.max) }),
    });
    return c.json(check(HostSchema, hostJson(host)), 200);
  });
  app.openapi(routes.networks, async (c) => {
    const q = c.req.valid('query');
    const page = await pairPage(c, q.cursor, (tx, after) => networksAfter(tx, q.host, after, q.limit));
    return c.json(check(NetworkPage, { items: page.items.map(networkJson), next: page.next }), 200);
  });
  app.openapi(routes.addNetwork, async (c) => {
    const b = c.req.valid('json');
    const net = await addNetwork(fleetOf(c), {
      host: b.host,
      name: b.name,
      ...(b.nic === undefined ? {} : { nic: parseMac(b.nic) }),
      ...(b.segment === undefined ? {} : { segment: b.segment }),
    });
    return c.json(check(NetworkSchema, networkJson(net)), 201);
  });
  app.openapi(routes.vms, async (c) => {
    const q = c.req.valid('query');
    const page = await pairPage(c, q.cursor, (tx, after) =>
      vmsAfter(tx, { host: q.host, state: q.state }, after, q.limit),
    );
    return c.json(check(VmPage, { items: page.items.map(vmView), next: page.next }), 200);
  });
  app.openapi(routes.createVm, async (c) => {
    const b = c.req.valid('json');
    const vm = await createVm(fleetOf(c), {
      host: b.host,
      name: b.name,
      force: b.force,
      adapters: b.adapters.map((a, i) => ({
        network: a.network,
        ...(a.static === undefined
          ? {}
          : { static: inField(`adapters.${i}.static`, () => parseMac(a.static!)) }),
        ...guardSettings(a),
      })),
    });
    return c.json(check(VmSchema, vmView(vm)), 201);
  });
  app.openapi(routes.vm, async (c) => {
    const p = c.req.valid('param');
    const vm = await fleetOf(c).repo.getVm(p.host, p.name);
    if (vm === undefined)
      throw new MacfleetError('NOT_FOUND', `no VM named ${JSON.stringify(p.name)} on host ${p.host}`);
    return c.json(check(VmSchema, vmView(vm)), 200);
  });
  app.openapi(routes.start, async (c) => {
    const p = c.req.valid('param');
    const report = await startVmReport(fleetOf(c), { host: p.host, name: p.name });
    return c.json(
      check(VmStartSchema, {
        ...vmView(report.vm),
        warnings: report.duplicates.map((d) => ({
          ...d,
          heldBy: [...d.heldBy],
          message: startWarning(report.vm, d),
        })),
      }),
      200,
    );
  });
  const lifecycle = [
    [routes.stop, stopVm],
    [routes.save, saveVm],
    [routes.remove, removeVm],
  ] as const;
  for (const [route, action] of lifecycle) {
    app.openapi(route, async (c) => {
      const p = c.req.valid('param');
      const ref: VmRef = { host: p.host, name: p.name };
      return c.json(check(VmSchema, vmView(await action(fleetOf(c), ref))), 200);
    });
  }
  app.openapi(routes.register, async (c) => {
    const p = c.req.valid('param');
    const b = c.req.valid('json');
    const vm = await registerVm(fleetOf(c), {
      name: p.name,
      from: p.host,
      host: b.host,
      copy: b.copy,
      ...(b.as === undefined ? {} : { as: b.as }),
    });
    return c.json(check(VmSchema, vmView(vm)), 200);
  });
  app.openapi(routes.adapter, async (c) => {
    const p = c.req.valid('param');
    const vm = await setAdapter(
      fleetOf(c),
      { host: p.host, name: p.name },
      p.index,
      adapterChange(c.req.valid('json')),
    );
    return c.json(check(VmSchema, vmView(vm)), 200);
  });
}
