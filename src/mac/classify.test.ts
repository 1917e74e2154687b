import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CLASSIFICATION_KINDS, classifyMac } from './classify.js';
import { MAC_COUNT, parseMac, type Mac } from './mac.js';

const kindOf = (text: string): string => classifyMac(parseMac(text)).kind;

describe('classifyMac', () => {
  it('recognises each hypervisor scheme by its prefix', () => {
    expect(kindOf('00-03-FF-53-32-68')).toBe('virtual-server');
    expect(kindOf('00-15-5D-05-14-00')).toBe('hyper-v');
    expect(kindOf('00:0c:29:3c:98:3e')).toBe('vmware-generated');
    expect(kindOf('00:50:56:11:22:33')).toBe('vmware-static');
    expect(kindOf('00:50:56:3f:ff:ff')).toBe('vmware-static');
    // vSphere Networking: above 3F is vCenter's (80-BF) and VMkernel adapters' (40-7F).
    expect(kindOf('00:50:56:40:00:00')).toBe('vmware-vmkernel');
    expect(kindOf('00:50:56:7f:ff:ff')).toBe('vmware-vmkernel');
    expect(kindOf('00:50:56:87:65:43')).toBe('vmware-vcenter');
    expect(kindOf('00:50:56:bf:ff:ff')).toBe('vmware-vcenter');
    expect(kindOf('00:50:56:c0:00:01')).toBe('unknown');
    expect(kindOf('52:54:00:ee:96:6b')).toBe('qemu');
    expect(kindOf('00:16:3e:12:34:56')).toBe('xen');
    expect(kindOf('08:00:27:c3:b0:f9')).toBe('virtualbox');
    expect(kindOf('BC:24:11:A3:DA:B1')).toBe('proxmox');
    expect(kindOf('00:1a:4a:16:01:51')).toBe('ovirt');
    expect(kindOf('fa:16:3e:00:00:01')).toBe('openstack');
    expect(kindOf('00:11:22:33:44:55')).toBe('unknown');
  });

  it('bounds the SCVMM default pool exactly', () => {
    expect(kindOf('00-1D-D8-B7-1C-00')).toBe('scvmm');
    expect(kindOf('00-1D-D8-F4-1F-FF')).toBe('scvmm');
    expect(kindOf('00-1D-D8-B7-1B-FF')).toBe('unknown');
    expect(kindOf('00-1D-D8-F4-20-00')).toBe('unknown');
  });

  it('decodes what the address encodes', () => {
    expect(classifyMac(parseMac('00-15-5D-05-14-00'))).toMatchObject({ hostOctets: [5, 20] });
    expect(classifyMac(parseMac('00-03-FF-53-32-68'))).toMatchObject({
      hostOctets: [0x32, 0x68],
      counterOctet: 0x53,
    });
    expect(classifyMac(parseMac('00:50:56:87:65:43'))).toMatchObject({ instanceId: 7 });
    expect(classifyMac(parseMac('02-BF-C0-A8-00-0A'))).toMatchObject({
      kind: 'nlb-unicast',
      vip: '192.168.0.10',
    });
    expect(classifyMac(parseMac('03-BF-C0-A8-00-0A'))).toMatchObject({
      kind: 'nlb-multicast',
      vip: '192.168.0.10',
    });
    expect(classifyMac(parseMac('01-00-5E-7F-00-0A'))).toMatchObject({
      kind: 'nlb-igmp',
      group: '239.255.0.10',
    });
    expect(classifyMac(parseMac('02-05-C0-A8-00-0A'))).toMatchObject({
      kind: 'nlb-masked',
      priority: 5,
      vip: '192.168.0.10',
    });
    expect(classifyMac(parseMac('02-20-0A-00-00-01'))).toMatchObject({ kind: 'nlb-masked', priority: 32 });
    expect(kindOf('02-21-0A-00-00-01')).toBe('unknown');
    expect(kindOf('02-00-0A-00-00-01')).toBe('unknown');
    expect(kindOf('01-00-5E-00-00-01')).toBe('unknown');
  });

  it('classifies every address into a known kind with a description', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAC_COUNT - 1 }), (n) => {
        const c = classifyMac(n as Mac);
        expect(CLASSIFICATION_KINDS).toContain(c.kind);
        expect(c.description.length).toBeGreaterThan(0);
      }),
    );
  });
});
