/**
 * Fix the inventory's duplicates: the plan (src/fleet/fix-inventory.ts — which member keeps each MAC,
 * what every other one gets) shown as a before/after table, then made only when an operator confirms.
 * The confirm carries the inventory version the plan was made on: if the inventory changed meanwhile,
 * nothing is made and the new plan is shown instead. A member on a running VM is refused with the
 * core's reason, as the Network Adapters page refuses it.
 */
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { inventoryFixAllocator, inventoryFixPlan } from '../../apply/inventory-fix.js';
import {
  applyInventoryFix,
  parseFixScope,
  INVENTORY_FIX_ACTIONS,
  type FindingMember,
  type InventoryFixAction,
  type InventoryFixOptions,
  type InventoryFixOutcome,
  type InventoryFixPlan,
} from '../../fleet/index.js';
import { MacfleetError } from '../../errors.js';
import type { PoolInfo } from '../../store/pool-store.js';
import { inventoryFindings } from '../fleet-data.js';
import { badge, csrfField, fmtInt, html, query, type Html, type Notice, type PageContext } from '../html.js';
import {
  can,
  fleetFor,
  formOf,
  param,
  poolsOf,
  refusal,
  render,
  text,
  type ConsoleApp,
  type Ctx,
  type Kit,
} from '../route-kit.js';
import { poolOptions, radio, scopeFieldset, tableHead } from '../form-controls.js';
import { vmPath } from './vms.js';

export const INVENTORY_FIX_PATH = '/conflicts/fix';

function optionsOf(get: (name: string) => string | undefined): InventoryFixOptions {
  const scope = get('scope') ?? 'default';
  const action = get('action') ?? 'dynamic';
  if (!(INVENTORY_FIX_ACTIONS as readonly string[]).includes(action))
    throw new MacfleetError(
      'INVALID_ARGUMENT',
      `action: expected dynamic or pool, got ${JSON.stringify(action)}`,
      {
        location: { field: 'action' },
      },
    );
  return {
    scope: parseFixScope(scope, 'scope'),
    action: action as InventoryFixAction,
    pool: get('pool') ?? null,
  };
}

const adapterLink = (m: FindingMember): Html =>
  html`<a href="${vmPath(m.host, m.vm)}/adapters/${m.adapter}"
    >${m.host} / ${m.vm} · Network Adapter ${m.adapter + 1}</a
  >`;

function optionsForm(o: InventoryFixOptions, pools: readonly PoolInfo[]): Html {
  return html`<form method="get" action="${INVENTORY_FIX_PATH}" class="panel stack" aria-labelledby="ifx-h">
    <h2 id="ifx-h" style="margin-top:0">Options</h2>
    ${scopeFieldset('ifx', o.scope)}
    <fieldset>
      <legend>New MAC for the adapters that change</legend>
      ${radio('ifx-dynamic', 'action', 'dynamic', "Dynamic: the host's allocation source hands one out", o.action === 'dynamic')}
      ${radio(
        'ifx-pool',
        'action',
        'pool',
        'Static, from a pool',
        o.action === 'pool',
        html`<select id="ifx-pool-name" name="pool" aria-label="Pool for static MACs">
          ${poolOptions(pools, o.pool)}
        </select>`,
      )}
    </fieldset>
    <div><button type="submit">Show the plan</button></div>
  </form>`;
}

