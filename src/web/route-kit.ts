/**
 * What every console route shares: the signed-in caller and their page context, role checks that
 * explain themselves, the fleet core wired with the caller as the audit log's actor, form fields, and
 * turning a refusal into a notice on the page with the matching status.
 */
import type { Context, Hono, MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { roleAllows, type Role } from '../api/principal.js';
import { statusFor } from '../api/problem.js';
import { isMacfleetError } from '../errors.js';
import type { FleetDeps } from '../fleet/index.js';
import { storeFleetDeps } from '../store/fleet-deps.js';
import { PoolStore } from '../store/pool-store.js';
import type { SqlSession } from '../store/store.js';
import type { ConsoleEnv } from './auth.js';
import type { ConsoleDeps } from './deps.js';
import { html, layout, type Html, type NavHref, type Notice, type PageContext } from './html.js';
import type { FleetCache } from './fleet-data.js';
import type { ScanShelf } from './scan-shelf.js';

export type ConsoleApp = Hono<ConsoleEnv>;
export type Ctx = Context<ConsoleEnv>;

export interface Kit {
  readonly deps: ConsoleDeps;
  /** Authentication (and CSRF checks on writes): the first handler of every console route. */
  readonly guard: MiddlewareHandler<ConsoleEnv>;
  /** Uploaded scans kept for the Conflicts and Scan upload pages. */
  readonly scans: ScanShelf;
  /** Whole-inventory values, recomputed only when the inventory changed. */
  readonly cache: FleetCache;
}

/** The page context of a request; a notice set before a redirect is shown once. */
export function pageContext(c: Ctx, notice?: Notice): PageContext {
  const session = c.get('session');
  const flash = session?.flash;
  if (session !== undefined) session.flash = undefined;
  return { principal: c.get('principal'), csrf: session?.csrf ?? '', notice: notice ?? flash };
}

export const can = (c: Ctx, role: Role): boolean => roleAllows(c.get('principal').role, role);

/** Render a full page. */
export function render(
  c: Ctx,
  active: NavHref,
  title: string,
  body: (ctx: PageContext) => Html,
  notice?: Notice,
  status: ContentfulStatusCode = 200,
) {
  const ctx = pageContext(c, notice);
  c.status(status);
  return c.html(layout(ctx, active, title, body(ctx)));
}

/** After a successful write: show `text` on the next page (PRG), then go there. */
export function done(c: Ctx, to: string, text: string) {
  const session = c.get('session');
  if (session !== undefined) session.flash = { kind: 'ok', text };
  return c.redirect(to, 303);
}

/** The caller lacks the role: a 403 page saying what is needed. */
export function forbidden(c: Ctx, active: NavHref, needed: Role, what: string) {
  const p = c.get('principal');
  return render(
    c,
    active,
    'Refused',
    () => html``,
    { kind: 'error', text: `${what} needs the ${needed} role; ${p.name} is ${p.role}.` },
    403,
  );
}

/** What the page says when the core refuses, and the status it is sent with (bad input 400). */
export function refusal(e: unknown): { notice: Notice; status: ContentfulStatusCode } {
  if (!isMacfleetError(e)) throw e;
  const hint = e.code === 'VM_RUNNING' ? ' — stop the virtual machine to change this' : '';
  return {
    notice: { kind: 'error', text: `${e.message}${hint} [${e.code}]` },
    // The API's one code → status map, so a refusal has the same status on both faces.
    status: statusFor(e.code) as ContentfulStatusCode,
  };
}

/** The fleet core acting for the signed-in caller (their token's name is the events' actor). */
export function fleetFor(kit: Kit, c: Ctx): FleetDeps {
  return storeFleetDeps(kit.deps.store, {
    clock: kit.deps.clock,
    random: kit.deps.random,
    actor: c.get('principal').name,
  });
}

export const poolsOf = (kit: Kit): PoolStore => new PoolStore(kit.deps.store, kit.deps.clock);

/** A read-only transaction (one snapshot for a whole page). */
export const read = <T>(kit: Kit, fn: (tx: SqlSession) => Promise<T>): Promise<T> =>
  kit.deps.store.transaction(fn, { mode: 'read' });

export type Form = Record<string, string | File | (string | File)[]>;

/** The parsed form of a POST (urlencoded or multipart; repeated fields as arrays). */
export const formOf = (c: Ctx): Promise<Form> => c.req.parseBody({ all: true });

/** Every text value of a field. */
export function values(form: Form, name: string): string[] {
  const v = form[name];
  const all = v === undefined ? [] : Array.isArray(v) ? v : [v];
  return all.filter((x): x is string => typeof x === 'string');
}

/** The last text value of a field, trimmed; undefined when absent or blank. */
export function text(form: Form, name: string): string | undefined {
  const v = values(form, name).at(-1)?.trim();
  return v === undefined || v === '' ? undefined : v;
}

/** A query parameter, trimmed; undefined when absent or blank. */
export function param(c: Ctx, name: string): string | undefined {
  const v = c.req.query(name)?.trim();
  return v === undefined || v === '' ? undefined : v;
}
