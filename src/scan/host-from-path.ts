/**
 * `--host-from-path <pattern>`: a path pattern with one `{host}` placeholder, `*` (one path segment part)
 * and `**` (any number of segments), matched against the path relative to the scan root, e.g.
 * `{host}/**` or `**\/{host}/qemu-server/*.conf`.
 */
import { MacfleetError } from '../errors.js';

export type HostMatcher = (relativePath: string) => string | null;

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
  let re = '^';
  const p = pattern.replace(/^\.\//, '');
  for (let i = 0; i < p.length;) {
    if (p.startsWith('{host}', i)) {
      re += '([^/]+)';
      i += 6;
    } else if (p.startsWith('**/', i)) {
      re += '(?:.*/)?';
      i += 3;
    } else if (p.startsWith('**', i)) {
      re += '.*';
      i += 2;
    } else if (p[i] === '*') {
      re += '[^/]*';
      i++;
    } else if (p[i] === '?') {
      re += '[^/]';
      i++;
    } else {
      re += p[i]!.replace(/[.+^${}()|[\]\\]/g, '\\$&');
      i++;
    }
  }
  const regex = new RegExp(`${re}$`);
  return (relativePath) => regex.exec(relativePath.split('\\').join('/'))?.[1] ?? null;
}
