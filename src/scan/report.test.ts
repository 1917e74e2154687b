import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hostMatcher } from './host-from-path.js';
import { renderAdapters, scanJson, scanJsonText } from './report.js';
import { scan } from './scan.js';

const fleet = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples', 'fleet');

describe('scanJsonText', () => {
  it('is exactly JSON.stringify(scanJson), whether adapters are rendered during the scan or after', async () => {
    const chunks: string[] = [];
    const r = await scan([fleet], {
      hostFromPath: hostMatcher('{host}/**'),
      onAdapters: (b) => chunks.push(renderAdapters(b)),
    });
    const want = `${JSON.stringify(scanJson(r))}\n`;
    expect(scanJsonText(r)).toBe(want);
    expect(scanJsonText(r, chunks)).toBe(want);
  });
});
