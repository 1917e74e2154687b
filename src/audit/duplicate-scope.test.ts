import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseMac } from '../mac/index.js';
import { duplicateGroups, type ScopeMember } from './duplicate-scope.js';

const MAC = parseMac('52:54:00:cc:00:01');
const on = (
  vm: string,
  host: string | null,
  network: string | null,
  segment: string | null = network,
  extra: Partial<ScopeMember> = {},
): ScopeMember => ({ vm, host, network, segment, hypervisor: 'virtual-server', file: `${vm}.xml`, ...extra });
const summary = (members: ScopeMember[], options = {}) =>
  duplicateGroups(MAC, members, options).map((g) => [g.scope, g.members.map((m) => m.vm).join(' ')]);

describe('duplicateGroups', () => {
  it('same host and network: one blocking finding, nothing else', () => {
    const groups = duplicateGroups(MAC, [on('a', 'h1', 'br0'), on('b', 'h1', 'br0')]);
    expect(groups).toEqual([
      {
        scope: 'blocking',
        members: [on('a', 'h1', 'br0'), on('b', 'h1', 'br0')],
        message:
          '52:54:00:cc:00:01 is configured on 2 adapters on the same host (h1) and virtual network (br0): the second VM will not start while the first runs',
      },
    ]);
  });

  it('splits a MAC into one finding per host-and-network group, per segment, and one latent', () => {
    const members = [
      on('a', 'h1', 'br0'),
      on('b', 'h1', 'br0'),
      on('c', 'h1', 'br1'),
      on('d', 'h2', 'br0'),
      on('e', 'h2', 'br1'),
      on('f', 'h2', 'br1'),
    ];
    expect(summary(members)).toEqual([
      ['blocking', 'a b'],
      ['blocking', 'e f'],
      ['conflicting', 'a b d'],
      ['conflicting', 'c e f'],
      ['latent', 'a b c d e f'],
    ]);
    const messages = duplicateGroups(MAC, members).map((g) => g.message);
    expect(messages[2]).toBe(
      '52:54:00:cc:00:01 is configured on 3 adapters on one L2 segment (br0) from different hosts (h1, h2): switch MAC tables flap and DHCP/ARP break',
    );
    expect(messages[4]).toBe(
      '52:54:00:cc:00:01 is configured on 6 adapters across 2 segments (br0, br1): between segments it is harmless until a VM moves or a network is bridged, then it conflicts',
    );
  });

  it('a hypervisor that starts both VMs makes a same-host duplicate conflicting, not blocking', () => {
    const members = [on('a', 'h1', 'br0'), on('b', 'h1', 'br0')];
    const groups = duplicateGroups(MAC, members, { refusesSameHostDuplicate: () => false });
    expect(groups.map((g) => [g.scope, g.message])).toEqual([
      [
        'conflicting',
        '52:54:00:cc:00:01 is configured on 2 adapters on one L2 segment (br0) on one host (h1) that starts both VMs: switch MAC tables flap and DHCP/ARP break',
      ],
    ]);
  });

  it('user-mode (segment null) and unattached adapters share a segment with nothing', () => {
    const slirp = [on('a', 'h1', 'user (SLIRP)', null), on('b', 'h1', 'user (SLIRP)', null)];
    expect(duplicateGroups(MAC, slirp).map((g) => [g.scope, g.message])).toEqual([
      [
        'latent',
        '52:54:00:cc:00:01 is configured on 2 adapters on different segments (user (SLIRP) of a, user (SLIRP) of b): harmless until a VM moves or a network is bridged, then it conflicts',
      ],
    ]);
    expect(summary([on('a', 'h1', null), on('b', 'h1', null)])).toEqual([['latent', 'a b']]);
  });

  it('unknown hosts: the same file and VM is one host; other files may or may not be', () => {
    const twoAdapters = [on('a', null, 'br0'), on('a', null, 'br0')];
    expect(summary(twoAdapters)).toEqual([['blocking', 'a a']]);
    const groups = duplicateGroups(MAC, [on('a', null, 'br0'), on('b', null, 'br0')]);
    expect(groups.map((g) => [g.scope, g.message])).toEqual([
      [
        'conflicting',
        '52:54:00:cc:00:01 is configured on 2 adapters on one L2 segment (br0) from hosts not known (unknown host; blocking if they share a host — use --host-from-path): switch MAC tables flap and DHCP/ARP break',
      ],
    ]);
  });

  it('NLB unicast cluster MACs are shared by design; multicast cluster MACs on adapters are not', () => {
    const nodes = [on('a', 'h1', 'br0'), on('b', 'h1', 'br0')];
    expect(duplicateGroups(parseMac('02:bf:0a:00:00:64'), nodes)).toEqual([]);
    expect(duplicateGroups(parseMac('03:bf:0a:00:00:64'), nodes).map((g) => g.scope)).toEqual(['blocking']);
    expect(duplicateGroups(parseMac('01:00:5e:7f:00:64'), nodes).map((g) => g.scope)).toEqual(['blocking']);
  });

  // A brute-force model over pairs, sharing no code with the grouping: what each pair of holders is.
  const member = fc
    .record({
      vm: fc.constantFrom('a', 'b', 'c', 'd'),
      host: fc.option(fc.constantFrom('h1', 'h2'), { nil: null }),
      network: fc.option(fc.constantFrom('n1', 'n2', 'user'), { nil: null }),
      merged: fc.boolean(),
    })
    .map(({ vm, host, network, merged }) =>
      // `merged`: a segment map puts n1 and n2 on one segment; `user` adapters share none.
      on(vm, host, network, network === null || network === 'user' ? null : merged ? 'lan' : network),
    );
  const sameHost = (x: ScopeMember, y: ScopeMember) =>
    x.host !== null && y.host !== null ? x.host === y.host : x.host === y.host && x.file === y.file;

  it('every message is true of each member, and every pair of holders is in a finding of its scope', () => {
    fc.assert(
      fc.property(fc.array(member, { minLength: 2, maxLength: 8 }), (members) => {
        const groups = duplicateGroups(MAC, members);
        for (const g of groups) {
          const [first] = g.members;
          if (g.scope === 'blocking') {
            expect(g.members.every((x) => sameHost(x, first!) && x.network === first!.network)).toBe(true);
            expect(first!.segment).not.toBeNull();
          }
          if (g.scope === 'conflicting')
            expect(g.members.every((x) => x.segment !== null && x.segment === first!.segment)).toBe(true);
          if (g.scope === 'latent')
            expect(g.members.some((x) => x.segment === null || x.segment !== first!.segment)).toBe(true);
        }
        const together = (scope: string, x: ScopeMember, y: ScopeMember) =>
          groups.some((g) => g.scope === scope && g.members.includes(x) && g.members.includes(y));
        members.forEach((x, i) =>
          members.slice(i + 1).forEach((y) => {
            const shared = x.segment !== null && x.segment === y.segment;
            if (shared && sameHost(x, y) && x.network === y.network)
              expect(together('blocking', x, y)).toBe(true);
            else if (shared) expect(together('conflicting', x, y)).toBe(true);
            else expect(together('latent', x, y)).toBe(true);
          }),
        );
      }),
    );
  });
});
