/**
 * A VM's Network Adapters: pick an adapter, set its Ethernet (MAC) Address to Dynamic or Static,
 * MAC address spoofing, the guards its hypervisor has (Hyper-V DHCP guard, router guard; VMware
 * promiscuous mode, MAC address changes, forged transmits), then OK. The MAC mode and spoofing change
 * only while the VM is stopped (the core's rule 3): while it runs those controls are disabled with the
 * reason, and a change sent anyway is refused by the core with the same reason.
 *
 * Every setting is sent as a value only when its control is enabled: a checkbox comes with a hidden
 * "off" before it (a browser sends nothing for an unchecked box), so "absent" means "leave as it is".
 */
import { MacfleetError } from '../../errors.js';
import {
  adapterMacText,
  setAdapter,
  type Adapter,
  type AdapterChange,
  type Vm,
  type VmwarePolicy,
} from '../../fleet/index.js';
import { parseMac } from '../../mac/index.js';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { csrfField, html, raw, type Html, type Notice, type PageContext } from '../html.js';
import {
  can,
  done,
  fleetFor,
  formOf,
  refusal,
  render,
  text,
  values,
  type ConsoleApp,
  type Ctx,
  type Form,
  type Kit,
} from '../route-kit.js';
import { loadVm, vmNotFound, vmPath } from './vms.js';

export const STOP_FIRST = 'stop the virtual machine to change this';

const VMWARE_FIELDS = [
  { key: 'promiscuous', label: 'Promiscuous mode' },
  { key: 'macChanges', label: 'MAC address changes' },
  { key: 'forgedTransmits', label: 'Forged transmits' },
] as const satisfies readonly { key: keyof VmwarePolicy; label: string }[];

const disabledAttr = (off: boolean): Html => (off ? raw(' disabled') : html``);
const checkedAttr = (on: boolean): Html => (on ? raw(' checked') : html``);

/** A checkbox that posts "on" or "off" (or nothing when disabled). */
function checkbox(name: string, label: string, on: boolean, off: boolean, describedBy?: string): Html {
  const id = `f-${name}`;
  return html`<div class="choice">
    <input type="hidden" name="${name}" value="off" ${disabledAttr(off)} /><input
      type="checkbox"
      id="${id}"
      name="${name}"
      value="on"
      ${checkedAttr(on)}${disabledAttr(off)}${describedBy === undefined ? '' : raw(` aria-describedby="${describedBy}"`)}
    /><label for="${id}">${label}</label>
  </div>`;
}

