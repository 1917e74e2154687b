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
