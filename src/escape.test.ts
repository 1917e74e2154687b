import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvCell, csvRow, escapeTerminal, shellQuote } from './escape.js';

describe('escapeTerminal', () => {
  it('makes ESC, CR, BEL, C1 and bidi overrides visible', () => {
    expect(escapeTerminal('a\x1b[2Jb')).toBe('a\\e[2Jb');
    expect(escapeTerminal('ok\rFAKE')).toBe('ok\\rFAKE');
    expect(escapeTerminal('\x07\x9b\u202e')).toBe('\\x07\\x9b\\u202e');
    expect(escapeTerminal('x\ny\tz')).toBe('x\\ny\\tz');
    expect(escapeTerminal('x\ny\tz', { keepLineBreaks: true })).toBe('x\ny\tz');
  });
  it('leaves printable text (any script) alone and never lets a control character through', () => {
    expect(escapeTerminal('vm-01 ünïcødé 日本')).toBe('vm-01 ünïcødé 日本');
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
        const out = escapeTerminal(s);
        for (const ch of out) {
          const c = ch.codePointAt(0)!;
          expect(c < 0x20 || (c >= 0x7f && c <= 0x9f)).toBe(false);
        }
      }),
    );
  });
});

describe('csvCell', () => {
  it('neutralises cells a spreadsheet reads as formulas (OWASP)', () => {
    expect(csvCell('=1+1')).toBe(`"'=1+1"`);
    expect(csvCell('+1')).toBe(`"'+1"`);
    expect(csvCell('-2')).toBe(`"'-2"`);
    expect(csvCell('@SUM(A1)')).toBe(`"'@SUM(A1)"`);
    expect(csvCell('\tx')).toBe(`"'\tx"`);
    expect(csvCell('\rx')).toBe(`"'\rx"`);
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
  });
  it('quotes per RFC 4180 and leaves plain cells alone', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('00:50:56:00:00:01')).toBe('00:50:56:00:00:01');
    expect(csvCell(12)).toBe('12');
    expect(csvCell(null)).toBe('');
    expect(csvRow(['a', 1, undefined])).toBe('a,1,');
  });
});

describe('shellQuote', () => {
  it('quotes what a shell would split or expand, and sh reads back the same word', () => {
    expect(shellQuote('web01')).toBe('web01');
    expect(shellQuote("it's $(x)")).toBe(`'it'\\''s $(x)'`);
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 20 }).filter((s) => !s.includes('\0')),
        (s) => {
          const r = spawnSync('sh', ['-c', `printf %s ${shellQuote(s)}`], { encoding: 'utf8' });
          expect(r.stdout).toBe(s);
        },
      ),
      { numRuns: 40 },
    );
  });
});
