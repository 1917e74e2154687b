/**
 * Fuzzing every parser (fast-check): random text, random bytes through the decoder, and truncations and
 * mutations of real and built fixtures. No exception escapes; every issue has a position; every MAC span
 * holds exactly the MAC text it reports.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REAL_FIXTURES, realFixturesPresent } from '../../test/helpers/real-fixtures.js';
import { decodeText } from './decode.js';
import { PARSERS } from './registry.js';
import { FORMAT_NAMES, type FormatName, type ParseResult } from './types.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// The real fixtures are required under CI (a missing directory fails this file) and optional elsewhere.
const roots = [
  ...(realFixturesPresent(REAL_FIXTURES) ? [REAL_FIXTURES] : []),
  join(repo, 'test', 'fixtures', 'scopes'),
];

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}
const samples = roots.flatMap(filesUnder).map((f) => decodeText(readFileSync(f))?.text ?? '');
if (samples.length === 0) console.warn('no fixtures found: fuzzing from random input only');

function checkResult(text: string, r: ParseResult): void {
  for (const i of r.issues) {
    expect(i.line, `issue without a line: ${JSON.stringify(i)}`).toBeGreaterThanOrEqual(1);
    expect(typeof i.message).toBe('string');
  }
  for (const a of r.adapters) {
    expect(a.line).toBeGreaterThanOrEqual(1);
    expect(a.column).toBeGreaterThanOrEqual(1);
    if (a.macSpan !== null) {
      expect(text.slice(a.macSpan.offset, a.macSpan.offset + a.macSpan.length)).toBe(a.macText);
      expect(a.mac).not.toBeNull();
    }
  }
}

const parse = (format: FormatName, text: string): ParseResult => {
  const r = PARSERS[format](text, { file: 'fuzz' });
  checkResult(text, r);
  return r;
};

const mutated = fc
  .record({
    base: samples.length > 0 ? fc.constantFrom(...samples) : fc.string(),
    cut: fc.nat(),
    edits: fc.array(fc.tuple(fc.nat(), fc.nat({ max: 8 }), fc.string({ maxLength: 6 })), { maxLength: 5 }),
  })
  .map(({ base, cut, edits }) => {
    let t = base.slice(0, base.length === 0 ? 0 : cut % (base.length + 1));
    for (const [at, del, ins] of edits) {
      const p = t.length === 0 ? 0 : at % t.length;
      t = t.slice(0, p) + ins + t.slice(p + del);
    }
    return t;
  });

describe('parsers never throw and always give positions', () => {
  for (const format of FORMAT_NAMES) {
    it(`${format}: random text`, () => {
      fc.assert(
        fc.property(fc.string({ maxLength: 400 }), (t) => void parse(format, t)),
        { numRuns: 150 },
      );
    });
    it(`${format}: random bytes through the decoder`, () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
          const d = decodeText(bytes);
          if (d !== null) parse(format, d.text);
        }),
        { numRuns: 150 },
      );
    });
    it(`${format}: truncated and mutated fixtures`, () => {
      fc.assert(
        fc.property(mutated, (t) => void parse(format, t)),
        { numRuns: 200 },
      );
    });
  }
});
