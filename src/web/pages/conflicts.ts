/**
 * Conflicts: the inventory's duplicate MACs and the findings of uploaded scans, grouped by scope
 * (blocking, conflicting, latent, then the other kinds), each member linked to its VM's adapter or to
 * the uploaded file.
 */
import type { Finding } from '../../audit/index.js';
import type { InventoryFinding } from '../../fleet/index.js';
import { inventoryFindings } from '../fleet-data.js';
import { badge, fmtInt, html, query, type Html } from '../html.js';
import { read, render, type ConsoleApp, type Kit } from '../route-kit.js';
import type { ShelvedScan } from '../scan-shelf.js';
import { scanFixPath } from './fix-plan.js';
import { INVENTORY_FIX_PATH } from './inventory-fix.js';
import { vmPath } from './vms.js';

export const GROUPS = [
  {
    key: 'blocking',
    title: 'Blocking',
    about: 'same host and virtual network: the second VM will not start (or its network is cut)',
  },
  {
    key: 'conflicting',
    title: 'Conflicting',
    about: 'one L2 segment across hosts: switch tables flap, DHCP and ARP break',
  },
  {
    key: 'latent',
    title: 'Latent',
    about: 'different segments: harmless until a VM moves or a network is bridged',
  },
  { key: 'nlb', title: 'NLB', about: 'Network Load Balancing cluster MACs and the guards in their way' },
  {
    key: 'range-overlap',
    title: 'Hypervisor range overlaps',
    about: 'hosts whose schemes hand out the same dynamic MACs',
  },
  {
    key: 'invalid',
    title: 'Invalid MACs',
    about: 'multicast, zero, or outside the range the hypervisor allows',
  },
] as const;

const groupOf = (f: { kind: string; scope?: string | undefined }): string => f.scope ?? f.kind;

function inventoryFinding(f: InventoryFinding): Html {
  return html`<div class="finding sev-${f.severity}">
    <div>${badge(f.severity)} <span class="mac">${f.mac}</span> — ${f.message}</div>
    <ul>
      ${f.members.map(
        (m) =>
          html`<li>
            <a href="${vmPath(m.host, m.vm)}/adapters/${m.adapter}"
              >${m.host} / ${m.vm} · Network Adapter ${m.adapter + 1}</a
            >
            on ${m.network} <span class="muted">(${m.mode}, ${m.state})</span>
          </li>`,
      )}
    </ul>
    <div class="muted">Fix: ${f.fix}</div>
  </div>`;
}

export const scanFileLink = (scan: ShelvedScan, file: string): string =>
  `/scans/${scan.id}/file${query({ path: file })}`;

function scanFinding(scan: ShelvedScan, f: Finding): Html {
  return html`<div class="finding sev-${f.severity}">
    <div>
      ${badge(f.severity)}
      ${f.mac === undefined ? '' : html`<span class="mac">${f.mac}</span> — `}${f.message}
    </div>
    <ul>
      ${f.members.map(
        (m) =>
          html`<li>
            <a href="${scanFileLink(scan, m.file)}">${m.file}:${m.line}</a> — ${m.host ?? 'unknown host'} /
            ${m.vm} / ${m.adapter}${m.network === null ? '' : html` on ${m.network}`}
          </li>`,
      )}
    </ul>
    <div class="muted">Fix: ${f.fix}</div>
  </div>`;
}

function grouped<T extends { kind: string; scope?: string | undefined }>(
  items: readonly T[],
  one: (f: T) => Html,
  level: 'h2' | 'h3',
): Html {
  return html`${GROUPS.map((g) => {
    const mine = items.filter((f) => groupOf(f) === g.key);
    if (mine.length === 0) return '';
    const head = html`${g.title} <span class="muted">(${fmtInt(mine.length)})</span>`;
    return html`<section>
      ${level === 'h2' ? html`<h2>${head}</h2>` : html`<h3>${head}</h3>`}
      <p class="muted">${g.about}</p>
      ${mine.map(one)}
    </section>`;
  })}`;
}

export function registerConflictPages(app: ConsoleApp, kit: Kit): void {
  app.get('/conflicts', kit.guard, async (c) => {
    const findings = await read(kit, (tx) => inventoryFindings(kit, tx));
    const scans = await kit.scans.list();
    return render(
      c,
      '/conflicts',
      'Conflicts',
      () =>
        html` <section aria-labelledby="inv-h" class="panel">
            <h2 id="inv-h" style="margin-top:0">Inventory</h2>
            ${
              findings.length === 0
                ? html`<p>No duplicate MACs and no NLB problems in the inventory.</p>`
                : html`${
                    findings.some((f) => f.kind === 'duplicate')
                      ? html`<p>
                          <a href="${INVENTORY_FIX_PATH}" class="button">Plan a fix</a>
                          <span class="muted"
                            >— new MACs for all but one adapter of each duplicate, shown before/after, made
                            only when you confirm</span
                          >
                        </p>`
                      : ''
                  }
                  ${grouped(findings, inventoryFinding, 'h3')}`
            }
          </section>
          <section aria-labelledby="scans-h">
            <h2 id="scans-h">Uploaded scans</h2>
            ${scans.length === 0 ? html`<p class="muted">No scan uploaded since the service started. <a href="/scans">Upload one</a>.</p>` : ''}
            ${scans.map(
              (s) =>
                html`<div class="panel">
                  <h3 style="margin-top:0">
                    <a href="/scans/${s.id}">Scan ${s.id}: ${s.name}</a>
                    <span class="muted">— ${fmtInt(s.result.findings.length)} finding(s)</span>
                  </h3>
                  ${s.result.findings.length === 0 ? '' : html`<p><a href="${scanFixPath(s.id)}" class="button" aria-label="Plan a fix for scan ${s.id}">Plan a fix</a> <span class="muted">— the plan and a diff per file, then the fixed files as a zip</span></p>`}
                  ${s.result.findings.length === 0 ? html`<p>No findings.</p>` : grouped(s.result.findings, (f) => scanFinding(s, f), 'h3')}
                </div>`,
            )}
          </section>`,
    );
  });
}
