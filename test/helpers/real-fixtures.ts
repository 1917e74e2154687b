/**
 * Where the real VM configuration fixtures are (../shared/fixtures/real from the repository, see its
 * SOURCES.md), and whether a test may go without them: outside CI a missing directory skips the tests
 * that read it (with a warning); under CI it is a failure, so a broken checkout cannot pass unseen.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REAL_FIXTURES = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'shared',
  'fixtures',
  'real',
);

/** True when `CI` is set to anything but empty, `0` or `false` (GitHub Actions and .ci/run set `CI=true`). */
export const isCi = (env: Readonly<Record<string, string | undefined>> = process.env): boolean => {
  const ci = env['CI']?.trim().toLowerCase();
  return ci !== undefined && ci !== '' && ci !== '0' && ci !== 'false';
};

/**
 * Whether the real fixtures are there. Missing: under CI, throws (the test file fails); otherwise warns
 * and returns false (the caller skips).
 */
export function realFixturesPresent(
  dir: string = REAL_FIXTURES,
  env: Readonly<Record<string, string | undefined>> = process.env,
  warn: (message: string) => void = console.warn,
): boolean {
  if (existsSync(dir)) return true;
  if (isCi(env))
    throw new Error(`real fixtures not found at ${dir}: under CI they are required (see SOURCES.md)`);
  warn(`real fixtures not found at ${dir}: skipping the tests that read them`);
  return false;
}
