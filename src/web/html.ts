/**
 * The console's HTML: Hono's `html` tagged template escapes every interpolated value (text and
 * attribute alike); `raw` is used only for markup built here. The page shell, navigation, notices and
 * the few building blocks every page shares (tables, pagers, labelled fields).
 */
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { Principal } from '../api/principal.js';

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;
export { html, raw };

export const NAV = [
  { href: '/', label: 'Overview' },
  { href: '/hosts', label: 'Hosts' },
  { href: '/vms', label: 'Virtual Machines' },
  { href: '/conflicts', label: 'Conflicts' },
  { href: '/pools', label: 'Pools' },
  { href: '/events', label: 'Events' },
  { href: '/doctor', label: 'NLB doctor' },
  { href: '/scans', label: 'Scan upload' },
] as const;
export type NavHref = (typeof NAV)[number]['href'];

export const NOTICE_KINDS = ['ok', 'error', 'info'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];
export interface Notice {
  readonly kind: NoticeKind;
  readonly text: string;
}

/** What every page of a signed-in user gets: who, their form token, and a notice carried over a redirect. */
export interface PageContext {
  readonly principal: Principal;
  /** The CSRF token for forms (empty for bearer-token callers, who need none). */
  readonly csrf: string;
  readonly notice?: Notice | undefined;
}

export function noticeBox(n: Notice | undefined): Html {
  if (n === undefined) return html``;
  const role = n.kind === 'error' ? 'alert' : 'status';
  const title = n.kind === 'error' ? 'Refused' : n.kind === 'ok' ? 'Saved' : 'Note';
  return html`<div class="notice notice-${n.kind}" role="${role}"><strong>${title}:</strong> ${n.text}</div>`;
}

/** The hidden CSRF field every state-changing form carries. */
export const csrfField = (ctx: PageContext): Html =>
  html`<input type="hidden" name="_csrf" value="${ctx.csrf}" />`;

export function layout(ctx: PageContext, active: NavHref, title: string, body: Html): Html {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta
          name="htmx-config"
          content='{"includeIndicatorStyles":false,"allowEval":false,"responseHandling":[{"code":"204","swap":false},{"code":"...","swap":true}]}'
        />
        <title>${title} · macfleet</title>
        <link rel="stylesheet" href="/assets/console.css" />
        <script src="/assets/htmx.min.js" defer></script>
      </head>
      <body hx-boost="true">
        <a class="skip" href="#main">Skip to content</a>
        <header class="top">
          <a class="brand" href="/"
            ><span class="logo" aria-hidden="true">▚</span> macfleet <span class="brand-sub">console</span></a
          >
          <div class="who">
            <span
              >Signed in as <strong>${ctx.principal.name}</strong>
              <span class="role role-${ctx.principal.role}">${ctx.principal.role}</span></span
            >
            ${
              ctx.csrf === ''
                ? ''
                : html`<form method="post" action="/logout" class="inline">
                    ${csrfField(ctx)}<button type="submit" class="link">Sign out</button>
                  </form>`
            }
          </div>
        </header>
        <div class="frame">
          <nav class="side" aria-label="Console">
            <ul>
              ${NAV.map(
                (n) =>
                  html`<li>
                    <a href="${n.href}" ${n.href === active ? raw(' aria-current="page"') : ''}>${n.label}</a>
                  </li>`,
              )}
            </ul>
          </nav>
          <main id="main">
            <h1>${title}</h1>
            ${noticeBox(ctx.notice)} ${body}
          </main>
        </div>
      </body>
    </html>`;
}

/** A bare page (sign-in, errors before sign-in). */
export function barePage(title: string, body: Html): Html {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · macfleet</title>
        <link rel="stylesheet" href="/assets/console.css" />
      </head>
      <body class="bare">
        <main id="main" class="bare-main">
          <p class="brand">
            <span class="logo" aria-hidden="true">▚</span> macfleet <span class="brand-sub">console</span>
          </p>
          ${body}
        </main>
      </body>
    </html>`;
}

/** A query string from the given parameters, leaving out empty ones. */
export function query(params: Readonly<Record<string, string | number | undefined>>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s === '' ? '' : `?${s}`;
}

/** Previous/next links for an offset-paged list. */
export function pager(
  base: string,
  params: Readonly<Record<string, string | undefined>>,
  page: number,
  pageSize: number,
  total: number,
): Html {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const link = (p: number, label: string, rel: string) =>
    html`<a href="${base}${query({ ...params, page: p === 1 ? undefined : p })}" rel="${rel}">${label}</a>`;
  return html`<nav class="pager" aria-label="Pages">
    ${page > 1 ? link(page - 1, '← Previous', 'prev') : html`<span class="muted">← Previous</span>`}
    <span>Page ${page} of ${pages} · ${total.toLocaleString('en-US')} in all</span>
    ${page < pages ? link(page + 1, 'Next →', 'next') : html`<span class="muted">Next →</span>`}
  </nav>`;
}

/** A page number from `?page=`, 1 when absent or nonsense. */
export function pageNumber(text: string | undefined): number {
  const n = Number(text);
  return Number.isInteger(n) && n >= 1 && n <= 1_000_000 ? n : 1;
}

export const fmtInt = (n: number): string => n.toLocaleString('en-US');
export const fmtTime = (ms: number): string =>
  new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + 'Z';

/** A small state badge (`running`, `stopped`, `error`, ...). */
export const badge = (text: string, tone: string = text): Html =>
  html`<span class="badge badge-${tone}">${text}</span>`;
