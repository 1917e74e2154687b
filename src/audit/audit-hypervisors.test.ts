// The audit's answer per hypervisor (issue 11): a same-host same-network duplicate is `blocking` where
// the hypervisor refuses the second start (Virtual Server, Resource Kit ch. 11) or cuts its port
// (Hyper-V, VMSMP event 28), and `conflicting` — with a message saying what happens — where it starts
// both (VMware shares the MAC, libvirt/Proxmox/VirtualBox check nothing). Formats that name no
// hypervisor (OVF, inventory CSV) keep the strict answer. Expected values come from those sources.
import { describe, expect, it } from 'vitest';
import type { AdapterRecord, Hypervisor } from '../formats/types.js';
import { parseMac, type Mac } from '../mac/index.js';
import { audit } from './audit.js';

function adapter(over: Partial<AdapterRecord> & { mac: Mac | null; vm: string }): AdapterRecord {
  return {
    file: `${over.vm}.cfg`,
    line: 1,
    column: 1,
    adapter: 'nic0',
    macText: null,
    macSpan: null,
    mode: 'static',
    network: 'LAN',
    hostPrivate: false,
    hypervisor: 'vmware',
    host: 'h1',
    enabled: true,
    ...over,
  };
}

const SAME_HOST: Record<Hypervisor, { scope: 'blocking' | 'conflicting'; says: string }> = {
  'virtual-server': { scope: 'blocking', says: 'second VM will not start' },
  'hyper-v': { scope: 'blocking', says: 'the second adapter loses its network' },
  vmware: { scope: 'conflicting', says: 'share the MAC' },
  libvirt: { scope: 'conflicting', says: 'check nothing' },
  proxmox: { scope: 'conflicting', says: 'checks nothing' },
  virtualbox: { scope: 'conflicting', says: 'checks nothing' },
  ovf: { scope: 'blocking', says: 'second VM will not start' },
  inventory: { scope: 'blocking', says: 'second VM will not start' },
};

describe('a same-host same-network duplicate, per hypervisor', () => {
  for (const [hypervisor, e] of Object.entries(SAME_HOST) as [Hypervisor, (typeof SAME_HOST)[Hypervisor]][]) {
    it(`${hypervisor}: ${e.scope}`, () => {
      const mac = parseMac('02:00:00:00:00:07');
      const findings = audit([
        adapter({ vm: 'a', mac, hypervisor }),
        adapter({ vm: 'b', mac, hypervisor }),
      ]).filter((f) => f.kind === 'duplicate');
      expect(findings).toHaveLength(1);
      expect(findings[0]).toMatchObject({ scope: e.scope, severity: 'error' });
      expect(findings[0]!.message).toContain(e.says);
    });
  }

  it('Hyper-V and VMware on different hosts of one segment are conflicting alike (nothing is refused across hosts)', () => {
    const mac = parseMac('02:00:00:00:00:08');
    for (const hypervisor of ['hyper-v', 'vmware'] as const) {
      const f = audit([
        adapter({ vm: 'a', mac, hypervisor, host: 'h1' }),
        adapter({ vm: 'b', mac, hypervisor, host: 'h2' }),
      ]).find((x) => x.kind === 'duplicate');
      expect(f?.scope).toBe('conflicting');
      expect(f?.message).toContain('different hosts');
    }
  });
});

describe('MACs a hypervisor refuses, per hypervisor', () => {
  it('VMware static outside 00:50:56:00-3f: a warning stating the 6.5 rule, not a certainty', () => {
    const [f] = audit([adapter({ vm: 'a', mac: parseMac('00:0c:29:aa:bb:cc'), hypervisor: 'vmware' })]);
    expect(f).toMatchObject({ kind: 'invalid', severity: 'warning' });
    expect(f!.message).toContain('before 6.5');
    expect(f!.message).toContain('6.5 and later accept');
  });

  it('libvirt: a MAC starting with 0xFE is invalid (libvirt reserves it for tap devices); elsewhere it is fine', () => {
    const fe = parseMac('fe:54:00:12:34:56');
    const [f] = audit([adapter({ vm: 'a', mac: fe, hypervisor: 'libvirt', mode: 'unknown' })]);
    expect(f).toMatchObject({ kind: 'invalid', severity: 'error' });
    expect(f!.message).toContain('0xFE');
    expect(audit([adapter({ vm: 'a', mac: fe, hypervisor: 'proxmox' })])).toEqual([]);
  });
});
