/**
 * Virtual Machines: the list (filtered and paged in SQL) with Start, Stop and Configure, and a VM's
 * configuration page. Labels follow the hypervisors' own consoles, so an administrator reading Virtual
 * Server's or Hyper-V's instructions finds the same words: "Configure", "Network Adapters",
 * "Ethernet (MAC) Address", "Dynamic", "Static", "Enable spoofing of MAC address", "OK".
 */
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { adapterMacText, VM_STATES, startVm, stopVm, type Vm, type VmState } from '../../fleet/index.js';
import { parseMac, type Mac } from '../../mac/index.js';
import { vmPage } from '../../store/fleet-pages.js';
import { safeNext } from '../auth.js';
import {
  badge,
  csrfField,
  fmtInt,
  html,
  pageNumber,
  pager,
  query,
  raw,
  type Html,
  type PageContext,
} from '../html.js';
import {
  can,
  done,
  fleetFor,
  formOf,
  param,
  read,
  refusal,
  render,
  text,
  type ConsoleApp,
  type Ctx,
  type Kit,
} from '../route-kit.js';
import { registerAdapterPages } from './vm-adapters.js';

export const PAGE_SIZE = 50;

/** `/vms/<host>/<name>` with both parts encoded. */
export const vmPath = (host: string, name: string): string =>
  `/vms/${encodeURIComponent(host)}/${encodeURIComponent(name)}`;

interface ListQuery {
  readonly name?: string;
  readonly host?: string;
  readonly state?: VmState;
  readonly mac?: string;
  readonly page: number;
}

function listQuery(c: Ctx): { q: ListQuery; mac?: Mac; macError?: string } {
  const stateText = param(c, 'state');
  const state = VM_STATES.find((s) => s === stateText);
  const adapterMacText = param(c, 'mac');
  const q: ListQuery = {
    page: pageNumber(param(c, 'page')),
    ...(param(c, 'name') === undefined ? {} : { name: param(c, 'name')! }),
    ...(param(c, 'host') === undefined ? {} : { host: param(c, 'host')! }),
    ...(state === undefined ? {} : { state }),
    ...(adapterMacText === undefined ? {} : { mac: adapterMacText }),
  };
  if (adapterMacText === undefined) return { q };
  try {
    return { q, mac: parseMac(adapterMacText) };
  } catch (e) {
    return { q, macError: (e as Error).message };
  }
}

/** Start and Stop buttons for a VM (operators and admins only). */
export function lifecycleButtons(ctx: PageContext, vm: Vm, back: string, operator: boolean): Html {
  if (!operator) return html``;
  const form = (action: 'start' | 'stop', label: string, disabled: boolean) =>
    html`<form method="post" action="${vmPath(vm.host, vm.name)}/${action}" class="inline">
      ${csrfField(ctx)}<input type="hidden" name="back" value="${back}" /><button
        type="submit"
        aria-label="${label} ${vm.name} on ${vm.host}"
        ${disabled ? raw(' disabled') : ''}
      >
        ${label}
      </button>
    </form>`;
  return html`${form('start', 'Start', vm.state === 'running')}
  ${form('stop', 'Stop', vm.state === 'stopped')}`;
}

function adaptersCell(vm: Vm): Html {
  if (vm.adapters.length === 0) return html`<span class="muted">no network adapters</span>`;
  return html`${vm.adapters.map(
    (a) =>
      html`<div>
        ${a.network} · ${a.mode} ·
        <span class="mac">${adapterMacText(a.mac)}</span>${a.spoofing ? html` · spoofing on` : ''}
      </div>`,
  )}`;
}

