/** Controls the fix pages share: radio choices, the scope of a fix, a pool chooser, a table's column heads. */
import type { PoolInfo } from '../store/pool-store.js';
import { fmtInt, html, raw, type Html } from './html.js';

export const checkedAttr = (on: boolean): Html => (on ? raw(' checked') : html``);

/** A labelled radio button (`extra` follows the label: a field that goes with the choice). */
export const radio = (
  id: string,
  name: string,
  value: string,
  label: string,
  on: boolean,
  extra: Html = html``,
): Html =>
  html`<div class="choice">
    <input type="radio" id="${id}" name="${name}" value="${value}" ${checkedAttr(on)} /><label for="${id}"
      >${label}</label
    >
    ${extra}
  </div>`;

/** Which duplicates a fix resolves (`macfleet fix --scope`). */
export const scopeFieldset = (prefix: string, scope: string): Html =>
  html`<fieldset>
    <legend>Duplicates to fix</legend>
    ${radio(`${prefix}-scope-default`, 'scope', 'default', 'Blocking and conflicting', scope !== 'latent')}
    ${radio(`${prefix}-scope-latent`, 'scope', 'latent', 'All, latent ones too', scope === 'latent')}
  </fieldset>`;

/** The pools to take new MACs from, the default pool first (value ""). */
export const poolOptions = (pools: readonly PoolInfo[], current: string | null): Html =>
  html`<option value="">the default pool</option>
    ${pools.map((p) => html`<option value="${p.name}" ${current === p.name ? raw(' selected') : ''}>${p.name} (${fmtInt(p.free)} free)</option>`)}`;

/** A table head of column headers. */
export const tableHead = (...cols: readonly string[]): Html =>
  html`<thead>
    <tr>
      ${cols.map((c) => html`<th scope="col">${c}</th>`)}
    </tr>
  </thead>`;
