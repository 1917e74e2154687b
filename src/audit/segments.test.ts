import { describe, expect, it } from 'vitest';
import { MacfleetError } from '../errors.js';
import { segmentOf, segmentRulesFrom } from './segments.js';

describe('segmentOf', () => {
  it('same network name on different hosts is one segment, host-private networks are per host', () => {
    expect(segmentOf({ host: 'a', network: 'VM Network', hostPrivate: false })).toBe('VM Network');
    expect(segmentOf({ host: 'b', network: 'VM Network', hostPrivate: false })).toBe('VM Network');
    expect(segmentOf({ host: 'a', network: 'default', hostPrivate: true })).toBe('default on a');
    expect(segmentOf({ host: null, network: 'NAT', hostPrivate: true })).toBe('NAT on an unknown host');
    expect(segmentOf({ host: 'a', network: null, hostPrivate: false })).toBeNull();
  });

  it('rules override the default, first match wins, * matches any', () => {
    const rules = segmentRulesFrom({
      segments: {
        'vlan-10': [
          { host: 'hv01', network: 'External' },
          { host: '*', network: 'vmbr0' },
        ],
        lab: [{ host: 'ws1', network: '*' }],
      },
    });
    expect(segmentOf({ host: 'hv01', network: 'External', hostPrivate: false }, rules)).toBe('vlan-10');
    expect(segmentOf({ host: 'pve9', network: 'vmbr0', hostPrivate: false }, rules)).toBe('vlan-10');
    expect(segmentOf({ host: 'ws1', network: 'NAT', hostPrivate: true }, rules)).toBe('lab');
    expect(segmentOf({ host: 'hv02', network: 'External', hostPrivate: false }, rules)).toBe('External');
  });

  it('a bad segments document names the field', () => {
    expect(() => segmentRulesFrom({ segments: { v: [{ host: 'a' }] } }, 's.yaml')).toThrow(
      /segments\.v\[0\]\.network/,
    );
    expect(() => segmentRulesFrom([], 's.yaml')).toThrow(MacfleetError);
    expect(() => segmentRulesFrom({ segments: { v: 'x' } })).toThrow(/segments\.v: expected a list/);
  });
});
