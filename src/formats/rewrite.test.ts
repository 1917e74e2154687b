/**
 * The per-format rewrite changes only the bytes of the MACs it is asked to change: every real fixture,
 * scope fixture and example file round-trips byte for byte when nothing (or the same MAC) is written,
 * and random edits (fast-check) change no byte outside the edited MACs' spans, whatever the encoding.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { macFromNumber, type Mac } from '../mac/index.js';
import { decodeText, type DecodedText } from './decode.js';
import { detectFormat, PARSERS } from './registry.js';
import type { MacEdit } from './rewrite.js';
import { isRewritable, rewrite, spliceBytes, replacementsFor } from './rewriters.js';
import type { AdapterRecord, FormatName } from './types.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const REAL = join(repo, '..', 'shared', 'fixtures', 'real');
if (process.env['CI'] === 'true' && !existsSync(REAL)) throw new Error(`real fixtures missing at ${REAL}`);

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

interface Sample {
  readonly path: string;
  readonly bytes: Uint8Array;
  readonly decoded: DecodedText;
  readonly format: FormatName;
  readonly adapters: readonly AdapterRecord[];
}

const all: Sample[] = [REAL, join(repo, 'test', 'fixtures', 'scopes'), join(repo, 'examples', 'fleet')]
  .flatMap(filesUnder)
  .filter((p) => !p.endsWith('.md'))
  .flatMap((path) => {
    const bytes = new Uint8Array(readFileSync(path));
    const decoded = decodeText(bytes);
    const format = decoded === null ? undefined : detectFormat(path, decoded.text);
    if (decoded === null || format === undefined) return [];
    return [
      { path, bytes, decoded, format, adapters: PARSERS[format](decoded.text, { file: path }).adapters },
    ];
  });
const writable = all.filter((s) => isRewritable(s.format));

/** Byte offset of a character offset, computed here without the code under test. */
function byteOffset(d: DecodedText, offset: number): number {
  if (d.encoding === 'utf-8') return (d.bom ? 3 : 0) + Buffer.byteLength(d.text.slice(0, offset), 'utf8');
  return (d.bom ? 2 : 0) + offset * 2;
}

/**
 * `mac` written over `old`: the same separators and letter case, digit by digit. Without letters to go
 * by: upper case for hyphens and bare digits (the Windows and VirtualBox way), lower for colons and dots.
 */
function overwrite(old: string, mac: Mac): string {
  const hex = mac.toString(16).padStart(12, '0');
  const upper = /[A-F]/.test(old) ? !/[a-f]/.test(old) : !/[a-f]/.test(old) && !/[:.]/.test(old);
  let k = 0;
  let out = '';
  for (const ch of old) out += /[0-9a-fA-F]/.test(ch) ? (upper ? hex[k++]!.toUpperCase() : hex[k++]!) : ch;
  return out;
}

/** In-place edits: every format but a .vmx adapter whose MAC is generated (that one gets new lines). */
const inPlace = (s: Sample, a: AdapterRecord): boolean =>
  a.macSpan !== null && !(s.format === 'vmx' && a.mode !== 'static');

describe('round trip: nothing changes when nothing is edited', () => {
  it('found the fixtures', () => {
    expect(all.length).toBeGreaterThan(40);
    expect(new Set(writable.map((s) => s.format))).toEqual(
      new Set(['vmx', 'libvirt-xml', 'proxmox', 'vmc', 'vbox', 'ovf']),
    );
  });
  for (const s of all) {
    it(`${s.path.slice(repo.length - 4)} (${s.format})`, () => {
      expect(spliceBytes(s.bytes, s.decoded, [])).toEqual(s.bytes);
      if (!isRewritable(s.format)) return;
      expect(rewrite(s.format, s.decoded.text, [])).toBe(s.decoded.text);
      // Writing every adapter's own MAC back (as the parser read it) gives the same bytes.
      const edits: MacEdit[] = s.adapters
        .filter((a) => inPlace(s, a))
        .map((a) => ({
          kind: 'set',
          adapter: a.adapter,
          offset: a.macSpan!.offset,
          length: a.macSpan!.length,
          mac: a.mac!,
        }));
      const reps = replacementsFor(s.format, s.decoded.text, edits);
      expect(Buffer.from(spliceBytes(s.bytes, s.decoded, reps)).equals(Buffer.from(s.bytes))).toBe(true);
    });
  }
});

describe('random edits touch only the MAC bytes', () => {
  const editable = writable.filter((s) => s.adapters.some((a) => inPlace(s, a)));
  it('every writable format has files with adapters to edit', () => {
    expect(new Set(editable.map((s) => s.format)).size).toBe(6);
  });
  it('in every fixture and example (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...editable),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 2 ** 47 - 1 })), {
          minLength: 1,
          maxLength: 4,
        }),
        (s, picks) => {
          const candidates = s.adapters.filter((a) => inPlace(s, a));
          const chosen = new Map<AdapterRecord, Mac>();
          for (const [i, n] of picks) chosen.set(candidates[i % candidates.length]!, macFromNumber(n * 2));
          const edits: MacEdit[] = [...chosen].map(([a, mac]) => ({
            kind: 'set',
            adapter: a.adapter,
            offset: a.macSpan!.offset,
            length: a.macSpan!.length,
            mac,
          }));
          const after = spliceBytes(s.bytes, s.decoded, replacementsFor(s.format, s.decoded.text, edits));
          expect(after.length).toBe(s.bytes.length);
          const allowed: [number, number][] = [...chosen.keys()].map((a) => [
            byteOffset(s.decoded, a.macSpan!.offset),
            byteOffset(s.decoded, a.macSpan!.offset + a.macSpan!.length),
          ]);
          for (let i = 0; i < after.length; i++) {
            if (after[i] !== s.bytes[i]) expect(allowed.some(([from, to]) => i >= from && i < to)).toBe(true);
          }
          const text = decodeText(after)!.text;
          for (const [a, mac] of chosen)
            expect(text.slice(a.macSpan!.offset, a.macSpan!.offset + a.macSpan!.length)).toBe(
              overwrite(a.macText!, mac),
            );
          // Parsed again: the same adapters, only the edited MACs differ (and a .vmc's mode, which is
          // read from the MAC: an address outside Virtual Server's 00:03:ff scheme was typed in).
          const again = PARSERS[s.format](text, { file: s.path }).adapters;
          const rest = (a: AdapterRecord) => ({
            ...a,
            mac: null,
            macText: null,
            ...(s.format === 'vmc' ? { mode: null } : {}),
          });
          expect(again.map(rest)).toEqual(s.adapters.map(rest));
          again.forEach((a, i) => {
            const before = s.adapters[i]!;
            const want = chosen.get(before);
            expect(a.mac).toBe(want ?? before.mac);
          });
        },
      ),
      { numRuns: 300, seed: 20261129 },
    );
  });
});
