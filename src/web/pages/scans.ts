/**
 * Scan upload: configuration files or an archive of them, audited as `macfleet scan` audits a tree;
 * the audit is shown (and listed under Conflicts), and an operator may import it into the inventory.
 */
import { MacfleetError } from '../../errors.js';
import { HYPERVISOR_KINDS, parseHypervisorKind } from '../../fleet/index.js';
import { formatMac } from '../../mac/index.js';
import { badge, csrfField, fmtInt, fmtTime, html, raw, type Html, type PageContext } from '../html.js';
import {
  can,
  done,
  fleetFor,
  formOf,
  param,
  refusal,
  render,
  text,
  type ConsoleApp,
  type Ctx,
  type Kit,
} from '../route-kit.js';
import type { ShelvedScan } from '../scan-shelf.js';
import { UPLOAD_LIMITS, type UploadedFile } from '../../scan/upload.js';
import { GROUPS, scanFileLink } from './conflicts.js';

/** `maxUploadBytes`: the largest request body the upload accepts (`serve --upload-limit`). */
function uploadForm(ctx: PageContext, maxUploadBytes: number): Html {
  return html`<form
    method="post"
    action="/scans"
    enctype="multipart/form-data"
    class="panel stack"
    aria-labelledby="up-h"
    hx-boost="false"
  >
    ${csrfField(ctx)}
    <h2 id="up-h" style="margin-top:0">Upload configuration files</h2>
    <label for="s-files">Configuration files or an archive (.zip, .tar, .tar.gz)</label>
    <input id="s-files" name="files" type="file" multiple required />
    <label for="s-hfp">Host from path (optional, e.g. <code>{host}/**</code>)</label>
    <input id="s-hfp" name="hostFromPath" type="text" placeholder="{host}/**" />
    <label for="s-host">Host for files that name none (optional)</label>
    <input id="s-host" name="host" type="text" />
    <div><button type="submit" class="primary">Upload and audit</button></div>
    <p class="muted" style="margin:0">
      Formats: VMware .vmx, libvirt XML, Proxmox .conf, Virtual Server .vmc, VirtualBox .vbox, OVF, Hyper-V
      JSON/CSV exports, inventory CSV. Up to ${fmtInt(maxUploadBytes / 1024 / 1024)} MiB per upload.
    </p>
  </form>`;
}