function adapterForm(ctx: PageContext, vm: Vm, hypervisor: string, a: Adapter, editable: boolean): Html {
  const running = vm.state !== 'stopped';
  const locked = running || !editable;
  const reason = running ? html`<p class="reason" id="why-locked">${STOP_FIRST}</p>` : html``;
  const described = running ? 'why-locked' : undefined;
  const action = `${vmPath(vm.host, vm.name)}/adapters/${a.index}`;
  return html`<form method="post" action="${action}" class="panel" aria-labelledby="adapter-h">
    ${csrfField(ctx)}
    <h2 id="adapter-h" style="margin-top:0">Network Adapter ${a.index + 1}</h2>
    <dl class="kv">
      <dt>Virtual network</dt>
      <dd>${a.network}</dd>
      <dt>Current MAC address</dt>
      <dd class="mac" id="current-mac">${adapterMacText(a.mac)}</dd>
      <dt>Current mode</dt>
      <dd id="current-mode">${a.mode}</dd>
    </dl>
    <fieldset>
      <legend>Ethernet (MAC) Address</legend>
      ${reason}
      <div class="choice">
        <input
          type="radio"
          id="mode-dynamic"
          name="mode"
          value="dynamic"
          ${checkedAttr(a.mode === 'dynamic')}${disabledAttr(locked)}${described === undefined ? '' : raw(` aria-describedby="${described}"`)}
        /><label for="mode-dynamic">Dynamic</label>
      </div>
      <div class="choice">
        <input
          type="radio"
          id="mode-static"
          name="mode"
          value="static"
          ${checkedAttr(a.mode === 'static')}${disabledAttr(locked)}${described === undefined ? '' : raw(` aria-describedby="${described}"`)}
        /><label for="mode-static">Static</label>
      </div>
      <div class="choice">
        <label for="static-mac">Static MAC address</label
        ><input
          type="text"
          id="static-mac"
          name="mac"
          value="${adapterMacText(a.mac)}"
          class="mono"
          spellcheck="false"
          autocomplete="off"
          ${disabledAttr(locked)}
        />
      </div>
      ${checkbox('spoofing', 'Enable spoofing of MAC address', a.spoofing, locked, described)}
    </fieldset>
    ${
      hypervisor === 'hyper-v'
        ? html`<fieldset>
            <legend>Advanced features</legend>
            ${checkbox('dhcpGuard', 'Enable DHCP guard', a.dhcpGuard, !editable)}
            ${checkbox('routerGuard', 'Enable router advertisement guard', a.routerGuard, !editable)}
          </fieldset>`
        : ''
    }
    ${
      a.vmware === null
        ? ''
        : html`<fieldset>
            <legend>Security policy (port group)</legend>
            ${VMWARE_FIELDS.map((f) => {
              const on = a.vmware![f.key];
              return html`<div class="choice">
                <label for="vm-${f.key}">${f.label}</label
                ><select id="vm-${f.key}" name="${f.key}" ${disabledAttr(!editable)}>
                  <option value="accept" ${on ? raw(' selected') : ''}>Accept</option>
                  <option value="reject" ${on ? '' : raw(' selected')}>Reject</option>
                </select>
              </div>`;
            })}
          </fieldset>`
    }
    <div class="actions">
      ${editable ? html`<button type="submit" class="primary">OK</button>` : html`<span class="muted">Viewers cannot change adapters.</span>`}
      <a href="${vmPath(vm.host, vm.name)}">Cancel</a>
    </div>
  </form>`;
}

async function adapterPage(
  kit: Kit,
  c: Ctx,
  index: number | undefined,
  notice?: Notice,
  status?: ContentfulStatusCode,
) {
  const host = c.req.param('host')!;
  const name = c.req.param('name')!;
  const found = await loadVm(kit, host, name);
  if (found === undefined) return vmNotFound(c, host, name);
  const { vm, hypervisor } = found;
  const chosen = index === undefined ? vm.adapters[0] : vm.adapters.find((a) => a.index === index);
  const base = vmPath(vm.host, vm.name);
  const editable = can(c, 'operator');
  return render(
    c,
    '/vms',
    `“${vm.name}” Configuration`,
    (ctx) =>
      html` <p class="muted">${vm.host} · ${hypervisor} · state ${vm.state}</p>
        <div class="split">
          <nav aria-label="Virtual machine configuration">
            <ul class="pane-list">
              <li><a href="${base}">Status</a></li>
              <li>
                <a href="${base}/adapters" ${index === undefined ? raw(' aria-current="page"') : ''}
                  >Network Adapters</a
                >
              </li>
              ${vm.adapters.map(
                (a) =>
                  html`<li>
                    <a
                      href="${base}/adapters/${a.index}"
                      ${a === chosen && index !== undefined ? raw(' aria-current="page"') : ''}
                      >Network Adapter ${a.index + 1} — ${a.network}</a
                    >
                  </li>`,
              )}
            </ul>
          </nav>
          <div>
            ${chosen === undefined ? html`<p class="panel">This virtual machine has no network adapters${index === undefined ? '' : html` numbered ${index + 1}`}.</p>` : adapterForm(ctx, vm, hypervisor, chosen, editable)}
          </div>
        </div>`,
    notice,
    status ?? (chosen === undefined && index !== undefined ? 404 : 200),
  );
}

/** An on/off field: undefined when not sent (control disabled or absent). */
function onOff(form: Form, name: string): boolean | undefined {
  const v = values(form, name);
  return v.length === 0 ? undefined : v.includes('on');
}

