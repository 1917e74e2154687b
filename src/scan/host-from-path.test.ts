import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hostMatcher } from './host-from-path.js';

describe('hostMatcher', () => {
  it('takes the host from the first folder with {host}/**', () => {
    const m = hostMatcher('{host}/**');
    expect(m('esx01/web01/web01.vmx')).toBe('esx01');
    expect(m('web01.vmx')).toBeNull();
  });
  it('matches deeper patterns with ** and *', () => {
    const m = hostMatcher('**/{host}/qemu-server/*.conf');
    expect(m('backups/2026/pve02/qemu-server/101.conf')).toBe('pve02');
    expect(m('pve03/qemu-server/101.conf')).toBe('pve03');
    expect(m('pve03/lxc/101.conf')).toBeNull();
    expect(m('pve03\\qemu-server\\7.conf')).toBe('pve03');
  });
  it('rejects a pattern without exactly one {host}', () => {
    expect(() => hostMatcher('**/*.vmx')).toThrow(/\{host\} exactly once/);
  });
});

describe('hostMatcher on hostile patterns and paths (issue 16)', () => {
  it('several ** on a 60-level path that does not match: answered, not backtracked for minutes', () => {
    const m = hostMatcher('**/**/**/**/**/**/{host}/**/**/**/**/x.vmx');
    const deep = `${Array.from({ length: 60 }, (_, i) => `d${i}`).join('/')}/y.vmx`;
    expect(m(deep)).toBeNull();
    expect(m(`${Array.from({ length: 60 }, (_, i) => `d${i}`).join('/')}/x.vmx`)).toBe('d59');
    const star = hostMatcher('*a*a*a*a*a*a*c/{host}/**');
    expect(star(`${'a'.repeat(250)}b/h/x.vmx`)).toBeNull();
    expect(star(`${'a'.repeat(250)}c/h/x.vmx`)).toBe('h');
    const inSegment = hostMatcher('*a*a*a*-{host}-*a*a*a*.d/*');
    expect(inSegment(`${'a'.repeat(250)}-esx1-${'a'.repeat(250)}.d/x.vmx`)).toBe('esx1');
    expect(inSegment(`${'a'.repeat(250)}-esx1-${'a'.repeat(250)}.e/x.vmx`)).toBeNull();
  });

  it('agrees with a brute-force matcher that tries every split of the path', () => {
    // The model: ** takes any number of segments (one or more when last), other segments take one.
    const brute = (pat: string[], path: string[]): string | null => {
      const go = (i: number, j: number, host: string | null): string | null | undefined => {
        if (i === pat.length) return j === path.length ? host : undefined;
        const p = pat[i]!;
        if (p === '**') {
          let found: string | null | undefined;
          for (let k = i === pat.length - 1 ? j + 1 : j; k <= path.length; k++) {
            const r = go(i + 1, k, host);
            if (r !== undefined) found = r; // the last (greediest) wins
          }
          return found;
        }
        if (j >= path.length) return undefined;
        const seg = path[j]!;
        if (p === '{host}') return go(i + 1, j + 1, seg);
        if (p === '*' || p === seg) return go(i + 1, j + 1, host);
        return undefined;
      };
      return go(0, 0, null) ?? null;
    };
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('**', '*', 'a', 'b'), { maxLength: 5 }),
        fc.nat({ max: 5 }),
        fc.array(fc.constantFrom('a', 'b', 'c'), { minLength: 1, maxLength: 7 }),
        (rest, at, path) => {
          const pat: string[] = [...rest];
          pat.splice(Math.min(at, pat.length), 0, '{host}');
          expect(hostMatcher(pat.join('/'))(path.join('/'))).toBe(brute(pat, path));
        },
      ),
    );
  });
});
