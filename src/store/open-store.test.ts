import { describe, expect, it } from 'vitest';
import { resolveDbLocation } from './open-store.js';
import { toPostgresPlaceholders } from './sql.js';

describe('resolveDbLocation', () => {
  const env = { HOME: '/home/ann' };
  it('prefers MACFLEET_DB, then --db, then XDG_DATA_HOME, then ~/.local/share', () => {
    expect(resolveDbLocation({ flag: 'x.db', env: { ...env, MACFLEET_DB: '/e.db' }, cwd: '/w' })).toEqual({
      kind: 'sqlite',
      target: '/e.db',
      source: 'MACFLEET_DB',
      ignoredFlag: 'x.db',
    });
    expect(resolveDbLocation({ flag: '/e.db', env: { ...env, MACFLEET_DB: '/e.db' }, cwd: '/w' })).toEqual({
      kind: 'sqlite',
      target: '/e.db',
      source: 'MACFLEET_DB',
    });
    expect(resolveDbLocation({ flag: 'x.db', env, cwd: '/w' })).toEqual({
      kind: 'sqlite',
      target: '/w/x.db',
      source: '--db',
    });
    expect(resolveDbLocation({ env: { ...env, MACFLEET_DB: '/e.db' }, cwd: '/w' })).toEqual({
      kind: 'sqlite',
      target: '/e.db',
      source: 'MACFLEET_DB',
    });
    expect(resolveDbLocation({ env: { ...env, XDG_DATA_HOME: '/x' }, cwd: '/w' })).toEqual({
      kind: 'sqlite',
      target: '/x/macfleet/macfleet.db',
      source: 'XDG_DATA_HOME',
    });
    expect(resolveDbLocation({ env, cwd: '/w' })).toEqual({
      kind: 'sqlite',
      target: '/home/ann/.local/share/macfleet/macfleet.db',
      source: 'home',
    });
    // A relative XDG_DATA_HOME is invalid by the XDG spec and ignored.
    expect(resolveDbLocation({ env: { ...env, XDG_DATA_HOME: 'rel' }, cwd: '/w' }).source).toBe('home');
  });
  it('takes postgres:// and postgresql:// URLs as PostgreSQL', () => {
    expect(resolveDbLocation({ env: { MACFLEET_DB: 'postgres://u@h/db' }, cwd: '/w' })).toMatchObject({
      kind: 'postgres',
      target: 'postgres://u@h/db',
    });
    expect(resolveDbLocation({ flag: 'postgresql://h/db', env: {}, cwd: '/w' }).kind).toBe('postgres');
  });
});

describe('toPostgresPlaceholders', () => {
  it('numbers ? outside quotes', () => {
    expect(toPostgresPlaceholders(`SELECT ? , '?', "a?" FROM t WHERE x = ? AND y = ?`)).toBe(
      `SELECT $1 , '?', "a?" FROM t WHERE x = $2 AND y = $3`,
    );
  });
});