async function listPage(
  kit: Kit,
  c: Ctx,
  notice?: { kind: 'error'; text: string },
  status: ContentfulStatusCode = 200,
) {
  const { q, mac, macError } = listQuery(c);
  const filter = {
    ...(q.host === undefined ? {} : { host: q.host }),
    ...(q.name === undefined ? {} : { name: q.name }),
    ...(q.state === undefined ? {} : { state: q.state }),
    ...(mac === undefined ? {} : { mac }),
  };
  const { page, hosts } = await read(kit, async (tx) => ({
    page:
      macError === undefined
        ? await vmPage(tx, filter, (q.page - 1) * PAGE_SIZE, PAGE_SIZE)
        : { items: [], total: 0 },
    hosts: (await tx.all<{ name: string }>('SELECT name FROM fleet_hosts ORDER BY name')).map((r) => r.name),
  }));
  const operator = can(c, 'operator');
  const params = { name: q.name, host: q.host, state: q.state, mac: q.mac };
  const back = `/vms${query({ ...params, page: q.page === 1 ? undefined : q.page })}`;
  const shownNotice =
    notice ??
    (macError === undefined ? undefined : { kind: 'error' as const, text: `MAC filter: ${macError}` });
  return render(
    c,
    '/vms',
    'Virtual Machines',
    (ctx) =>
      html` <form
          method="get"
          action="/vms"
          class="filters"
          role="search"
          aria-label="Filter virtual machines"
        >
          <div class="f">
            <label for="f-name">Name contains</label
            ><input id="f-name" type="search" name="name" value="${q.name ?? ''}" />
          </div>
          <div class="f">
            <label for="f-host">Host</label
            ><select id="f-host" name="host">
              <option value="">All hosts</option>
              ${hosts.map(
                (h) => html`<option value="${h}" ${h === q.host ? raw(' selected') : ''}>${h}</option>`,
              )}
            </select>
          </div>
          <div class="f">
            <label for="f-state">State</label
            ><select id="f-state" name="state">
              <option value="">Any state</option>
              ${VM_STATES.map(
                (s) => html`<option value="${s}" ${s === q.state ? raw(' selected') : ''}>${s}</option>`,
              )}
            </select>
          </div>
          <div class="f">
            <label for="f-mac">MAC address</label
            ><input id="f-mac" type="text" name="mac" value="${q.mac ?? ''}" placeholder="any notation" />
          </div>
          <div class="f"><button type="submit">Filter</button></div>
        </form>
        <table>
          <caption class="muted" style="text-align:left;padding:.3rem 0">
            ${fmtInt(page.total)} virtual machine(s)
          </caption>
          <thead>
            <tr>
              <th scope="col">Host</th>
              <th scope="col">Virtual machine</th>
              <th scope="col">State</th>
              <th scope="col">Network adapters</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            ${page.items.map(
              (vm) =>
                html`<tr>
                  <td>${vm.host}</td>
                  <td><a href="${vmPath(vm.host, vm.name)}">${vm.name}</a></td>
                  <td>${badge(vm.state)}</td>
                  <td>${adaptersCell(vm)}</td>
                  <td class="nowrap">
                    ${lifecycleButtons(ctx, vm, back, operator)}
                    <a
                      class="button"
                      href="${vmPath(vm.host, vm.name)}"
                      aria-label="Configure ${vm.name} on ${vm.host}"
                      >Configure</a
                    >
                  </td>
                </tr>`,
            )}
            ${
              page.items.length === 0
                ? html`<tr>
                    <td colspan="5" class="muted">No virtual machine matches.</td>
                  </tr>`
                : ''
            }
          </tbody>
        </table>
        ${pager('/vms', params, q.page, PAGE_SIZE, page.total)}`,
    shownNotice,
    status,
  );
}

/** Load one VM (or answer 404 with the reason). */
export async function loadVm(
  kit: Kit,
  host: string,
  name: string,
): Promise<{ vm: Vm; hypervisor: string } | undefined> {
  return read(kit, async (tx) => {
    const h = await tx.get<{ hypervisor: string }>('SELECT hypervisor FROM fleet_hosts WHERE name = ?', [
      host,
    ]);
    if (h === undefined) return undefined;
    const page = await vmPage(tx, { host, name }, 0, 1_000);
    const vm = page.items.find((v) => v.name === name);
    return vm === undefined ? undefined : { vm, hypervisor: h.hypervisor };
  });
}

