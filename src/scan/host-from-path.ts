/**
 * `--host-from-path <pattern>`: a path pattern with one `{host}` placeholder, `*` (part of one path
 * segment), `?` (one character of a segment) and `**` (any number of whole segments; as the last segment,
 * one or more), matched against the path relative to the scan root, e.g. `{host}/**` or
 * `**\/{host}/qemu-server/*.conf`.
 *
 * Matching works segment by segment with a table of which pattern prefixes match which path prefixes,
 * so it takes (pattern segments x path segments) steps whatever the number of `**`: a regular expression
 * with several `.*` backtracks exponentially on a deep path that does not match.
 */
import { MacfleetError } from '../errors.js';

export type HostMatcher = (relativePath: string) => string | null;

type Segment =
  | { readonly kind: 'any' } // `**`
  | { readonly kind: 'one'; readonly glob: string } // `*` and `?` within one segment
  | { readonly kind: 'host'; readonly before: string; readonly after: string }; // glob{host}glob

export function hostMatcher(pattern: string): HostMatcher {
  if ((pattern.match(/\{host\}/g) ?? []).length !== 1) {
    throw new MacfleetError(
      'INVALID_ARGUMENT',
      `--host-from-path: the pattern must contain {host} exactly once, got ${JSON.stringify(pattern)}`,
      {
        location: { field: '--host-from-path' },
      },
    );
  }
  const segments = pattern
    .replace(/^\.\//, '')
    .split('/')
    .map(compileSegment)
    // Consecutive `**` are one.
    .filter((s, i, all) => !(s.kind === 'any' && all[i - 1]?.kind === 'any'));
  const hostAt = segments.findIndex((s) => s.kind === 'host');
  return (relativePath) => matchHost(segments, hostAt, relativePath.split('\\').join('/').split('/'));
}

/** One pattern segment. (`**` inside a segment, as in `a**b`, is a `*`: only a whole `**` crosses folders.) */
function compileSegment(seg: string): Segment {
  if (seg === '**') return { kind: 'any' };
  const glob = (g: string) => g.replace(/\*+/g, '*');
  const at = seg.indexOf('{host}');
  if (at < 0) return { kind: 'one', glob: glob(seg) };
  return { kind: 'host', before: glob(seg.slice(0, at)), after: glob(seg.slice(at + 6)) };
}

/**
 * Which prefixes of `text` the glob matches in full: `out[k]` is 1 when it matches `text.slice(0, k)`.
 * One row per glob character, so (glob length x text length) steps, never backtracking.
 */
function globPrefixes(glob: string, text: string): Uint8Array {
  const n = text.length;
  let row = new Uint8Array(n + 1);
  row[0] = 1;
  for (const g of glob) {
    const next = new Uint8Array(n + 1);
    for (let k = 0; k <= n; k++) {
      if (g === '*') next[k] = row[k] === 1 || (k > 0 && next[k - 1] === 1) ? 1 : 0;
      else if (k > 0 && row[k - 1] === 1 && (g === '?' || text[k - 1] === g)) next[k] = 1;
    }
    row = next;
  }
  return row;
}

const reversed = (s: string): string => [...s].reverse().join('');

/** The host a `glob{host}glob` segment takes from a path segment: the shortest prefix, the longest host. */
function hostIn(seg: Extract<Segment, { kind: 'host' }>, text: string): string | undefined {
  const n = text.length;
  const before = globPrefixes(seg.before, text);
  // after[k]: the glob after {host} matches text.slice(k) (the reversed glob on the reversed text).
  const afterRev = globPrefixes(reversed(seg.after), reversed(text));
  for (let s = 0; s < n; s++) {
    if (before[s] !== 1) continue;
    for (let e = n; e > s; e--) if (afterRev[n - e] === 1) return text.slice(s, e);
  }
  return undefined;
}

const segmentMatches = (s: Segment, text: string): boolean =>
  s.kind === 'any' ||
  (s.kind === 'one' ? globPrefixes(s.glob, text)[text.length] === 1 : hostIn(s, text) !== undefined);

/**
 * `reach[i][j]`: pattern segments before i match path segments before j (forward), `back[i][j]`: pattern
 * segments from i match path segments from j. The host comes from the last path segment that the host
 * segment can match with both sides matching (as the greedy `**` of a glob would leave it).
 */
function matchHost(segments: readonly Segment[], hostAt: number, path: readonly string[]): string | null {
  const m = segments.length;
  const n = path.length;
  const one = (s: Segment, j: number) => segmentMatches(s, path[j]!);
  const back: Uint8Array[] = Array.from({ length: m + 1 }, () => new Uint8Array(n + 1));
  back[m]![n] = 1;
  for (let i = m - 1; i >= 0; i--) {
    const s = segments[i]!;
    const row = back[i]!;
    const next = back[i + 1]!;
    for (let j = n; j >= 0; j--) {
      if (s.kind === 'any') {
        // Zero segments (not for a final `**`) or one more, then `**` again.
        row[j] = (i < m - 1 && next[j] === 1) || (j < n && (next[j + 1] === 1 || row[j + 1] === 1)) ? 1 : 0;
      } else row[j] = j < n && next[j + 1] === 1 && one(s, j) ? 1 : 0;
    }
  }
  if (back[0]![0] !== 1) return null;
  const reach: Uint8Array[] = Array.from({ length: hostAt + 1 }, () => new Uint8Array(n + 1));
  reach[0]![0] = 1;
  for (let i = 0; i < hostAt; i++) {
    const s = segments[i]!;
    const row = reach[i]!;
    const next = reach[i + 1]!;
    for (let j = 0; j <= n; j++) {
      if (row[j] !== 1) continue;
      if (s.kind === 'any') {
        // `**` before the host is never last: it may take zero or more segments.
        for (let k = j; k <= n; k++) next[k] = 1;
        break;
      } else if (j < n && one(s, j)) next[j + 1] = 1;
    }
  }
  const host = segments[hostAt] as Extract<Segment, { kind: 'host' }>;
  for (let j = n - 1; j >= 0; j--) {
    if (reach[hostAt]![j] === 1 && back[hostAt + 1]![j + 1] === 1) {
      const captured = hostIn(host, path[j]!);
      if (captured !== undefined) return captured;
    }
  }
  return null;
}
