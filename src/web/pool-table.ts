/** Pools as a table of utilisation bars and counts: what Overview and Pools both show (one markup). */
import { formatRangeCompact } from '../schemes/index.js';
import type { PoolInfo } from '../store/pool-store.js';
import { chartLegend, utilisationBar } from './charts.js';
import { fmtInt, html, type Html } from './html.js';

export const poolPath = (name: string): string => `/pools/${encodeURIComponent(name)}`;

/** The legend, then one row per pool: name (linked), its bar `width` wide, used, quarantined, free, size (and ranges). */
export function poolTable(
  pools: readonly PoolInfo[],
  width: number,
  options: { ranges?: boolean } = {},
): Html {
  return html`${chartLegend()}
    <table>
      <thead>
        <tr>
          <th scope="col">Pool</th>
          <th scope="col">Utilisation</th>
          <th scope="col" class="num">Used</th>
          <th scope="col" class="num">Quarantined</th>
          <th scope="col" class="num">Free</th>
          <th scope="col" class="num">Size</th>
          ${options.ranges === true ? html`<th scope="col">Ranges</th>` : ''}
        </tr>
      </thead>
      <tbody>
        ${pools.map(
          (p) =>
            html`<tr>
              <td>
                <a href="${poolPath(p.name)}">${p.name}</a
                >${p.isDefault ? html` <span class="muted">(default)</span>` : ''}
              </td>
              <td>${utilisationBar(p, width)}</td>
              <td class="num">${fmtInt(p.used)}</td>
              <td class="num">${fmtInt(p.quarantined)}</td>
              <td class="num">${fmtInt(p.free)}</td>
              <td class="num">${fmtInt(p.size)}</td>
              ${options.ranges === true ? html`<td class="mac">${p.ranges.map((r) => html`<div>${formatRangeCompact(r)}</div>`)}</td>` : ''}
            </tr>`,
        )}
      </tbody>
    </table>`;
}
