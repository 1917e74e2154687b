/**
 * Plan a fix for an uploaded scan: the options of `macfleet fix` (scope, who keeps the MAC, dynamic,
 * pool), then the plan exactly as `macfleet fix` makes it (src/apply/plan-fix.ts: the same selection,
 * allocation and rewriting) shown before anything leaves the service: the changes, a diff per file, the
 * PowerShell for Hyper-V hosts, the warnings. The files are the uploader's, so nothing is written on
 * the server: the fixed files are offered as a zip (with the plan and the PowerShell script). Planning
 * holds the new MACs in the pool (idempotently: planning or downloading again replays the same MACs),
 * so it needs the operator role.
 */
import { zipSync } from 'fflate';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { poolFixAllocator } from '../../apply/pool-allocator.js';
import {
  allocateNewMacs,
  finishFix,
  chooseFix,
  fixFileOf,
  keepRule,
  type FixOptions,
  type PlannedFix,
} from '../../apply/plan-fix.js';
import { MacfleetError } from '../../errors.js';
import { powershellScript } from '../../fix/powershell.js';
import { fileDiff, planSummary } from '../../fix/render-plan.js';
import { parseFixScope } from '../../fix/select-changes.js';
import type { PoolInfo } from '../../store/pool-store.js';
import { csrfField, fmtInt, html, type Html, type Notice, type PageContext } from '../html.js';
import {
  can,
  formOf,
  poolsOf,
  refusal,
  render,
  text,
  type ConsoleApp,
  type Ctx,
  type Form,
  type Kit,
} from '../route-kit.js';
import type { ShelvedScan } from '../scan-shelf.js';
import { checkedAttr, poolOptions, radio, scopeFieldset, tableHead } from '../form-controls.js';
import { scanFileLink } from './conflicts.js';

/** The options of the form, as sent (kept as text to fill the form and the download's hidden fields). */
interface FixForm {
  readonly scope: string;
  readonly keep: string;
  readonly glob: string;
  readonly dynamic: boolean;
  readonly pool: string;
}

const DEFAULT_FORM: FixForm = { scope: 'default', keep: 'first', glob: '', dynamic: false, pool: '' };

export const scanFixPath = (id: number): string => `/conflicts/scans/${id}/fix`;

function fixFormOf(form: Form): FixForm {
  return {
    scope: text(form, 'scope') ?? 'default',
    keep: text(form, 'keep') ?? 'first',
    glob: text(form, 'glob') ?? '',
    dynamic: text(form, 'dynamic') === 'on',
    pool: text(form, 'pool') ?? '',
  };
}

/** The planner's options from the form; bad values refused with the field named. */
function optionsOf(f: FixForm, now: number): FixOptions {
  const scope = parseFixScope(f.scope, 'scope');
  if (f.keep !== 'first' && f.keep !== 'glob')
    throw new MacfleetError(
      'INVALID_ARGUMENT',
      `keep: expected first or glob, got ${JSON.stringify(f.keep)}`,
      {
        location: { field: 'keep' },
      },
    );
  if (f.keep === 'glob' && f.glob.trim() === '')
    throw new MacfleetError('INVALID_ARGUMENT', 'keep: give the glob of the files that keep their MAC', {
      location: { field: 'glob' },
    });
  const keepText = f.keep === 'glob' ? f.glob : 'first';
  return {
    scope,
    keep: keepRule(keepText, '.', 'glob'),
    keepText,
    dynamic: f.dynamic,
    pool: f.pool === '' ? null : f.pool,
    backupDir: null,
    cwd: '.',
    now,
  };
}

function optionsForm(
  ctx: PageContext,
  s: ShelvedScan,
  f: FixForm,
  pools: readonly PoolInfo[],
  operator: boolean,
): Html {
  const who = ctx.principal;
  return html`<form method="post" action="${scanFixPath(s.id)}" class="panel stack" aria-labelledby="fix-h">
    ${csrfField(ctx)}
    <h2 id="fix-h" style="margin-top:0">Plan a fix</h2>
    ${scopeFieldset('fx', f.scope)}
    <fieldset>
      <legend>Who keeps the MAC</legend>
      ${radio('fx-keep-first', 'keep', 'first', 'The first member in path order', f.keep !== 'glob')}
      ${radio('fx-keep-glob', 'keep', 'glob', 'The member whose file matches', f.keep === 'glob', html`<input id="fx-glob" name="glob" type="text" value="${f.glob}" class="mono" aria-label="Glob of the files that keep their MAC" placeholder="esx01/**" />`)}
      <p class="muted" style="margin:0">
        Uploaded files carry no modification time, so <code>--keep oldest</code> is not offered here.
      </p>
    </fieldset>
    <div class="choice">
      <input type="checkbox" id="fx-dynamic" name="dynamic" value="on" ${checkedAttr(f.dynamic)} /><label
        for="fx-dynamic"
        >Switch to the format's dynamic MAC where it has one</label
      >
    </div>
    <label for="fx-pool">Pool for new MACs</label>
    <select id="fx-pool" name="pool">
      ${poolOptions(pools, f.pool)}
    </select>
    <div>
      ${operator ? html`<button type="submit" class="primary">Plan the fix</button>` : html`<p class="reason">Planning holds new MACs in a pool: it needs the operator role; ${who.name} is ${who.role}.</p>`}
    </div>
    <p class="muted" style="margin:0">
      Nothing is written: the plan is shown first, and the fixed files are offered for download.
    </p>
  </form>`;
}

