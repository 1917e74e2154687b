/**
 * Signing in to the console. A token (the API's bearer token) is exchanged at /login for a session:
 * a random id in a cookie that is HttpOnly (no script reads it) and SameSite=Strict (no other site's
 * page sends it). Each session has its own CSRF token, which every state-changing form carries and
 * the server compares in constant time; a POST whose Origin is another site is refused as well. The
 * token behind a session is checked again on every request, so revoking it ends the session.
 * Automation may instead send `Authorization: Bearer <token>` (no cookie, hence no CSRF token needed).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Principal } from '../api/principal.js';
import type { ConsoleDeps } from './deps.js';
import { barePage, html, type Notice } from './html.js';

export const SESSION_COOKIE = 'macfleet_session';
/** The sign-in form's own CSRF value (double-submit: cookie and form field must match). */
export const LOGIN_COOKIE = 'macfleet_login';
const DEFAULT_IDLE_MS = 8 * 3_600_000;
/** Sessions kept at most; the least recently used go first (a bound on memory, not a security control). */
const MAX_SESSIONS = 10_000;

export interface Session {
  readonly id: string;
  readonly token: string;
  readonly csrf: string;
  lastUsed: number;
  /** A message for the next page shown (set before a redirect). */
  flash?: Notice | undefined;
}

export type ConsoleEnv = {
  Variables: {
    principal: Principal;
    session: Session | undefined;
  };
};

const newSecret = (): string => randomBytes(32).toString('base64url');

export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class SessionStore {
  readonly #sessions = new Map<string, Session>();
  constructor(private readonly idleMs: number) {}

  create(token: string, now: number): Session {
    if (this.#sessions.size >= MAX_SESSIONS) {
      const oldest = this.#sessions.keys().next().value;
      if (oldest !== undefined) this.#sessions.delete(oldest);
    }
    const s: Session = { id: newSecret(), token, csrf: newSecret(), lastUsed: now };
    this.#sessions.set(s.id, s);
    return s;
  }

  get(id: string, now: number): Session | undefined {
    const s = this.#sessions.get(id);
    if (s === undefined) return undefined;
    if (now - s.lastUsed > this.idleMs) {
      this.#sessions.delete(id);
      return undefined;
    }
    s.lastUsed = now;
    // Re-insert: the map's order is least recently used first.
    this.#sessions.delete(id);
    this.#sessions.set(id, s);
    return s;
  }

  delete(id: string): void {
    this.#sessions.delete(id);
  }
}

function bearer(c: Context): string | undefined {
  const h = c.req.header('authorization');
  const m = h === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m?.[1];
}

/** Whether a POST comes from this site: no Origin header (old clients, curl) or one naming this host. */
function sameOrigin(c: Context): boolean {
  const origin = c.req.header('origin');
  if (origin === undefined || origin === 'null') return origin === undefined;
  try {
    return new URL(origin).host === new URL(c.req.url).host;
  } catch {
    return false;
  }
}

/** The form field `_csrf` of a urlencoded or multipart body (read once; Hono caches the parsed body). */
async function formToken(c: Context): Promise<string | undefined> {
  const type = c.req.header('content-type') ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded') && !type.startsWith('multipart/form-data'))
    return undefined;
  const body = await c.req.parseBody({ all: true });
  const v = body['_csrf'];
  return typeof v === 'string' ? v : undefined;
}

function refuse(c: Context, status: 401 | 403, text: string) {
  c.status(status);
  return c.html(
    barePage(
      status === 401 ? 'Sign in' : 'Refused',
      html`<h1>${status === 401 ? 'Sign in needed' : 'Refused'}</h1>
        <p role="alert">${text}</p>
        <p><a href="/login">Sign in</a></p>`,
    ),
  );
}

