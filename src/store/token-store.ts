/**
 * API tokens and the API's write log in the database (tables of migration 3, see api-migration.ts).
 *
 * `authenticate` answers from a short-lived in-process cache, so a provisioning burst of thousands of
 * requests per second costs one digest and one map lookup per request, not a database read; a token
 * revoked by another process stops working within `cacheMs` (default 5 s).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ROLES, type Principal, type Role } from '../api/principal.js';
import { MacfleetError } from '../errors.js';
import { systemClock, type Clock } from '../random.js';
import type { SqlSession, Store } from './store.js';

/** The text every macfleet token starts with (as NetBox v2 tokens start with `nbt_`). */
export const TOKEN_PREFIX = 'mft_';
const TOKEN_PATTERN = /^mft_([A-Za-z0-9]{12})\.([A-Za-z0-9_-]{43})$/;

export interface TokenInfo {
  readonly name: string;
  readonly role: Role;
  /** The public part of the token (`mft_<key>.…`), shown by `token list` to tell tokens apart. */
  readonly key: string;
  readonly createdAt: number;
  readonly expiresAt: number | null;
  readonly revokedAt: number | null;
}

export interface NewToken {
  /** The bearer token: shown once, never stored. */
  readonly token: string;
  readonly info: TokenInfo;
}

export interface CreateTokenInput {
  readonly role: Role;
  readonly name?: string | undefined;
  /** Lifetime in ms; omitted: the token never expires. */
  readonly expiresInMs?: number | undefined;
}

interface TokenRow {
  token_key: string;
  digest: string;
  name: string;
  role: Role;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  [k: string]: unknown;
}

const COLUMNS = 'token_key, digest, name, role, created_at, expires_at, revoked_at';

const toInfo = (r: TokenRow): TokenInfo => ({
  name: r.name,
  role: r.role,
  key: r.token_key,
  createdAt: Number(r.created_at),
  expiresAt: r.expires_at === null ? null : Number(r.expires_at),
  revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
});

const digestOf = (key: string, secret: string): string =>
  createHmac('sha256', key).update(secret).digest('base64url');

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomKey(): string {
  // 62 * 4 = 248 < 256: rejection keeps every character equally likely.
  let out = '';
  while (out.length < 12) {
    for (const b of randomBytes(24)) if (b < 248 && out.length < 12) out += ALNUM[b % 62];
  }
  return out;
}

export function checkTokenName(name: string): string {
  const n = name.trim();
  if (!/^[\w.@:-]{1,64}$/.test(n)) {
    throw new MacfleetError(
      'INVALID_ARGUMENT',
      `token name ${JSON.stringify(name)}: expected 1-64 letters, digits or . _ - @ :`,
      { location: { field: 'name' } },
    );
  }
  return n;
}

/** Tokens over a Store: create (the secret shown once), list, revoke, authenticate. */
export class TokenStore {
  readonly #cache = new Map<string, { principal: Principal | null; until: number }>();

  constructor(
    readonly store: Store,
    private readonly clock: Clock = systemClock,
    private readonly cacheMs = 5000,
  ) {}

  async create(input: CreateTokenInput): Promise<NewToken> {
    if (!(ROLES as readonly string[]).includes(input.role)) {
      throw new MacfleetError(
        'INVALID_ARGUMENT',
        `role ${JSON.stringify(input.role)}: expected one of ${ROLES.join(', ')}`,
        { location: { field: 'role' } },
      );
    }
    const key = randomKey();
    const secret = randomBytes(32).toString('base64url');
    const name = checkTokenName(input.name ?? `${input.role}-${key.slice(0, 6).toLowerCase()}`);
    const now = this.clock.now();
    const expiresAt = input.expiresInMs === undefined ? null : now + input.expiresInMs;
    const row = await this.store.transaction(async (tx) => {
      if ((await tx.get('SELECT name FROM api_tokens WHERE name = ?', [name])) !== undefined) {
        throw new MacfleetError('ALREADY_EXISTS', `a token named ${name} already exists`, {
          location: { field: 'name' },
        });
      }
      await tx.run(`INSERT INTO api_tokens (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, NULL)`, [
        key,
        digestOf(key, secret),
        name,
        input.role,
        now,
        expiresAt,
      ]);
      return (await tx.get<TokenRow>(`SELECT ${COLUMNS} FROM api_tokens WHERE token_key = ?`, [key]))!;
    });
    return { token: `${TOKEN_PREFIX}${key}.${secret}`, info: toInfo(row) };
  }

  list(): Promise<TokenInfo[]> {
    return this.store.transaction(
      async (tx) =>
        (await tx.all<TokenRow>(`SELECT ${COLUMNS} FROM api_tokens ORDER BY created_at, name`)).map(toInfo),
      { mode: 'read' },
    );
  }

  /** Revoke by name or by key; NOT_FOUND when neither names a token. Revoking twice keeps the first time. */
  async revoke(nameOrKey: string): Promise<TokenInfo> {
    const now = this.clock.now();
    const info = await this.store.transaction(async (tx) => {
      const row = await findToken(tx, nameOrKey);
      if (row.revoked_at === null)
        await tx.run('UPDATE api_tokens SET revoked_at = ? WHERE token_key = ?', [now, row.token_key]);
      return toInfo(await findToken(tx, row.token_key));
    });
    this.#cache.clear();
    return info;
  }

  /** The caller a bearer token stands for, or null (unknown, malformed, revoked or expired). */
  async authenticate(token: string): Promise<Principal | null> {
    const now = this.clock.now();
    const cached = this.#cache.get(token);
    if (cached !== undefined && cached.until > now) return cached.principal;
    const { principal, expiresAt } = await this.#lookup(token, now);
    if (this.#cache.size > 10_000) this.#cache.clear();
    this.#cache.set(token, { principal, until: Math.min(now + this.cacheMs, expiresAt ?? Infinity) });
    return principal;
  }

  async #lookup(token: string, now: number): Promise<{ principal: Principal | null; expiresAt?: number }> {
    const none = { principal: null };
    const m = TOKEN_PATTERN.exec(token);
    if (m === null) return none;
    const [, key, secret] = m as unknown as [string, string, string];
    const row = await this.store.transaction(
      (tx) => tx.get<TokenRow>(`SELECT ${COLUMNS} FROM api_tokens WHERE token_key = ?`, [key]),
      { mode: 'read' },
    );
    if (row === undefined || row.revoked_at !== null) return none;
    if (row.expires_at !== null && Number(row.expires_at) <= now) return none;
    const want = Buffer.from(row.digest);
    const got = Buffer.from(digestOf(key, secret));
    if (want.length !== got.length || !timingSafeEqual(want, got)) return none;
    const principal = { name: row.name, role: row.role };
    return row.expires_at === null ? { principal } : { principal, expiresAt: Number(row.expires_at) };
  }
}

async function findToken(tx: SqlSession, nameOrKey: string): Promise<TokenRow> {
  const key = TOKEN_PATTERN.exec(nameOrKey)?.[1] ?? nameOrKey.replace(/^mft_/, '');
  const row = await tx.get<TokenRow>(
    `SELECT ${COLUMNS} FROM api_tokens WHERE name = ? OR token_key = ? ORDER BY name = ? DESC`,
    [nameOrKey, key, nameOrKey],
  );
  if (row === undefined)
    throw new MacfleetError('NOT_FOUND', `no token named or keyed ${JSON.stringify(nameOrKey)}`);
  return row;
}