function scanList(scans: readonly ShelvedScan[]): Html {
  if (scans.length === 0) return html`<p class="muted">No scan uploaded yet.</p>`;
  return html`<table>
    <thead>
      <tr>
        <th scope="col">Scan</th>
        <th scope="col">Uploaded</th>
        <th scope="col">By</th>
        <th scope="col" class="num">Files</th>
        <th scope="col" class="num">Adapters</th>
        <th scope="col" class="num">Findings</th>
        <th scope="col">Imported</th>
      </tr>
    </thead>
    <tbody>
      ${scans.map(
        (s) =>
          html`<tr>
            <td><a href="/scans/${s.id}">Scan ${s.id}: ${s.name}</a></td>
            <td>${fmtTime(s.at)}</td>
            <td>${s.by}</td>
            <td class="num">${fmtInt(s.result.files)}</td>
            <td class="num">${fmtInt(s.result.adapters.length)}</td>
            <td class="num">${fmtInt(s.result.findings.length)}</td>
            <td>${s.imported === undefined ? 'no' : `by ${s.imported.by}`}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

async function uploadedFiles(
  c: Ctx,
): Promise<{ files: UploadedFile[]; form: Awaited<ReturnType<typeof formOf>> }> {
  const form = await formOf(c);
  const raw = form['files'];
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  const files: UploadedFile[] = [];
  for (const f of list) {
    if (typeof f === 'string') continue;
    files.push({ path: f.name, bytes: new Uint8Array(await f.arrayBuffer()) });
  }
  if (files.length === 0)
    throw new MacfleetError('INVALID_ARGUMENT', 'choose at least one file to upload', {
      location: { field: 'files' },
    });
  return { files, form };
}

function scanPage(c: Ctx, s: ShelvedScan) {
  const r = s.result;
  const operator = can(c, 'operator');
  const formats = Object.entries(r.formats)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  const shownAdapters = r.adapters.slice(0, 500);
  return render(
    c,
    '/scans',
    `Scan ${s.id}: ${s.name}`,
    (ctx) =>
      html` <div class="panel">
          <dl class="kv">
            <dt>Uploaded</dt>
            <dd>${fmtTime(s.at)} by ${s.by}</dd>
            <dt>Files</dt>
            <dd>
              ${fmtInt(r.files)} VM configuration file(s) of
              ${fmtInt(r.filesSeen)}${formats === '' ? '' : ` (${formats})`}
            </dd>
            <dt>Adapters</dt>
            <dd>${fmtInt(r.adapters.length)}</dd>
            <dt>Findings</dt>
            <dd>
              ${(['error', 'warning', 'info'] as const).map((sev) => html`${badge(`${r.findings.filter((f) => f.severity === sev).length} ${sev}`, sev)} `)}
            </dd>
            ${
              s.hostFromPath === undefined
                ? ''
                : html`<dt>Host from path</dt>
                    <dd><code>${s.hostFromPath}</code></dd>`
            }
          </dl>
        </div>
        <section aria-labelledby="imp-h">
          <h2 id="imp-h">Import</h2>
          ${s.imported === undefined ? '' : html`<p>Imported ${fmtTime(s.imported.at)} by ${s.imported.by}: ${fmtInt(s.imported.result.adapters.imported)} adapter(s), ${fmtInt(s.imported.result.vms.created)} VM(s) created, ${fmtInt(s.imported.result.vms.updated)} updated, ${fmtInt(s.imported.result.vms.unchanged)} unchanged.</p>`}
          ${
            operator
              ? html`<form method="post" action="/scans/${s.id}/import" class="panel stack">
                  ${csrfField(ctx)} <label for="i-host">Host for VMs whose files name none</label
                  ><input id="i-host" name="host" type="text" value="${s.host ?? ''}" />
                  <label for="i-hv"
                    >Hypervisor of new hosts when the format does not say (OVF, inventory CSV)</label
                  >
                  <select id="i-hv" name="hypervisor">
                    <option value="">(as the files say)</option>
                    ${HYPERVISOR_KINDS.map((k) => html`<option value="${k}">${k}</option>`)}
                  </select>
                  <div><button type="submit" class="primary">Import into the inventory</button></div>
                  <p class="muted" style="margin:0">
                    Importing again updates the inventory; it never duplicates a VM.
                  </p>
                </form>`
              : html`<p class="muted">Importing needs the operator role.</p>`
          }
        </section>
        <section aria-labelledby="sf-h">
          <h2 id="sf-h">Findings</h2>
          ${
            r.findings.length === 0
              ? html`<p>No findings.</p>`
              : GROUPS.map((g) => {
                  const mine = r.findings.filter((f) => (f.scope ?? f.kind) === g.key);
                  return mine.length === 0
                    ? ''
                    : html`<h3>${g.title} <span class="muted">(${mine.length})</span></h3>
                        ${mine.map(
                          (f) =>
                            html`<div class="finding sev-${f.severity}">
                              <div>
                                ${badge(f.severity)}
                                ${f.mac === undefined ? '' : html`<span class="mac">${f.mac}</span> — `}${f.message}
                              </div>
                              <ul>
                                ${f.members.map((m) => html`<li><a href="${scanFileLink(s, m.file)}">${m.file}:${m.line}</a> — ${m.host ?? 'unknown host'} / ${m.vm} / ${m.adapter}</li>`)}
                              </ul>
                              <div class="muted">Fix: ${f.fix}</div>
                            </div>`,
                        )}`;
                })
          }
        </section>
        ${
          r.issues.length === 0
            ? ''
            : html`<section>
                <h2>Notes and problems reading files</h2>
                <ul>
                  ${r.issues.slice(0, 200).map((i) => html`<li>${badge(i.severity)} <code>${i.file}${i.line === undefined ? '' : `:${i.line}`}</code> ${i.code}: ${i.message}</li>`)}
                </ul>
              </section>`
        }
        <section>
          <h2>Adapters</h2>
          <table>
            <thead>
              <tr>
                <th scope="col">File</th>
                <th scope="col">Host</th>
                <th scope="col">VM</th>
                <th scope="col">Adapter</th>
                <th scope="col">Network</th>
                <th scope="col">MAC</th>
                <th scope="col">Mode</th>
              </tr>
            </thead>
            <tbody>
              ${shownAdapters.map(
                (a) =>
                  html`<tr>
                    <td><a href="${scanFileLink(s, a.file)}">${a.file}:${a.line}</a></td>
                    <td>${a.host ?? ''}</td>
                    <td>${a.vm}</td>
                    <td>${a.adapter}</td>
                    <td>${a.network ?? ''}</td>
                    <td class="mac">${a.mac === null ? '' : formatMac(a.mac)}</td>
                    <td>${a.mode}${a.enabled ? '' : ' (disabled)'}</td>
                  </tr>`,
              )}
            </tbody>
          </table>
          ${r.adapters.length > shownAdapters.length ? html`<p class="muted">${fmtInt(r.adapters.length - shownAdapters.length)} more adapter(s) not shown.</p>` : ''}
        </section>`,
  );
}

async function findScan(kit: Kit, c: Ctx): Promise<ShelvedScan | undefined> {
  const id = Number(c.req.param('id'));
  return Number.isSafeInteger(id) ? kit.scans.get(id) : undefined;
}

const scanGone = (kit: Kit, c: Ctx) =>
  render(
    c,
    '/scans',
    'Scan not found',
    () => html`<p><a href="/scans">Back to Scan upload</a></p>`,
    {
      kind: 'error',
      text: `no such scan (the newest ${kit.scans.scans.keep} uploads are kept) [NOT_FOUND]`,
    },
    404,
  );

export function registerScanPages(app: ConsoleApp, kit: Kit): void {
  const listPage = async (
    c: Ctx,
    notice?: { kind: 'error'; text: string },
    status: 200 | 400 | 403 | 413 = 200,
  ) => {
    const scans = await kit.scans.list();
    return render(
      c,
      '/scans',
      'Scan upload',
      (ctx) =>
        html`${can(c, 'operator') ? uploadForm(ctx, (kit.deps.uploadLimits ?? UPLOAD_LIMITS).maxUploadBytes) : html`<p class="muted">Uploading scans needs the operator role.</p>`}
          <h2>Uploaded scans</h2>
          ${scanList(scans)}`,
      notice,
      status,
    );
  };
  app.get('/scans', kit.guard, (c) => listPage(c));
  app.post('/scans', kit.guard, async (c) => {
    if (!can(c, 'operator')) {
      const p = c.get('principal');
      return listPage(
        c,
        { kind: 'error', text: `uploading a scan needs the operator role; ${p.name} is ${p.role}.` },
        403,
      );
    }
    try {
      const { files, form } = await uploadedFiles(c);
      const s = await kit.scans.upload({
        files,
        actor: c.get('principal').name,
        hostFromPath: text(form, 'hostFromPath'),
        host: text(form, 'host'),
      });
      const result = s.result;
      return done(
        c,
        `/scans/${s.id}`,
        `Audited ${fmtInt(result.files)} configuration file(s): ${fmtInt(result.adapters.length)} adapter(s), ${fmtInt(result.findings.length)} finding(s).`,
      );
    } catch (e) {
      const r = refusal(e);
      return listPage(c, { kind: 'error', text: r.notice.text }, 400);
    }
  });
  app.get('/scans/:id{[0-9]+}', kit.guard, async (c) => {
    const s = await findScan(kit, c);
    return s === undefined ? scanGone(kit, c) : scanPage(c, s);
  });
  app.get('/scans/:id{[0-9]+}/file', kit.guard, async (c) => {
    const s = await findScan(kit, c);
    if (s === undefined) return scanGone(kit, c);
    const path = param(c, 'path') ?? '';
    const adapters = s.result.adapters.filter((a) => a.file === path);
    return render(
      c,
      '/scans',
      path,
      () =>
        html`<p><a href="/scans/${s.id}">Back to scan ${s.id}</a></p>
          <table>
            <thead>
              <tr>
                <th scope="col">Line</th>
                <th scope="col">Host</th>
                <th scope="col">VM</th>
                <th scope="col">Adapter</th>
                <th scope="col">Network</th>
                <th scope="col">MAC as written</th>
                <th scope="col">Mode</th>
              </tr>
            </thead>
            <tbody>
              ${adapters.map(
                (a) =>
                  html`<tr id="line-${a.line}">
                    <td>${a.line}:${a.column}</td>
                    <td>${a.host ?? ''}</td>
                    <td>${a.vm}</td>
                    <td>${a.adapter}</td>
                    <td>${a.network ?? ''}</td>
                    <td class="mac">${a.macText ?? ''}</td>
                    <td>${a.mode}</td>
                  </tr>`,
              )}
            </tbody>
          </table>
          ${adapters.length === 0 ? html`<p class="muted">No adapter read from this file.</p>` : raw('')}`,
    );
  });
  app.post('/scans/:id{[0-9]+}/import', kit.guard, async (c) => {
    const s = await findScan(kit, c);
    if (s === undefined) return scanGone(kit, c);
    if (!can(c, 'operator')) {
      const p = c.get('principal');
      return render(
        c,
        '/scans',
        'Refused',
        () => html``,
        { kind: 'error', text: `importing a scan needs the operator role; ${p.name} is ${p.role}.` },
        403,
      );
    }
    const form = await formOf(c);
    try {
      const hv = text(form, 'hypervisor');
      const result = await kit.scans.import(fleetFor(kit, c), s.id, {
        host: text(form, 'host'),
        hypervisor: hv === undefined ? undefined : parseHypervisorKind(hv),
      });
      const issues =
        result.issues.length === 0
          ? ''
          : ` ${result.issues.length} issue(s): ${result.issues
              .slice(0, 3)
              .map((i) => i.message)
              .join('; ')}`;
      return done(
        c,
        `/scans/${s.id}`,
        `Imported ${fmtInt(result.adapters.imported)} adapter(s) (${fmtInt(result.adapters.skipped)} skipped): ${fmtInt(result.vms.created)} VM(s) created, ${fmtInt(result.vms.updated)} updated, ${fmtInt(result.vms.unchanged)} unchanged.${issues}`,
      );
    } catch (e) {
      const r = refusal(e);
      return render(
        c,
        '/scans',
        'Import refused',
        () => html`<p><a href="/scans/${s.id}">Back to scan ${s.id}</a></p>`,
        r.notice,
        r.status,
      );
    }
  });
}
