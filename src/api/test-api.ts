/** Test helpers for the HTTP API: an app over a fresh SQLite store, tokens of every role, a request helper. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Role } from './principal.js';
import type { UploadLimits } from '../scan/upload.js';
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
      /** A multipart/form-data body (fetch sets the boundary). */
      form?: FormData;
      /** A binary body; give its content-type in `headers`. */
      bytes?: Uint8Array;
      headers?: Record<string, string>;
    },
  ): Promise<{ status: number; headers: Headers; body: unknown; text: string }>;
  /** Move the app's clock forward. */
  advance(ms: number): void;
  close(): Promise<void>;
}

export const T0 = Date.parse('2026-11-29T08:00:00Z');

export async function testApi(
  options: AppOptions = {},
  depsOptions: { scanRetention?: number; dir?: string; uploadLimits?: UploadLimits } = {},
): Promise<TestApi> {
  const dir = depsOptions.dir ?? mkdtempSync(join(tmpdir(), 'macfleet-api-'));
  const store = await openStore(join(dir, 'api.db'));
  let now = T0;
  const deps = apiDeps(store, {
    clock: { now: () => now },
    random: seededRandom(7),
    ...(depsOptions.scanRetention === undefined ? {} : { scanRetention: depsOptions.scanRetention }),
    ...(depsOptions.uploadLimits === undefined ? {} : { uploadLimits: depsOptions.uploadLimits }),
  });
  const app = createApp(deps, { log: () => undefined, ...options });
  const tokens = {} as Record<Role, string>;
  // A store reopened (`dir`) has the first run's tokens: this run's get other names.
  const suffix = depsOptions.dir === undefined ? '' : `-${(await deps.tokens.list()).length}`;
  for (const role of ['viewer', 'operator', 'admin'] as const)
    tokens[role] = (await deps.tokens.create({ role, name: `${role}-token${suffix}` })).token;
  return {
    deps,
    app,
    tokens,
    async call(method, path, o = {}) {
      const headers: Record<string, string> = { ...o.headers };
      const token = o.token === undefined ? 'admin' : o.token;
      if (token !== null) headers['authorization'] = `Bearer ${tokens[token as Role] ?? token}`;
      let body: string | FormData | Uint8Array | undefined = o.raw ?? o.form ?? o.bytes;
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
      if (depsOptions.dir === undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}
