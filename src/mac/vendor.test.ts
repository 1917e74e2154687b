import { describe, expect, it } from 'vitest';
import { parseMac } from './mac.js';
import { vendorOf } from './vendor.js';

describe('vendorOf (IEEE registry from oui-data)', () => {
  it('names the registered organisation', () => {
    expect(vendorOf(parseMac('00-15-5D-05-14-00'))).toBe('Microsoft Corporation');
    expect(vendorOf(parseMac('00:0c:29:3c:98:3e'))).toBe('VMware, Inc.');
    expect(vendorOf(parseMac('08:00:27:c3:b0:f9'))).toBe('PCS Systemtechnik GmbH');
  });

  it('gives no vendor to locally administered addresses, even if the bits match an OUI', () => {
    expect(vendorOf(parseMac('02:bf:c0:a8:00:0a'))).toBeUndefined();
    expect(vendorOf(parseMac('52:54:00:12:34:56'))).toBeUndefined();
  });
});
