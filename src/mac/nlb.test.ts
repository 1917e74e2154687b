import { describe, expect, it } from 'vitest';
import { formatIpv4, parseIpv4 } from './ipv4.js';
import { formatMac } from './mac.js';
import { nlbAddresses, nlbClusterMac, nlbMaskedSourceMac, parseVip } from './nlb.js';

describe('NLB addresses', () => {
  it('derives the documented cluster MACs from VIP 192.168.0.10', () => {
    const a = nlbAddresses(parseVip('192.168.0.10'));
    expect(formatMac(a.unicast, 'hyphen')).toBe('02-BF-C0-A8-00-0A');
    expect(formatMac(a.multicast, 'hyphen')).toBe('03-BF-C0-A8-00-0A');
    expect(formatMac(a.igmp, 'hyphen')).toBe('01-00-5E-7F-00-0A');
    expect(formatIpv4(a.igmpGroup)).toBe('239.255.0.10');
    expect(nlbClusterMac(parseVip('192.168.0.10'), 'multicast')).toBe(a.multicast);
  });

  it('derives masked source MACs 02-<priority>-W-X-Y-Z for priorities 1..32 only', () => {
    expect(formatMac(nlbMaskedSourceMac(parseVip('10.0.0.1'), 1), 'hyphen')).toBe('02-01-0A-00-00-01');
    expect(formatMac(nlbMaskedSourceMac(parseVip('10.0.0.1'), 32), 'hyphen')).toBe('02-20-0A-00-00-01');
    expect(() => nlbMaskedSourceMac(parseVip('10.0.0.1'), 0)).toThrow(/1\.\.32/);
    expect(() => nlbMaskedSourceMac(parseVip('10.0.0.1'), 33)).toThrow(/1\.\.32/);
  });

  it('rejects malformed VIPs naming the octet', () => {
    expect(() => parseVip('192.168.0')).toThrow(/four decimal octets/);
    expect(() => parseVip('192.168.0.256')).toThrow(/octet 4 "256"/);
    expect(() => parseIpv4('1.2.3.x')).toThrow(/octet 4/);
    expect(() => parseIpv4('01.2.3.4')).toThrow(/octet 1/);
    expect(formatIpv4(parseIpv4(' 255.255.255.255 '))).toBe('255.255.255.255');
  });
});