/** Who is calling: from the bearer header or the session cookie; unauthenticated GETs go to /login. */
export function authenticateRequests(
  deps: ConsoleDeps,
  sessions: SessionStore,
): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    const token = bearer(c);
    if (token !== undefined) {
      const principal = (await deps.authenticate(token)) ?? undefined;
      if (principal === undefined) return refuse(c, 401, 'The bearer token is not valid.');
      c.set('principal', principal);
      c.set('session', undefined);
      return next();
    }
    const id = getCookie(c, SESSION_COOKIE);
    const session = id === undefined ? undefined : sessions.get(id, deps.clock.now());
    const principal =
      session === undefined ? undefined : ((await deps.authenticate(session.token)) ?? undefined);
    if (session === undefined || principal === undefined) {
      if (session !== undefined) sessions.delete(session.id);
      if (c.req.method === 'GET' || c.req.method === 'HEAD') {
        const url = new URL(c.req.url);
        return c.redirect(`/login?next=${encodeURIComponent(url.pathname + url.search)}`, 303);
      }
      return refuse(c, 401, 'Your session has ended; sign in again.');
    }
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      const sent = await formToken(c);
      if (!sameOrigin(c) || sent === undefined || !sameSecret(sent, session.csrf))
        return refuse(
          c,
          403,
          'The form was not sent from this console (missing or wrong CSRF token). Reload the page and try again.',
        );
    }
    c.set('principal', principal);
    c.set('session', session);
    return next();
  };
}

/** Only same-site redirects after sign-in: a path on this site, never `//host` or a URL. */
export function safeNext(next: string | undefined): string {
  return next !== undefined && /^\/(?![/\\])/.test(next) ? next : '/';
}

function loginPage(loginCsrf: string, next: string, error?: string) {
  return barePage(
    'Sign in',
    html`<h1>Sign in</h1>
      <p>
        Sign in with a macfleet token (an administrator creates one with
        <code>macfleet token create --role viewer|operator|admin</code>).
      </p>
      ${error === undefined ? '' : html`<div class="notice notice-error" role="alert"><strong>Refused:</strong> ${error}</div>`}
      <form method="post" action="/login" class="stack">
        <input type="hidden" name="_csrf" value="${loginCsrf}" />
        <input type="hidden" name="next" value="${next}" />
        <label for="token">Token</label>
        <input id="token" name="token" type="password" autocomplete="current-password" required autofocus />
        <button type="submit" class="primary">Sign in</button>
      </form>`,
  );
}

const cookieOptions = (deps: ConsoleDeps, maxAge?: number) => ({
  httpOnly: true,
  sameSite: 'Strict' as const,
  path: '/',
  secure: deps.secureCookies ?? false,
  ...(maxAge === undefined ? {} : { maxAge }),
});

/** GET/POST /login and POST /logout, mounted before the authentication middleware. */
export function loginRoutes(deps: ConsoleDeps, sessions: SessionStore) {
  const idleS = Math.floor((deps.sessionIdleMs ?? DEFAULT_IDLE_MS) / 1000);
  return {
    show(c: Context) {
      const value = newSecret();
      setCookie(c, LOGIN_COOKIE, value, cookieOptions(deps, 3600));
      return c.html(loginPage(value, safeNext(c.req.query('next'))));
    },
    async submit(c: Context) {
      const body = await c.req.parseBody();
      const sent = typeof body['_csrf'] === 'string' ? body['_csrf'] : '';
      const cookie = getCookie(c, LOGIN_COOKIE) ?? '';
      const next = safeNext(typeof body['next'] === 'string' ? body['next'] : undefined);
      const retry = (status: 400 | 401 | 403, error: string) => {
        const value = newSecret();
        setCookie(c, LOGIN_COOKIE, value, cookieOptions(deps, 3600));
        c.status(status);
        return c.html(loginPage(value, next, error));
      };
      if (!sameOrigin(c) || cookie === '' || !sameSecret(sent, cookie))
        return retry(403, 'the sign-in form expired or came from another site; try again');
      const token = typeof body['token'] === 'string' ? body['token'].trim() : '';
      const principal = token === '' ? undefined : ((await deps.authenticate(token)) ?? undefined);
      if (principal === undefined) return retry(401, 'that token is not valid (unknown, revoked or expired)');
      const session = sessions.create(token, deps.clock.now());
      deleteCookie(c, LOGIN_COOKIE, { path: '/' });
      setCookie(c, SESSION_COOKIE, session.id, cookieOptions(deps, idleS));
      return c.redirect(next, 303);
    },
    logout(c: Context<ConsoleEnv>) {
      const session = c.get('session');
      if (session !== undefined) sessions.delete(session.id);
      deleteCookie(c, SESSION_COOKIE, { path: '/' });
      return c.redirect('/login', 303);
    },
  };
}

export const sessionIdleMs = (deps: ConsoleDeps): number => deps.sessionIdleMs ?? DEFAULT_IDLE_MS;