export function vmNotFound(c: Ctx, host: string, name: string) {
  return render(
    c,
    '/vms',
    'Virtual machine not found',
    () => html`<p><a href="/vms">Back to Virtual Machines</a></p>`,
    {
      kind: 'error',
      text: `no VM named ${JSON.stringify(name)} on host ${JSON.stringify(host)} [NOT_FOUND]`,
    },
    404,
  );
}

async function configurePage(kit: Kit, c: Ctx) {
  const host = c.req.param('host')!;
  const name = c.req.param('name')!;
  const found = await loadVm(kit, host, name);
  if (found === undefined) return vmNotFound(c, host, name);
  const { vm, hypervisor } = found;
  const operator = can(c, 'operator');
  const here = vmPath(vm.host, vm.name);
  return render(
    c,
    '/vms',
    `“${vm.name}” Configuration`,
    (ctx) =>
      html` <div class="split">
        <nav aria-label="Virtual machine configuration">
          <ul class="pane-list">
            <li><a href="${here}" aria-current="page">Status</a></li>
            <li><a href="${here}/adapters">Network Adapters</a></li>
          </ul>
        </nav>
        <section class="panel" aria-labelledby="status-h">
          <h2 id="status-h" style="margin-top:0">Status</h2>
          <dl class="kv">
            <dt>Virtual machine</dt>
            <dd>${vm.name}</dd>
            <dt>Host</dt>
            <dd><a href="/hosts#${vm.host}">${vm.host}</a> (${hypervisor})</dd>
            <dt>State</dt>
            <dd>${badge(vm.state)}</dd>
            <dt>Network adapters</dt>
            <dd>${vm.adapters.length}</dd>
          </dl>
          <div class="actions">${lifecycleButtons(ctx, vm, here, operator)}</div>
          <h3>Network Adapters</h3>
          <table>
            <thead>
              <tr>
                <th scope="col">Adapter</th>
                <th scope="col">Virtual network</th>
                <th scope="col">Ethernet (MAC) address</th>
                <th scope="col">Mode</th>
                <th scope="col">Spoofing</th>
              </tr>
            </thead>
            <tbody>
              ${vm.adapters.map(
                (a) =>
                  html`<tr>
                    <td><a href="${here}/adapters/${a.index}">Network Adapter ${a.index + 1}</a></td>
                    <td>${a.network}</td>
                    <td class="mac">${adapterMacText(a.mac)}</td>
                    <td>${a.mode}</td>
                    <td>${a.spoofing ? 'on' : 'off'}</td>
                  </tr>`,
              )}
            </tbody>
          </table>
          <p><a href="/events${query({ host: vm.host, vm: vm.name })}">Events of this virtual machine</a></p>
        </section>
      </div>`,
  );
}

async function lifecycle(kit: Kit, c: Ctx, action: 'start' | 'stop') {
  const host = c.req.param('host')!;
  const name = c.req.param('name')!;
  const form = await formOf(c);
  const back = safeNext(text(form, 'back') ?? vmPath(host, name));
  if (!can(c, 'operator')) {
    const p = c.get('principal');
    return listPage(
      kit,
      c,
      { kind: 'error', text: `starting and stopping VMs needs the operator role; ${p.name} is ${p.role}.` },
      403,
    );
  }
  try {
    const fleet = fleetFor(kit, c);
    const vm = await (action === 'start' ? startVm : stopVm)(fleet, { name, host });
    return done(c, back, `${vm.host}/${vm.name} is ${vm.state}.`);
  } catch (e) {
    const r = refusal(e);
    const session = c.get('session');
    if (session !== undefined) session.flash = r.notice;
    // Back where the button was, with the reason on the page.
    return session === undefined ? c.text(r.notice.text, r.status) : c.redirect(back, 303);
  }
}

export function registerVmPages(app: ConsoleApp, kit: Kit): void {
  app.get('/vms', kit.guard, (c) => listPage(kit, c));
  app.get('/vms/:host/:name', kit.guard, (c) => configurePage(kit, c));
  app.post('/vms/:host/:name/start', kit.guard, (c) => lifecycle(kit, c, 'start'));
  app.post('/vms/:host/:name/stop', kit.guard, (c) => lifecycle(kit, c, 'stop'));
  registerAdapterPages(app, kit);
}
