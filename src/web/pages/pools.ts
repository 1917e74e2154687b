/**
 * Pools: utilisation per pool (used, quarantined, free) as a chart, a pool's utilisation over time,
 * and the allocate, reserve and release forms (operators and admins).
 */
import { MacfleetError } from '../../errors.js';
import { formatMac, parseMac } from '../../mac/index.js';
import { formatRangeCompact } from '../../schemes/index.js';
import { poolHistory } from '../../store/fleet-pages.js';
import type { PoolInfo } from '../../store/pool-store.js';
import { chartLegend, historyChart, utilisationBar } from '../charts.js';
import { poolPath, poolTable } from '../pool-table.js';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { csrfField, fmtInt, html, raw, type Html, type Notice, type PageContext } from '../html.js';
import {
  can,
  done,
  formOf,
  poolsOf,
  read,
  refusal,
  render,
  text,
  type ConsoleApp,
  type Ctx,
  type Kit,
} from '../route-kit.js';

const hours = (ms: number): string =>
  ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : `${Math.round(ms / 60_000)}m`;

function poolOptions(pools: readonly PoolInfo[], selected?: string): Html {
  return html`${pools.map((p) => html`<option value="${p.name}" ${p.name === selected || (selected === undefined && p.isDefault) ? raw(' selected') : ''}>${p.name}</option>`)}`;
}

function forms(ctx: PageContext, pools: readonly PoolInfo[], selected?: string): Html {
  return html`<section aria-labelledby="act-h">
    <h2 id="act-h">Allocate, reserve, release</h2>
    <div class="grid2">
      <form method="post" action="/pools/allocate" class="panel stack" aria-labelledby="alloc-h">
        ${csrfField(ctx)}
        <h3 id="alloc-h" style="margin-top:0">Allocate</h3>
        <label for="a-pool">Pool</label
        ><select id="a-pool" name="pool">
          ${poolOptions(pools, selected)}
        </select>
        <label for="a-count">Count</label
        ><input id="a-count" name="count" type="number" min="1" max="100000" value="1" required />
        <label for="a-owner">Owner</label
        ><input id="a-owner" name="owner" type="text" placeholder="e.g. vm-web-01" />
        <label for="a-key">Idempotency key (optional)</label><input id="a-key" name="key" type="text" />
        <div><button type="submit" class="primary">Allocate</button></div>
      </form>
      <form method="post" action="/pools/reserve" class="panel stack" aria-labelledby="res-h">
        ${csrfField(ctx)}
        <h3 id="res-h" style="margin-top:0">Reserve</h3>
        <label for="r-mac">MAC address</label
        ><input id="r-mac" name="mac" type="text" class="mono" required /> <label for="r-owner">Owner</label
        ><input id="r-owner" name="owner" type="text" required />
        <div><button type="submit">Reserve</button></div>
      </form>
      <form method="post" action="/pools/release" class="panel stack" aria-labelledby="rel-h">
        ${csrfField(ctx)}
        <h3 id="rel-h" style="margin-top:0">Release</h3>
        <label for="l-mac">MAC address</label
        ><input id="l-mac" name="mac" type="text" class="mono" required />
        <p class="muted" style="margin:0">
          A released MAC waits out its pool's quarantine before it is handed out again.
        </p>
        <div><button type="submit" class="danger">Release</button></div>
      </form>
    </div>
  </section>`;
}

async function listPage(kit: Kit, c: Ctx, notice?: Notice, status: ContentfulStatusCode = 200) {
  const pools = await poolsOf(kit).listPools();
  return render(
    c,
    '/pools',
    'Pools',
    (ctx) =>
      html` ${
        pools.length === 0
          ? html`<p>No pools yet (<code>macfleet init</code> or <code>macfleet pool create</code>).</p>`
          : poolTable(pools, 300, { ranges: true })
      }
      ${can(c, 'operator') && pools.length > 0 ? forms(ctx, pools) : ''}`,
    notice,
    status,
  );
}

