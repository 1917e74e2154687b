/**
 * Events: the audit log as a timeline, newest first, filtered in SQL by VM, host, MAC, actor and time,
 * one page at a time ("Older events" continues below the last sequence number shown).
 */
import { describeEvent, subjectText } from '../../fleet/index.js';
import { formatMac, parseMac, type Mac } from '../../mac/index.js';
import type { EventFilter } from '../../fleet/index.js';
import { eventPage } from '../../store/fleet-pages.js';
import { cachedActors } from '../fleet-data.js';
import { fmtTime, html, query, raw } from '../html.js';
import { param, read, render, type ConsoleApp, type Ctx, type Kit } from '../route-kit.js';
import { vmPath } from './vms.js';

const PAGE = 100;

/** An ISO time or a `datetime-local` value (taken as UTC); undefined when blank, an error text when bad. */
function timeParam(value: string | undefined, field: string): number | string | undefined {
  if (value === undefined) return undefined;
  const t = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`);
  return Number.isNaN(t)
    ? `${field}: expected a time such as 2026-11-23T09:00, got ${JSON.stringify(value)}`
    : t;
}

function filterOf(c: Ctx): {
  filter: EventFilter;
  errors: string[];
  shown: Record<string, string | undefined>;
} {
  const errors: string[] = [];
  const shown = {
    vm: param(c, 'vm'),
    host: param(c, 'host'),
    mac: param(c, 'mac'),
    actor: param(c, 'actor'),
    since: param(c, 'since'),
    until: param(c, 'until'),
  };
  let mac: Mac | undefined;
  if (shown.mac !== undefined) {
    try {
      mac = parseMac(shown.mac);
    } catch (e) {
      errors.push(`MAC: ${(e as Error).message}`);
    }
  }
  const since = timeParam(shown.since, 'From');
  const until = timeParam(shown.until, 'Until');
  for (const t of [since, until]) if (typeof t === 'string') errors.push(t);
  const before = Number(param(c, 'before'));
  const filter: EventFilter = {
    ...(shown.vm === undefined ? {} : { vm: shown.vm }),
    ...(shown.host === undefined ? {} : { host: shown.host }),
    ...(shown.actor === undefined ? {} : { actor: shown.actor }),
    ...(mac === undefined ? {} : { mac }),
    ...(typeof since === 'number' ? { since } : {}),
    ...(typeof until === 'number' ? { until } : {}),
    ...(Number.isInteger(before) && before > 0 ? { beforeSeq: before } : {}),
  };
  return { filter, errors, shown };
}

export function registerEventsPage(app: ConsoleApp, kit: Kit): void {
  app.get('/events', kit.guard, async (c) => {
    const { filter, errors, shown } = filterOf(c);
    const { page, actors } = await read(kit, async (tx) => ({
      page: errors.length > 0 ? { events: [], more: false } : await eventPage(tx, filter, PAGE),
      actors: await cachedActors(kit, tx),
    }));
    const input = (id: string, label: string, name: keyof typeof shown, type = 'text', placeholder = '') =>
      html`<div class="f">
        <label for="${id}">${label}</label
        ><input
          id="${id}"
          name="${name}"
          type="${type}"
          value="${shown[name] ?? ''}"
          ${placeholder === '' ? '' : raw(` placeholder="${placeholder}"`)}
        />
      </div>`;
    const last = page.events.at(-1);
    return render(
      c,
      '/events',
      'Events',
      () =>
        html` <form method="get" action="/events" class="filters" role="search" aria-label="Filter events">
            ${input('e-vm', 'Virtual machine', 'vm')} ${input('e-host', 'Host', 'host')}
            ${input('e-mac', 'MAC address', 'mac', 'text', 'any notation')}
            <div class="f">
              <label for="e-actor">Actor</label
              ><select id="e-actor" name="actor">
                <option value="">Anyone</option>
                ${actors.map((a) => html`<option value="${a}" ${a === shown.actor ? raw(' selected') : ''}>${a}</option>`)}
              </select>
            </div>
            ${input('e-since', 'From (UTC)', 'since', 'datetime-local')}
            ${input('e-until', 'Until (UTC)', 'until', 'datetime-local')}
            <div class="f"><button type="submit">Filter</button></div>
          </form>
          <table>
            <thead>
              <tr>
                <th scope="col">Time (UTC)</th>
                <th scope="col">Actor</th>
                <th scope="col">Event</th>
                <th scope="col">Subject</th>
                <th scope="col">What happened</th>
              </tr>
            </thead>
            <tbody>
              ${page.events.map(
                (e) =>
                  html`<tr>
                    <td class="nowrap">${fmtTime(e.time)}</td>
                    <td>${e.actor}</td>
                    <td><code>${e.kind}</code></td>
                    <td>
                      ${e.subject.vm === undefined ? e.subject.host : html`<a href="${vmPath(e.subject.host, e.subject.vm)}${e.subject.adapter === undefined ? '' : `/adapters/${e.subject.adapter}`}">${subjectText(e.subject)}</a>`}
                    </td>
                    <td>
                      ${describeEvent(e)}${e.macs.length === 0 ? '' : html` <span class="muted">[${e.macs.map((m) => formatMac(m)).join(', ')}]</span>`}
                    </td>
                  </tr>`,
              )}
              ${
                page.events.length === 0
                  ? html`<tr>
                      <td colspan="5" class="muted">No event matches.</td>
                    </tr>`
                  : ''
              }
            </tbody>
          </table>
          <nav class="pager" aria-label="Pages">
            ${filter.beforeSeq === undefined ? '' : html`<a href="/events${query(shown)}">Newest events</a>`}
            ${page.more && last !== undefined ? html`<a href="/events${query({ ...shown, before: last.seq })}" rel="next">Older events →</a>` : html`<span class="muted">No older events</span>`}
          </nav>`,
      errors.length === 0 ? undefined : { kind: 'error', text: errors.join('; ') },
      errors.length === 0 ? 200 : 400,
    );
  });
}