/** The hidden copy of the options a download sends back (the same plan is made again, same MACs). */
const hiddenOptions = (f: FixForm): Html =>
  html`<input type="hidden" name="scope" value="${f.scope}" /><input
      type="hidden"
      name="keep"
      value="${f.keep}"
    /><input type="hidden" name="glob" value="${f.glob}" /><input
      type="hidden"
      name="pool"
      value="${f.pool}"
    />${f.dynamic ? html`<input type="hidden" name="dynamic" value="on" />` : ''}`;

/** A unified diff as lines marked added, removed, hunk or header (escaped by `html`). */
export function diffBlock(label: string, diff: string): Html {
  const lines = diff.replace(/\n$/, '').split('\n');
  const cls = (l: string) =>
    l.startsWith('+++') || l.startsWith('---')
      ? 'head'
      : l.startsWith('@@')
        ? 'hunk'
        : l.startsWith('+')
          ? 'add'
          : l.startsWith('-')
            ? 'del'
            : '';
  return html`<pre class="diff" tabindex="0" aria-label="${label}">
${lines.map((l) => html`<span class="${cls(l)}">${l === '' ? ' ' : l}</span>`)}</pre>`;
}

function planView(ctx: PageContext, s: ShelvedScan, f: FixForm, planned: PlannedFix): Html {
  const { plan, texts } = planned;
  const newValue = (c: (typeof plan.changes)[number]) =>
    `${c.newMac ?? 'dynamic'}${c.via === 'powershell' ? ' (PowerShell)' : c.via === 'manual' ? ' (by hand)' : ''}`;
  return html`<section aria-labelledby="plan-h" class="panel">
    <h2 id="plan-h" style="margin-top:0">The plan</h2>
    <p id="plan-summary"><strong>${planSummary(plan)}</strong></p>
    ${
      plan.changes.length === 0
        ? html`<p>Nothing to fix under these options.</p>`
        : html`<table>
            <caption class="muted" style="text-align:left">
              Changes, in file order
            </caption>
            ${tableHead('File', 'VM', 'Host', 'Network', 'Old MAC', 'New MAC', 'Resolves', 'Keeps the MAC')}
            <tbody>
              ${plan.changes.map(
                (c) =>
                  html`<tr>
                    <td><a href="${scanFileLink(s, c.file)}">${c.file}:${c.line}</a></td>
                    <td>${c.vm} <span class="muted">${c.adapter}</span></td>
                    <td>${c.host ?? ''}</td>
                    <td>${c.network ?? ''}</td>
                    <td class="mac">${c.oldMac}</td>
                    <td class="mac after">${newValue(c)}</td>
                    <td>
                      ${c.finding.kind === 'duplicate' ? `duplicate (${c.finding.scope ?? '?'})` : c.finding.kind}
                    </td>
                    <td>${c.keeps ?? ''}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }
    ${plan.files.map((pf) => {
      const t = texts.get(pf.file);
      if (t === undefined) return '';
      return html`<h3>${t.shown}</h3>
        ${diffBlock(`Changes to ${t.shown}`, fileDiff(t.shown, t.before, t.after))}`;
    })}
    ${
      plan.powershell.length === 0
        ? ''
        : html`<h3>PowerShell for the Hyper-V hosts (VMs turned off)</h3>
            <pre class="diff" tabindex="0" aria-label="PowerShell commands">
${plan.powershell.map((l) => html`<span>${l}</span>`)}</pre>`
    }
    ${
      plan.warnings.length === 0
        ? ''
        : html`<h3>Warnings</h3>
            <ul>
              ${plan.warnings.map((w) => html`<li>${w}</li>`)}
            </ul>`
    }
    ${
      plan.changes.length === 0
        ? ''
        : html`<form method="post" action="${scanFixPath(s.id)}.zip" hx-boost="false" class="actions">
            ${csrfField(ctx)} ${hiddenOptions(f)}
            <button type="submit" class="primary">Download the fixed files (.zip)</button>
            <span class="muted"
              >${fmtInt(plan.files.length)} file(s) as fixed, the plan
              (macfleet-fix/plan.json)${plan.powershell.length > 0 ? ' and macfleet-fix/fix.ps1' : ''}</span
            >
          </form>`
    }
  </section>`;
}

function scanMissing(c: Ctx) {
  return render(
    c,
    '/conflicts',
    'Scan not found',
    () => html`<p><a href="/conflicts">Back to Conflicts</a></p>`,
    {
      kind: 'error',
      text: `no uploaded scan ${c.req.param('id') ?? ''} (the store keeps the newest uploads)`,
    },
    404,
  );
}

/** Plan the fix of an uploaded scan on its files as uploaded (kept in the store with the scan). */
async function planScanFix(kit: Kit, s: ShelvedScan, f: FixForm): Promise<PlannedFix> {
  const options = optionsOf(f, kit.deps.clock.now());
  // The shelf's scan was rebuilt from these same kept files: the plan's offsets are those of these bytes.
  const files = await kit.scans.scans.files(s.id);
  const result = s.result;
  // A path uploaded twice (two archives holding it) is ambiguous: never planned (as the API's fix plan).
  const count = new Map<string, number>();
  for (const u of files) count.set(u.path, (count.get(u.path) ?? 0) + 1);
  const byPath = new Map(files.map((u) => [u.path, u.bytes]));
  const prepared = chooseFix(
    {
      scan: result,
      readFile: (file) => {
        const b = byPath.get(file);
        return b === undefined || count.get(file) !== 1 ? undefined : fixFileOf(file, b, 0);
      },
      roots: ['.'],
      place: (file) => file,
      onDisk: false,
    },
    options,
  );
  const allocated = prepared.requests.some((r) => r !== undefined)
    ? await allocateNewMacs(prepared, poolFixAllocator(poolsOf(kit), options.pool))
    : { macs: prepared.requests.map(() => undefined), allocations: [], warnings: [] };
  const planned = finishFix(prepared, allocated, options);
  for (const [path, n] of count)
    if (n > 1)
      planned.plan.warnings.push(
        `${path}: uploaded ${n} times (two archives hold that path): its adapters are not planned`,
      );
  return planned;
}

/** The options form, or the plan made with them (the form then folded under it). */
async function fixPage(
  kit: Kit,
  c: Ctx,
  s: ShelvedScan,
  f: FixForm,
  planned?: PlannedFix,
  notice?: Notice,
  status?: ContentfulStatusCode,
) {
  const pools = await poolsOf(kit).listPools();
  const operator = can(c, 'operator');
  return render(
    c,
    '/conflicts',
    `Plan a fix: scan ${s.id}`,
    (ctx) =>
      html`<p>
          <a href="/conflicts">Back to Conflicts</a> · <a href="/scans/${s.id}">Scan ${s.id}: ${s.name}</a>
        </p>
        ${
          planned === undefined
            ? optionsForm(ctx, s, f, pools, operator)
            : html`${planView(ctx, s, f, planned)}
                <details>
                  <summary>Change the options</summary>
                  ${optionsForm(ctx, s, f, pools, operator)}
                </details>`
        }`,
    notice,
    status,
  );
}

export function registerScanFixPages(app: ConsoleApp, kit: Kit): void {
  const scanOf = (c: Ctx) => kit.scans.get(Number(c.req.param('id')));
  app.get('/conflicts/scans/:id{[0-9]+}/fix', kit.guard, async (c) => {
    const s = await scanOf(c);
    return s === undefined ? scanMissing(c) : fixPage(kit, c, s, DEFAULT_FORM);
  });
  const refuseViewer = (c: Ctx) => {
    const p = c.get('principal');
    return {
      kind: 'error' as const,
      text: `planning a fix holds new MACs in a pool: it needs the operator role; ${p.name} is ${p.role}.`,
    };
  };
  app.post('/conflicts/scans/:id{[0-9]+}/fix', kit.guard, async (c) => {
    const s = await scanOf(c);
    if (s === undefined) return scanMissing(c);
    const f = fixFormOf(await formOf(c));
    if (!can(c, 'operator')) return fixPage(kit, c, s, f, undefined, refuseViewer(c), 403);
    try {
      return await fixPage(kit, c, s, f, await planScanFix(kit, s, f));
    } catch (e) {
      const r = refusal(e);
      return fixPage(kit, c, s, f, undefined, r.notice, r.status);
    }
  });
  app.post('/conflicts/scans/:id{[0-9]+}/fix.zip', kit.guard, async (c) => {
    const s = await scanOf(c);
    if (s === undefined) return scanMissing(c);
    const f = fixFormOf(await formOf(c));
    if (!can(c, 'operator')) return fixPage(kit, c, s, f, undefined, refuseViewer(c), 403);
    try {
      const { plan, texts } = await planScanFix(kit, s, f);
      const entries: Record<string, Uint8Array> = {};
      for (const t of texts.values()) entries[t.shown] = t.bytes;
      entries['macfleet-fix/plan.json'] = Buffer.from(`${JSON.stringify(plan, null, 2)}\n`);
      if (plan.powershell.length > 0)
        entries['macfleet-fix/fix.ps1'] = Buffer.from(
          powershellScript(
            plan.powershell,
            `macfleet fix: ${plan.powershell.length} adapter(s), ${plan.createdAt}`,
          ),
        );
      const zip = zipSync(entries, { level: 6, mtime: new Date(kit.deps.clock.now()) });
      return c.body(zip, 200, {
        'content-type': 'application/zip',
        'content-disposition': `attachment; filename="scan-${s.id}-fixed.zip"`,
      });
    } catch (e) {
      const r = refusal(e);
      return fixPage(kit, c, s, f, undefined, r.notice, r.status);
    }
  });
}