async function detailPage(kit: Kit, c: Ctx) {
  const name = c.req.param('name')!;
  let pool: PoolInfo;
  try {
    pool = await poolsOf(kit).showPool(name);
  } catch (e) {
    const r = refusal(e);
    return render(
      c,
      '/pools',
      'Pool not found',
      () => html`<p><a href="/pools">Back to Pools</a></p>`,
      r.notice,
      r.status,
    );
  }
  const history = await read(kit, (tx) => poolHistory(tx, name, kit.deps.clock.now()));
  const pools = await poolsOf(kit).listPools();
  return render(
    c,
    '/pools',
    `Pool ${pool.name}`,
    (ctx) =>
      html` <div class="panel">
          <dl class="kv">
            <dt>Ranges</dt>
            <dd class="mac">${pool.ranges.map((r) => html`<div>${formatRangeCompact(r)}</div>`)}</dd>
            <dt>Exclusions</dt>
            <dd class="mac">
              ${pool.exclusions.length === 0 ? 'none' : pool.exclusions.map((r) => html`<div>${formatRangeCompact(r)}</div>`)}
            </dd>
            <dt>Quarantine</dt>
            <dd>${hours(pool.quarantineMs)}</dd>
            <dt>Next allocation from</dt>
            <dd class="mac">${formatMac(pool.cursor)}</dd>
          </dl>
          <h2>Utilisation now</h2>
          ${chartLegend()} ${utilisationBar(pool, 640)}
          <p>
            ${fmtInt(pool.used)} used · ${fmtInt(pool.quarantined)} quarantined · ${fmtInt(pool.free)} free ·
            ${fmtInt(pool.size)} addresses
          </p>
          <h2>Over time</h2>
          <div class="legend" aria-hidden="true">
            <span><span class="sw sw-used"></span>used (allocated, reserved, in use)</span
            ><span><span class="sw sw-quar"></span>quarantined</span>
          </div>
          ${historyChart(pool.name, history)}
        </div>
        ${can(c, 'operator') ? forms(ctx, pools, pool.name) : ''}`,
  );
}

function needOperator(kit: Kit, c: Ctx, what: string) {
  const p = c.get('principal');
  return listPage(
    kit,
    c,
    { kind: 'error', text: `${what} needs the operator role; ${p.name} is ${p.role}.` },
    403,
  );
}

async function act(
  kit: Kit,
  c: Ctx,
  what: string,
  fn: (form: Awaited<ReturnType<typeof formOf>>) => Promise<{ to: string; text: string }>,
) {
  if (!can(c, 'operator')) return needOperator(kit, c, what);
  const form = await formOf(c);
  try {
    const r = await fn(form);
    return done(c, r.to, r.text);
  } catch (e) {
    const r = refusal(e);
    return listPage(kit, c, r.notice, r.status);
  }
}

function countOf(textValue: string | undefined): number {
  const n = Number(textValue ?? '1');
  if (!Number.isInteger(n) || n < 1 || n > 100_000)
    throw new MacfleetError(
      'INVALID_ARGUMENT',
      `count: expected a whole number 1..100000, got ${JSON.stringify(textValue)}`,
      { location: { field: 'count' } },
    );
  return n;
}

export function registerPoolPages(app: ConsoleApp, kit: Kit): void {
  app.get('/pools', kit.guard, (c) => listPage(kit, c));
  app.get('/pools/:name', kit.guard, (c) => detailPage(kit, c));
  app.post('/pools/allocate', kit.guard, (c) =>
    act(kit, c, 'allocating MACs', async (form) => {
      const pool = text(form, 'pool');
      const a = await poolsOf(kit).allocate({
        pool,
        count: countOf(text(form, 'count')),
        owner: text(form, 'owner') ?? c.get('principal').name,
        key: text(form, 'key') ?? null,
      });
      const shown = a.macs
        .slice(0, 20)
        .map((m) => formatMac(m))
        .join(', ');
      return {
        to: poolPath(a.pool),
        text: `${a.replayed ? 'Replayed' : 'Allocated'} ${fmtInt(a.macs.length)} MAC(s) from ${a.pool}: ${shown}${a.macs.length > 20 ? ', …' : ''}`,
      };
    }),
  );
  app.post('/pools/reserve', kit.guard, (c) =>
    act(kit, c, 'reserving a MAC', async (form) => {
      const h = await poolsOf(kit).reserve(parseMac(text(form, 'mac') ?? ''), text(form, 'owner') ?? null);
      return {
        to: h.pool === null ? '/pools' : poolPath(h.pool),
        text: `${formatMac(h.mac)} reserved by ${JSON.stringify(h.owner ?? '')}${h.pool === null ? ' (outside every pool)' : ` in pool ${h.pool}`}.`,
      };
    }),
  );
  app.post('/pools/release', kit.guard, (c) =>
    act(kit, c, 'releasing a MAC', async (form) => {
      const h = await poolsOf(kit).release(parseMac(text(form, 'mac') ?? ''));
      const until =
        h.quarantineUntil === null
          ? 'free again at once'
          : `quarantined until ${new Date(h.quarantineUntil).toISOString()}`;
      return {
        to: h.pool === null ? '/pools' : poolPath(h.pool),
        text: `${formatMac(h.mac)} released, ${until}.`,
      };
    }),
  );
}
