/** Overview: counts of hosts, VMs and adapters, findings by severity, and pool utilisation. */
import { poolTable } from '../pool-table.js';
import { cachedFleetCounts, hostCollisions, inventoryFindings } from '../fleet-data.js';
import { fmtInt, html } from '../html.js';
import { poolsOf, read, render, type ConsoleApp, type Kit } from '../route-kit.js';

export function registerOverviewPage(app: ConsoleApp, kit: Kit): void {
  app.get('/', kit.guard, async (c) => {
    const { counts, findings, collisions } = await read(kit, async (tx) => ({
      counts: await cachedFleetCounts(kit, tx),
      findings: await inventoryFindings(kit, tx),
      collisions: await hostCollisions(kit, tx),
    }));
    const pools = await poolsOf(kit).listPools();
    const shelved = await kit.scans.list();
    const scanFindings = shelved.flatMap((s) => s.result.findings);
    const sev = (s: string) =>
      findings.filter((f) => f.severity === s).length + scanFindings.filter((f) => f.severity === s).length;
    const certain = collisions.findings.filter((f) => f.certainty === 'certain').length;
    const card = (href: string, n: number, label: string, extra = html``) =>
      html`<div class="card">
        <a href="${href}"
          ><div class="n">${fmtInt(n)}</div>
          <div class="l">${label}</div>
          ${extra}</a
        >
      </div>`;
    return render(
      c,
      '/',
      'Overview',
      () =>
        html` <section aria-labelledby="fleet-h">
            <h2 id="fleet-h">Fleet</h2>
            <div class="cards">
              ${card('/hosts', counts.hosts, 'hosts')}
              ${card('/vms', counts.vms, 'virtual machines', html`<div class="l">${fmtInt(counts.vmsByState.running)} running · ${fmtInt(counts.vmsByState.stopped)} stopped${counts.vmsByState.saved > 0 ? ` · ${fmtInt(counts.vmsByState.saved)} saved` : ''}</div>`)}
              ${card('/vms', counts.adapters, 'network adapters')}
              ${card('/hosts', counts.networks, 'virtual networks')}
            </div>
          </section>
          <section aria-labelledby="find-h">
            <h2 id="find-h">Findings</h2>
            <div class="cards">
              ${card('/conflicts', sev('error'), 'errors', html`<div class="l">duplicates that block a start or share a segment, NLB and invalid MACs</div>`)}
              ${card('/conflicts', sev('warning'), 'warnings', html`<div class="l">latent duplicates, range overlaps</div>`)}
              ${card('/conflicts', sev('info'), 'notes')}
              ${card('/hosts', certain, 'host pairs that will collide', html`<div class="l">${fmtInt(collisions.findings.length - certain)} more possible by chance</div>`)}
            </div>
            <p class="muted">
              Inventory findings ${fmtInt(findings.length)}; findings in ${fmtInt(shelved.length)} uploaded
              scan(s) ${fmtInt(scanFindings.length)}.
            </p>
          </section>
          <section aria-labelledby="pools-h">
            <h2 id="pools-h">Pool utilisation</h2>
            ${pools.length === 0 ? html`<p class="muted">No pools yet.</p>` : poolTable(pools, 260)}
          </section>`,
    );
  });
}
