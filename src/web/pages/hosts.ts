/**
 * Hosts: each host with its hypervisor, where its dynamic MACs come from (the range or scheme its
 * hypervisor hands out, or a macfleet pool), and the hosts it will collide with (`macfleet collide`'s
 * prediction over the inventory).
 */
import { isMacfleetError } from '../../errors.js';
import { formatAllocationSource, hostSpecOf, type Host } from '../../fleet/index.js';
import { formatIpv4, formatMac } from '../../mac/index.js';
import { formatPercent, formatSet, hostModel, type CollisionFinding } from '../../schemes/index.js';
import { StoreFleetRepository } from '../../store/fleet-store.js';
import { cachedHostCounts, hostCollisions } from '../fleet-data.js';
import { badge, fmtInt, html, query, type Html } from '../html.js';
import { read, render, type ConsoleApp, type Kit } from '../route-kit.js';

function schemeText(kit: Kit, h: Host): Html {
  if (h.allocation.kind === 'pool')
    return html`macfleet pool
      <a href="/pools/${encodeURIComponent(h.allocation.pool)}">${h.allocation.pool}</a>`;
  try {
    const model = hostModel(hostSpecOf(h), kit.deps.random);
    return html`${model.parts.map((p) => html`<div><span class="mac">${formatSet(p.set)}</span> <span class="muted">from ${p.origin}</span></div>`)}`;
  } catch (e) {
    if (!isMacfleetError(e)) throw e;
    return html`<span class="muted">${e.message}</span>`;
  }
}

function collidesWith(name: string, findings: readonly CollisionFinding[]): Html {
  const mine = findings.filter((f) => f.hosts.includes(name));
  if (mine.length === 0) return html`<span class="muted">none predicted</span>`;
  return html`${mine.map((f) => {
    const others = f.hosts.filter((h) => h !== name);
    const odds =
      f.certainty === 'possible' && f.probability !== undefined ? ` (${formatPercent(f.probability)})` : '';
    return html`<div>
      ${badge(f.certainty)}
      ${others.map((o, i) => html`${i > 0 ? ', ' : ''}<a href="#host-${o}">${o}</a>`)}<span class="muted"
        >${odds}</span
      >
    </div>`;
  })}`;
}

export function registerHostsPage(app: ConsoleApp, kit: Kit): void {
  app.get('/hosts', kit.guard, async (c) => {
    const { hosts, counts, collisions, networks } = await read(kit, async (tx) => {
      const repo = new StoreFleetRepository(kit.deps.store, tx);
      return {
        hosts: await repo.listHosts(),
        counts: await cachedHostCounts(kit, tx),
        collisions: await hostCollisions(kit, tx),
        networks: await repo.listNetworks(),
      };
    });
    return render(
      c,
      '/hosts',
      'Hosts',
      () =>
        html` <p class="muted">
            ${fmtInt(hosts.length)} host(s). “Collides with” is the prediction of
            <code>macfleet collide</code> for each host's own dynamic MAC scheme:
            <strong>certain</strong> when both hand out the same addresses, <strong>possible</strong> when
            random schemes draw from one space (with the odds for the adapters they have).
          </p>
          <table>
            <thead>
              <tr>
                <th scope="col">Host</th>
                <th scope="col">Hypervisor</th>
                <th scope="col">IPv4 / physical adapters</th>
                <th scope="col">Dynamic MACs from</th>
                <th scope="col" class="num">VMs</th>
                <th scope="col" class="num">Adapters</th>
                <th scope="col">Virtual networks</th>
                <th scope="col">Collides with</th>
              </tr>
            </thead>
            <tbody>
              ${hosts.map((h) => {
                const n = counts.get(h.name) ?? { vms: 0, running: 0, adapters: 0 };
                const nets = networks.filter((x) => x.host === h.name);
                return html`<tr id="host-${h.name}">
                  <td><strong>${h.name}</strong></td>
                  <td>${h.hypervisor}</td>
                  <td>
                    ${h.ip === null ? '' : html`<div>${formatIpv4(h.ip)}</div>`}${h.nics.map((nic) => html`<div class="mac">${formatMac(nic.mac, 'hyphen')}${nic.kind === 'physical' ? '' : ` (${nic.kind})`}</div>`)}${h.ip === null && h.nics.length === 0 ? html`<span class="muted">—</span>` : ''}
                  </td>
                  <td>
                    ${schemeText(kit, h)}
                    <div class="muted">${formatAllocationSource(h.allocation)}</div>
                  </td>
                  <td class="num">
                    <a href="/vms${query({ host: h.name })}">${fmtInt(n.vms)}</a>
                    <div class="muted">${fmtInt(n.running)} running</div>
                  </td>
                  <td class="num">${fmtInt(n.adapters)}</td>
                  <td>
                    ${nets.map((x) => html`<div>${x.name}${x.segment === x.name ? '' : html` <span class="muted">(segment ${x.segment})</span>`}</div>`)}
                  </td>
                  <td>${collidesWith(h.name, collisions.findings)}</td>
                </tr>`;
              })}
            </tbody>
          </table>
          ${
            collisions.skipped.length === 0
              ? ''
              : html`<h2>Not predicted</h2>
                  <ul>
                    ${collisions.skipped.map((s) => html`<li><strong>${s.host}</strong>: ${s.reason}</li>`)}
                  </ul>`
          }
          ${
            collisions.findings.length === 0
              ? ''
              : html`<h2>Predicted collisions</h2>
                  <ul>
                    ${collisions.findings.map((f) => html`<li>${badge(f.certainty)} ${f.hosts.join(' ↔ ')}: ${f.shared.map((p) => formatSet(p.set)).join(', ')} — <span class="muted">${f.reason}</span></li>`)}
                  </ul>`
          }`,
    );
  });
}