/** The change the form asks for, against the adapter as it is now. */
export function changeFromForm(form: Form, a: Adapter): AdapterChange {
  const mode = text(form, 'mode');
  let change: AdapterChange = {};
  if (mode === 'dynamic' && a.mode !== 'dynamic') change = { dynamic: true };
  if (mode === 'static') {
    const given = text(form, 'mac');
    const mac = given === undefined ? a.mac : parseMac(given);
    if (mac === null)
      throw new MacfleetError(
        'INVALID_ARGUMENT',
        'Static needs an Ethernet (MAC) address: this adapter has none yet (assigned at first start)',
        { location: { field: 'mac' } },
      );
    if (a.mode !== 'static' || mac !== a.mac) change = { static: mac === a.mac ? 'current' : mac };
  }
  const spoofing = onOff(form, 'spoofing');
  if (spoofing !== undefined && spoofing !== a.spoofing) change = { ...change, spoofing };
  const dhcpGuard = onOff(form, 'dhcpGuard');
  if (dhcpGuard !== undefined) change = { ...change, dhcpGuard };
  const routerGuard = onOff(form, 'routerGuard');
  if (routerGuard !== undefined) change = { ...change, routerGuard };
  const vmware: Partial<Record<keyof VmwarePolicy, boolean>> = {};
  for (const f of VMWARE_FIELDS) {
    const v = text(form, f.key);
    if (v === 'accept' || v === 'reject') vmware[f.key] = v === 'accept';
  }
  if (Object.keys(vmware).length > 0 && a.vmware !== null) change = { ...change, vmware };
  return change;
}

function describeSaved(before: Adapter, after: Adapter): string {
  const parts: string[] = [];
  if (before.mode !== after.mode || before.mac !== after.mac)
    parts.push(
      `${after.mode} MAC ${adapterMacText(after.mac)} (was ${before.mode} ${adapterMacText(before.mac)})`,
    );
  if (before.spoofing !== after.spoofing) parts.push(`spoofing ${after.spoofing ? 'on' : 'off'}`);
  if (before.dhcpGuard !== after.dhcpGuard) parts.push(`DHCP guard ${after.dhcpGuard ? 'on' : 'off'}`);
  if (before.routerGuard !== after.routerGuard)
    parts.push(`router guard ${after.routerGuard ? 'on' : 'off'}`);
  if (JSON.stringify(before.vmware) !== JSON.stringify(after.vmware)) parts.push('security policy changed');
  return parts.length === 0 ? 'nothing to change' : parts.join(', ');
}

async function saveAdapter(kit: Kit, c: Ctx) {
  const host = c.req.param('host')!;
  const name = c.req.param('name')!;
  const index = Number(c.req.param('index'));
  const form = await formOf(c);
  const found = await loadVm(kit, host, name);
  if (found === undefined) return vmNotFound(c, host, name);
  const before = found.vm.adapters.find((a) => a.index === index);
  if (before === undefined) return adapterPage(kit, c, index);
  const here = `${vmPath(host, name)}/adapters/${index}`;
  if (!can(c, 'operator')) {
    const p = c.get('principal');
    const text = `changing a network adapter needs the operator role; ${p.name} is ${p.role}.`;
    return adapterPage(kit, c, index, { kind: 'error', text }, 403);
  }
  try {
    const vm = await setAdapter(fleetFor(kit, c), { name, host }, index, changeFromForm(form, before));
    const after = vm.adapters.find((a) => a.index === index) ?? before;
    return done(c, here, `Network Adapter ${index + 1} of ${host}/${name}: ${describeSaved(before, after)}.`);
  } catch (e) {
    const r = refusal(e);
    return adapterPage(kit, c, index, r.notice, r.status);
  }
}

export function registerAdapterPages(app: ConsoleApp, kit: Kit): void {
  app.get('/vms/:host/:name/adapters', kit.guard, (c) => adapterPage(kit, c, undefined));
  app.get('/vms/:host/:name/adapters/:index{[0-9]+}', kit.guard, (c) =>
    adapterPage(kit, c, Number(c.req.param('index'))),
  );
  app.post('/vms/:host/:name/adapters/:index{[0-9]+}', kit.guard, (c) => saveAdapter(kit, c));
}
