/** Test helpers for the HTTP API: an app over a fresh SQLite store, tokens of every role, a request helper. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Role } from './principal.js';
import { seededRandom } from '../random.js';
import { openStore } from '../store/open-store.js';
import { createApp, type AppOptions } from './app.js';
import { apiDeps, type ApiDeps } from './deps.js';

export interface TestApi {
  readonly deps: ApiDeps;
  readonly app: ReturnType<typeof createApp>;
  readonly tokens: Readonly<Record<Role, string>>;
  /** Send a request; `token` is a role name (that role's token), a literal token, or null for none. */
  call(
    method: string,
    path: string,
    options?: {
      token?: string | null;
      body?: unknown;
      raw?: string;
      headers?: Record<string, string>;
    },
  ): Promise<{ status: number; headers: Headers; body: unknown; text: string }>;
  /** Move the app's clock forward. */
  advance(ms: number): void;
  close(): Promise<void>;
}

export const T0 = Date.parse('2026-11-29T08:00:00Z');

export async function testApi(options: AppOptions = {}): Promise<TestApi> {
  const dir = mkdtempSync(join(tmpdir(), 'macfleet-api-'));
  const store = await openStore(join(dir, 'api.db'));
  let now = T0;
  const deps = apiDeps(store, { clock: { now: () => now }, random: seededRandom(7) });
  const app = createApp(deps, { log: () => undefined, ...options });
  const tokens = {} as Record<Role, string>;
  for (const role of ['viewer', 'operator', 'admin'] as const)
    tokens[role] = (await deps.tokens.create({ role, name: `${role}-token` })).token;
  return {
    deps,
    app,
    tokens,
    async call(method, path, o = {}) {
      const headers: Record<string, string> = { ...o.headers };
      const token = o.token === undefined ? 'admin' : o.token;
      if (token !== null) headers['authorization'] = `Bearer ${tokens[token as Role] ?? token}`;
      let body: string | undefined = o.raw;
      if (o.body !== undefined) {
        body = JSON.stringify(o.body);
        headers['content-type'] = 'application/json';
      } else if (o.raw !== undefined) headers['content-type'] ??= 'application/json';
      const res = await app.request(path, { method, headers, ...(body === undefined ? {} : { body }) });
      const text = await res.text();
      let parsed: unknown = undefined;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      return { status: res.status, headers: res.headers, body: parsed, text };
    },
    advance(ms) {
      now += ms;
    },
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
