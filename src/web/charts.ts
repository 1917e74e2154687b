/**
 * Pool charts as inline SVG, drawn on the server: they show without JavaScript, print, and scale.
 * Each has a text equivalent (aria-label, and the numbers beside it on the page).
 */
import type { PoolInfo } from '../store/pool-store.js';
import type { PoolSample } from '../store/fleet-pages.js';
import { fmtInt, fmtTime, html, raw, type Html } from './html.js';

const pct = (n: number, of: number): string =>
  of === 0 ? '0%' : `${((100 * n) / of).toFixed(n / of < 0.001 && n > 0 ? 4 : 2)}%`;

/** Used, quarantined and free addresses of a pool as one stacked bar (a visible sliver for any non-zero part). */
export function utilisationBar(p: PoolInfo, width = 480): Html {
  const h = 26;
  const size = Math.max(1, p.size);
  const w = (n: number) => (n === 0 ? 0 : Math.max(2, (width * n) / size));
  const used = w(p.used);
  const quar = w(p.quarantined);
  const label = `Pool ${p.name}: ${fmtInt(p.used)} used (${pct(p.used, p.size)}), ${fmtInt(p.quarantined)} quarantined, ${fmtInt(p.free)} free, of ${fmtInt(p.size)} addresses`;
  return html`<svg
    class="chart pool-bar"
    role="img"
    aria-label="${label}"
    viewBox="0 0 ${width} ${h}"
    width="${width}"
    height="${h}"
    xmlns="http://www.w3.org/2000/svg"
  >
    <title>${label}</title>
    <rect x="0" y="0" width="${width}" height="${h}" fill="#cfd8e3" />
    <rect x="0" y="0" width="${used.toFixed(2)}" height="${h}" fill="#1f5fa8" />
    <rect x="${used.toFixed(2)}" y="0" width="${quar.toFixed(2)}" height="${h}" fill="#d08a00" />
  </svg>`;
}

export function chartLegend(): Html {
  return html`<div class="legend" aria-hidden="true">
    <span><span class="sw sw-used"></span>used</span><span><span class="sw sw-quar"></span>quarantined</span
    ><span><span class="sw sw-free"></span>free</span>
  </div>`;
}

/** Held and quarantined MACs of a pool over time, as two lines with labelled axes. */
export function historyChart(pool: string, samples: readonly PoolSample[], width = 640, height = 220): Html {
  if (samples.length === 0) return html`<p class="muted">No history yet.</p>`;
  const pad = { l: 56, r: 12, t: 12, b: 34 };
  const max = Math.max(1, ...samples.map((s) => s.held + s.quarantined));
  const t0 = samples[0]!.at;
  const t1 = samples.at(-1)!.at;
  const x = (t: number) => pad.l + ((width - pad.l - pad.r) * (t - t0)) / Math.max(1, t1 - t0);
  const y = (v: number) => height - pad.b - ((height - pad.t - pad.b) * v) / max;
  const line = (pick: (s: PoolSample) => number) =>
    samples.map((s, i) => `${i === 0 ? 'M' : 'L'}${x(s.at).toFixed(1)},${y(pick(s)).toFixed(1)}`).join(' ');
  const last = samples.at(-1)!;
  const label = `Pool ${pool} over time, ${fmtTime(t0)} to ${fmtTime(t1)}: used from ${fmtInt(samples[0]!.held)} to ${fmtInt(last.held)}, peak ${fmtInt(Math.max(...samples.map((s) => s.held)))}; quarantined now ${fmtInt(last.quarantined)}`;
  const ticks = [0, 0.5, 1].map((f) => Math.round(max * f));
  return html`<svg
    class="chart pool-history"
    role="img"
    aria-label="${label}"
    viewBox="0 0 ${width} ${height}"
    width="${width}"
    height="${height}"
    xmlns="http://www.w3.org/2000/svg"
    font-family="system-ui, sans-serif"
    font-size="11"
  >
    <title>${label}</title>
    <rect
      x="${pad.l}"
      y="${pad.t}"
      width="${width - pad.l - pad.r}"
      height="${height - pad.t - pad.b}"
      fill="#fbfcfd"
      stroke="#d8dee6"
    />
    ${ticks.map(
      (v) =>
        html`<line
            x1="${pad.l}"
            x2="${width - pad.r}"
            y1="${y(v).toFixed(1)}"
            y2="${y(v).toFixed(1)}"
            stroke="#e3e8ee"
          /><text x="${pad.l - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" fill="#5b6675"
            >${fmtInt(v)}</text
          >`,
    )}
    <path d="${line((s) => s.held)}" fill="none" stroke="#1f5fa8" stroke-width="2" />
    <path
      d="${line((s) => s.quarantined)}"
      fill="none"
      stroke="#d08a00"
      stroke-width="2"
      stroke-dasharray="5 3"
    />
    <text x="${pad.l}" y="${height - 10}" fill="#5b6675">${fmtTime(t0)}</text>
    <text x="${width - pad.r}" y="${height - 10}" text-anchor="end" fill="#5b6675">${fmtTime(t1)}</text>
    ${raw('')}
  </svg>`;
}
