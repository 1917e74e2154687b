import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isCi, realFixturesPresent } from './real-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'macfleet-real-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const missing = join(dir, 'nope');

describe('realFixturesPresent', () => {
  it('is true when the directory is there, CI or not', () => {
    expect(realFixturesPresent(dir, { CI: 'true' })).toBe(true);
    expect(realFixturesPresent(dir, {})).toBe(true);
  });

  it('fails under CI when the directory is missing', () => {
    expect(() => realFixturesPresent(missing, { CI: 'true' }, () => {})).toThrow(
      /under CI they are required/,
    );
    expect(() => realFixturesPresent(missing, { CI: '1' }, () => {})).toThrow(/nope/);
  });

  it('skips with a warning outside CI', () => {
    const warnings: string[] = [];
    expect(realFixturesPresent(missing, { CI: 'false' }, (m) => warnings.push(m))).toBe(false);
    expect(realFixturesPresent(missing, {}, (m) => warnings.push(m))).toBe(false);
    expect(warnings).toHaveLength(2);
  });

  it('isCi', () => {
    expect([
      isCi({ CI: 'true' }),
      isCi({ CI: 'TRUE' }),
      isCi({ CI: '' }),
      isCi({ CI: '0' }),
      isCi({}),
    ]).toEqual([true, true, false, false, false]);
  });
});
