/** `macfleet token create|list|revoke`: bearer tokens for the HTTP API (the store keeps only a digest). */
import type { Command } from 'commander';
import { ROLES, type Role } from '../../api/principal.js';
import { MacfleetError } from '../../errors.js';
import { TokenStore, type TokenInfo } from '../../store/token-store.js';
import type { CliContext } from '../context.js';
import { table } from '../fleet-cli.js';
import {
  clockFrom,
  parseDuration,
  storeCommandOptions,
  withStore,
  type StoreOptions,
} from '../store-options.js';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export const tokenInfoJson = (t: TokenInfo) => ({
  name: t.name,
  role: t.role,
  key: t.key,
  createdAt: iso(t.createdAt),
  expiresAt: iso(t.expiresAt),
  revokedAt: iso(t.revokedAt),
});

function parseRole(text: string): Role {
  const r = text.trim().toLowerCase();
  if ((ROLES as readonly string[]).includes(r)) return r as Role;
  throw new MacfleetError(
    'INVALID_ARGUMENT',
    `--role ${JSON.stringify(text)}: expected ${ROLES.join(', ')}`,
    {
      location: { field: '--role' },
    },
  );
}

const withTokens = <T>(
  ctx: CliContext,
  opts: StoreOptions,
  fn: (tokens: TokenStore) => Promise<T>,
): Promise<T> => withStore(ctx, opts, (store) => fn(new TokenStore(store, clockFrom(opts.now))));

export function registerToken(program: Command, ctx: CliContext): void {
  const token = program.command('token').description('bearer tokens for the HTTP API (macfleet serve)');

  storeCommandOptions(
    token
      .command('create')
      .description('create a token and print it once (the store keeps only a digest of it)')
      .requiredOption('--role <role>', `what it may do: ${ROLES.join(', ')}`, parseRole)
      .option('--name <text>', 'its name, the actor in the audit log (default: <role>-<key>)')
      .option('--expires <duration>', 'lifetime such as 30d, 12h (default: never)'),
  ).action(async (opts: StoreOptions & { role: Role; name?: string; expires?: string }) => {
    const expiresInMs = opts.expires === undefined ? undefined : parseDuration(opts.expires, '--expires');
    if (expiresInMs === 0) {
      throw new MacfleetError('INVALID_ARGUMENT', '--expires 0: a token must live for some time', {
        location: { field: '--expires' },
      });
    }
    const made = await withTokens(ctx, opts, (tokens) =>
      tokens.create({ role: opts.role, name: opts.name, expiresInMs }),
    );
    if (opts.json) return ctx.json({ token: made.token, ...tokenInfoJson(made.info) });
    ctx.out(made.token);
    ctx.io.stderr(
      `macfleet: token ${made.info.name} (${made.info.role}${made.info.expiresAt === null ? '' : `, expires ${iso(made.info.expiresAt)}`}); it is shown only now\n`,
    );
  });

  storeCommandOptions(
    token.command('list').description('every token: name, role, key, created, expires, revoked'),
  ).action(async (opts: StoreOptions) => {
    const list = await withTokens(ctx, opts, (tokens) => tokens.list());
    if (opts.json) return ctx.json(list.map(tokenInfoJson));
    if (list.length === 0) return ctx.out('no tokens: macfleet token create --role viewer|operator|admin');
    const now = clockFrom(opts.now).now();
    const state = (t: TokenInfo): string =>
      t.revokedAt !== null ? 'revoked' : t.expiresAt !== null && t.expiresAt <= now ? 'expired' : 'active';
    ctx.out(
      table([
        ['NAME', 'ROLE', 'KEY', 'STATE', 'CREATED', 'EXPIRES'],
        ...list.map((t) => [
          t.name,
          t.role,
          `mft_${t.key}`,
          state(t),
          iso(t.createdAt)!,
          iso(t.expiresAt) ?? 'never',
        ]),
      ]),
    );
  });

  storeCommandOptions(
    token
      .command('revoke')
      .description('revoke a token by name or key (serve processes stop accepting it within 5 s)')
      .argument('<name|key>'),
  ).action(async (nameOrKey: string, opts: StoreOptions) => {
    const t = await withTokens(ctx, opts, (tokens) => tokens.revoke(nameOrKey));
    if (opts.json) return ctx.json(tokenInfoJson(t));
    ctx.out(`revoked ${t.name} (${t.role}) at ${iso(t.revokedAt)}`);
  });
}