function planTable(plan: InventoryFixPlan): Html {
  if (plan.changes.length === 0)
    return html`<p id="ifx-none">
      Nothing to change: no duplicate in the inventory is fixed under these
      options${plan.leftAlone > 0 ? html` (${fmtInt(plan.leftAlone)} finding(s) left alone: latent ones need “All”, NLB cluster MACs are shared by design)` : ''}.
    </p>`;
  return html`<table aria-describedby="ifx-sum">
    <caption id="ifx-sum" style="text-align:left">
      ${fmtInt(plan.changes.length)} adapter(s) change;
      ${fmtInt(plan.changes.filter((c) => c.refused !== undefined).length)} of them are refused now
    </caption>
    ${tableHead('Adapter', 'Network', 'VM state', 'Before', 'After', 'Keeps the MAC', 'Status')}
    <tbody>
      ${plan.changes.map(
        (c) =>
          html`<tr>
            <td>${adapterLink(c.member)}</td>
            <td>${c.member.network}</td>
            <td>${c.member.state}</td>
            <td>
              <span class="mac">${c.finding.mac}</span>
              <span class="muted">(${c.member.mode}, ${c.finding.scope})</span>
            </td>
            <td class="after">${c.after}</td>
            <td>${adapterLink(c.keeper)}</td>
            <td>
              ${c.refused === undefined ? badge('will change', 'ok') : html`${badge('refused', 'error')} ${refusal(c.refused).notice.text}`}
            </td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

function confirmForm(
  ctx: PageContext,
  o: InventoryFixOptions,
  version: number,
  plan: InventoryFixPlan,
  operator: boolean,
): Html {
  if (plan.changes.length === 0) return html``;
  if (!operator)
    return html`<p class="reason">
      Making these changes needs the operator role; ${ctx.principal.name} is ${ctx.principal.role}.
    </p>`;
  const makeable = plan.changes.filter((c) => c.refused === undefined).length;
  return html`<form
    method="post"
    action="${INVENTORY_FIX_PATH}"
    class="panel stack"
    style="margin-top:1rem"
    aria-labelledby="ifx-confirm-h"
  >
    ${csrfField(ctx)}
    <h2 id="ifx-confirm-h" style="margin-top:0">Confirm</h2>
    <input type="hidden" name="scope" value="${o.scope}" /><input
      type="hidden"
      name="action"
      value="${o.action}"
    /><input type="hidden" name="pool" value="${o.pool ?? ''}" /><input
      type="hidden"
      name="version"
      value="${String(version)}"
    />
    <p>
      ${fmtInt(makeable)} adapter(s) will get a new MAC, each change logged in Events under your name.
      ${makeable < plan.changes.length ? html`${fmtInt(plan.changes.length - makeable)} refused now will be tried again (their VM may have stopped since).` : ''}
    </p>
    <div class="choice">
      <input type="checkbox" id="ifx-sure" name="confirm" value="yes" required /><label for="ifx-sure"
        >I have read the plan above</label
      >
    </div>
    <div><button type="submit" class="danger">Make these changes</button></div>
  </form>`;
}

const planFor = (kit: Kit, o: InventoryFixOptions) =>
  inventoryFixPlan(kit.deps.store, o, (tx) => inventoryFindings(kit, tx));

async function planPage(
  kit: Kit,
  c: Ctx,
  o: InventoryFixOptions,
  notice?: Notice,
  status?: ContentfulStatusCode,
) {
  const { version, plan } = await planFor(kit, o);
  const pools = await poolsOf(kit).listPools();
  return render(
    c,
    '/conflicts',
    'Fix the inventory’s duplicates',
    (ctx) =>
      html`<p><a href="/conflicts">Back to Conflicts</a></p>
        ${optionsForm(o, pools)}
        <section aria-labelledby="ifx-plan-h">
          <h2 id="ifx-plan-h">The plan</h2>
          ${planTable(plan)} ${confirmForm(ctx, o, version, plan, can(c, 'operator'))}
        </section>`,
    notice,
    status,
  );
}

function outcomeTable(outcomes: readonly InventoryFixOutcome[]): Html {
  return html`<table>
    ${tableHead('Adapter', 'Before', 'After', 'Outcome')}
    <tbody>
      ${outcomes.map(
        (o) =>
          html`<tr>
            <td>${adapterLink(o.change.member)}</td>
            <td class="mac">${o.change.finding.mac}</td>
            <td class="mac after">${o.mac ?? ''}</td>
            <td>
              ${o.error === undefined ? badge('changed', 'ok') : html`${badge('refused', 'error')} ${refusal(o.error).notice.text}`}
            </td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

export function registerInventoryFixPages(app: ConsoleApp, kit: Kit): void {
  app.get(INVENTORY_FIX_PATH, kit.guard, async (c) => {
    let o: InventoryFixOptions;
    try {
      o = optionsOf((n) => param(c, n));
    } catch (e) {
      const r = refusal(e);
      return planPage(kit, c, { scope: 'default', action: 'dynamic', pool: null }, r.notice, r.status);
    }
    return planPage(kit, c, o);
  });
  app.post(INVENTORY_FIX_PATH, kit.guard, async (c) => {
    const form = await formOf(c);
    let o: InventoryFixOptions;
    try {
      o = optionsOf((n) => text(form, n));
    } catch (e) {
      const r = refusal(e);
      return planPage(kit, c, { scope: 'default', action: 'dynamic', pool: null }, r.notice, r.status);
    }
    if (!can(c, 'operator')) {
      const p = c.get('principal');
      return planPage(
        kit,
        c,
        o,
        { kind: 'error', text: `fixing the inventory needs the operator role; ${p.name} is ${p.role}.` },
        403,
      );
    }
    if (text(form, 'confirm') !== 'yes')
      return planPage(
        kit,
        c,
        o,
        { kind: 'error', text: 'tick “I have read the plan above” to make the changes' },
        400,
      );
    const { version, plan } = await planFor(kit, o);
    if (String(version) !== text(form, 'version'))
      return planPage(
        kit,
        c,
        o,
        {
          kind: 'error',
          text: `the inventory changed since the plan was shown (version ${text(form, 'version') ?? '?'}, now ${version}): nothing was changed; review the plan below and confirm again`,
        },
        409,
      );
    const allocator = inventoryFixAllocator(poolsOf(kit), o.pool);
    const outcomes = await applyInventoryFix(fleetFor(kit, c), plan, allocator);
    const made = outcomes.filter((x) => x.error === undefined).length;
    return render(
      c,
      '/conflicts',
      'Fix the inventory’s duplicates',
      () =>
        html`<p>
            <a href="/conflicts">Back to Conflicts</a> ·
            <a
              href="${INVENTORY_FIX_PATH}${query({ scope: o.scope, action: o.action, pool: o.pool ?? undefined })}"
              >Plan again</a
            >
          </p>
          ${outcomeTable(outcomes)}`,
      {
        kind: made === outcomes.length ? 'ok' : 'error',
        text: `${fmtInt(made)} of ${fmtInt(outcomes.length)} adapter(s) changed${made < outcomes.length ? `; ${fmtInt(outcomes.length - made)} refused (see the table)` : ''}.`,
      },
      made === 0 && outcomes.length > 0 ? 409 : 200,
    );
  });
}
