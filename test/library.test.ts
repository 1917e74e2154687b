/**
 * macfleet as a library: the package's one entry (package.json `exports`) and the README example, run as
 * written against the built `dist/` (what `import ... from 'macfleet'` loads).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/cli.js';
import { isCi } from './helpers/real-fixtures.js';

const DIST = join(REPO_ROOT, 'dist');
// `npm test` builds first; a bare `vitest run` on a fresh checkout has no dist/ (required under CI).
const built = existsSync(join(DIST, 'index.js'));
if (!built && isCi()) throw new Error('dist/ is not built: npm test builds it before the tests');

/** The README's "Use it as a library" section: its code block and the output block after it. */
function readmeExample(): { code: string; output: string } {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.split('\n## Use it as a library\n')[1]?.split('\n## ')[0] ?? '';
  const blocks = [...section.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => [m[1], m[2]!] as const);
  const code = blocks.find(([lang]) => lang === 'js' || lang === 'ts')?.[1];
  const output = blocks.find(([lang]) => lang === 'console')?.[1];
  if (code === undefined || output === undefined)
    throw new Error('README: no example in "Use it as a library"');
  return { code, output };
}

describe('the package entry', () => {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
    exports: Record<string, unknown>;
  };

  it('is one ESM entry with types; internals are not exported', () => {
    expect(pkg.exports).toEqual({
      '.': { types: './dist/index.d.ts', import: './dist/index.js' },
      './package.json': './package.json',
    });
  });

  it('names the library functions', async () => {
    const lib = await import('../src/index.js');
    for (const name of ['parseMac', 'formatMac', 'classifyMac', 'scan', 'audit', 'openStore', 'PoolStore'])
      expect(typeof (lib as Record<string, unknown>)[name], name).toBe('function');
  });

  describe.skipIf(!built)('built', () => {
    it('runs the README example as written, with the output the README shows', () => {
      const { code, output } = readmeExample();
      // Evaluated from the repository root: `import ... from 'macfleet'` is the package importing itself.
      const stdout = execFileSync(process.execPath, ['--input-type=module', '-e', code], {
        cwd: REPO_ROOT,
        encoding: 'utf8',
      });
      expect(stdout).toBe(output);
    });

    it('refuses a deep import of an internal module', () => {
      const r = spawnSync(
        process.execPath,
        ['--input-type=module', '-e', "await import('macfleet/dist/fleet/index.js')"],
        { cwd: REPO_ROOT, encoding: 'utf8' },
      );
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain('ERR_PACKAGE_PATH_NOT_EXPORTED');
    });

    it('dist/ holds no test and no test helper', () => {
      const files = (dir: string): string[] =>
        readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
          d.isDirectory() ? files(join(dir, d.name)) : [relative(DIST, join(dir, d.name))],
        );
      expect(files(DIST).filter((f) => /(^|\/)test-|\.test\.|fuzz/.test(f))).toEqual([]);
    });
  });
});
