import { describe, expect, it } from 'vitest';
import * as b from '../../../test/helpers/capture-builder.js';
import { CaptureReader, readCapture } from './capture-reader.js';
import { FrameObserver } from './frame-observer.js';
import type { SourceContext } from '../model.js';

const ctx: SourceContext = { name: 't', host: 'hv01', segment: null, uplinks: ['eth9'], takenAt: null };
const BCAST = 'ff:ff:ff:ff:ff:ff';
const A = '52:54:00:aa:00:01';
const B = '52:54:00:bb:00:02';
const T0 = 1_764_000_000; // 2025-11-24T16:00:00Z

function observe(bytes: Uint8Array) {
  const o = new FrameObserver();
  const r = readCapture(bytes, o);
  return { ...r, frames: o.frames, ...o.result(ctx) };
}

const arpFrame = (src: string, ip: string, t: number, tags: number[] = []): b.Packet => ({
  time: t,
  data: b.ethernet(BCAST, src, 0x0806, b.arp(1, src, ip, '00:00:00:00:00:00', '10.0.0.1'), tags),
});

describe('pcap', () => {
  for (const le of [true, false]) {
    for (const nano of [false, true]) {
      it(`reads ${le ? 'little' : 'big'}-endian ${nano ? 'nanosecond' : 'microsecond'} files`, () => {
        const r = observe(
          b.pcapFile([arpFrame(A, '10.0.0.5', T0 + 0.123456), arpFrame(B, '10.0.0.6', T0 + 2.5)], {
            le,
            nano,
          }),
        );
        expect(r.format).toBe('pcap');
        expect(r.issues).toEqual([]);
        expect(r.frames).toBe(2);
        expect(r.observations.map((o) => [o.mac, o.first, o.ips])).toEqual([
          [A, '2025-11-24T16:00:00.123Z', ['10.0.0.5']],
          [B, '2025-11-24T16:00:02.500Z', ['10.0.0.6']],
        ]);
        expect(r.observations[0]!.port).toBeNull();
      });
    }
  }

  it('reads 802.1Q and QinQ tags: the inner VLAN, and the outer one apart', () => {
    const r = observe(
      b.pcapFile([arpFrame(A, '10.0.0.5', T0, [20]), arpFrame(A, '10.0.0.5', T0 + 1, [100, 30])]),
    );
    expect(r.observations.map((o) => [o.vlan, o.outerVlan ?? null])).toEqual([
      [20, null],
      [30, 100],
    ]);
    expect(r.observations.every((o) => o.seenAs.includes('arp'))).toBe(true);
  });

  it("reads Linux cooked SLL and SLL2 (ignoring the host's own outgoing copies)", () => {
    const payload = b.arp(1, A, '10.0.0.5', '00:00:00:00:00:00', '10.0.0.1');
    const sll = observe(
      b.pcapFile(
        [
          { time: T0, data: b.sll(0, A, 0x0806, payload) },
          { time: T0, data: b.sll(4, B, 0x0806, payload) },
        ],
        { linkType: 113 },
      ),
    );
    expect(sll.observations.map((o) => o.mac)).toEqual([A]);
    const sll2 = observe(
      b.pcapFile([{ time: T0, data: b.sll2(7, 1, A, 0x0806, payload) }], { linkType: 276 }),
    );
    expect(sll2.observations.map((o) => [o.mac, o.port, o.ips])).toEqual([[A, 'ifindex 7', ['10.0.0.5']]]);
  });
});

describe('pcapng', () => {
  const packets: b.Packet[] = [
    { ...arpFrame(A, '10.0.0.5', T0 + 0.000000123), iface: 0 },
    { ...arpFrame(B, '10.0.0.6', T0 + 1), iface: 1 },
    { ...arpFrame(A, '10.0.0.5', T0 + 2), iface: 1 },
  ];
  for (const le of [true, false]) {
    it(`reads ${le ? 'little' : 'big'}-endian sections with several named interfaces and if_tsresol`, () => {
      const r = observe(b.pcapngSection([{ name: 'vnet0', tsresol: 9 }, { name: 'eth9' }], packets, { le }));
      expect(r.format).toBe('pcapng');
      expect(r.issues).toEqual([]);
      expect(r.observations.map((o) => [o.mac, o.port, o.portKind, o.first])).toEqual([
        [A, 'vnet0', 'vm', '2025-11-24T16:00:00.000Z'],
        [A, 'eth9', 'uplink', '2025-11-24T16:00:02.000Z'],
        [B, 'eth9', 'uplink', '2025-11-24T16:00:01.000Z'],
      ]);
      expect(r.moves).toEqual([{ mac: A, at: '2025-11-24T16:00:02.000Z', from: 'vnet0', to: 'eth9' }]);
    });
  }

  it('reads simple and obsolete packet blocks, and two sections in a row', () => {
    const simple = b.pcapngSection([{}], [arpFrame(A, '10.0.0.5', T0)], { simple: true });
    const obsolete = b.pcapngSection(
      [{ name: 'x' }, { name: 'y' }],
      [{ ...arpFrame(B, '10.0.0.6', T0 + 3), iface: 1 }],
      { obsolete: true, le: false },
    );
    const both = new Uint8Array([...simple, ...obsolete]);
    const r = observe(both);
    expect(r.issues).toEqual([]);
    expect(r.observations.map((o) => [o.mac, o.port, o.first])).toEqual([
      [A, 'if0', null],
      [B, 'y', '2025-11-24T16:00:03.000Z'],
    ]);
  });

  it('reports a packet for an undeclared interface with its offset and goes on', () => {
    const bad = b.pcapngSection(
      [{ name: 'vnet0' }],
      [{ ...arpFrame(A, '10.0.0.5', T0), iface: 3 }, arpFrame(B, '10.0.0.6', T0)],
    );
    const r = observe(bad);
    expect(r.observations.map((o) => o.mac)).toEqual([B]);
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]!.code).toBe('MALFORMED');
    expect(r.issues[0]!.message).toMatch(/interface 3/);
    // SHB (28) + IDB with if_name vnet0 (8 + 12 + 8 + 4 = 32... computed from the file): the EPB starts where the IDB ends.
    const idbLength = new DataView(bad.buffer).getUint32(28 + 4, true);
    expect(r.issues[0]!.offset).toBe(28 + idbLength + 8);
  });
});

describe('payloads', () => {
  it('reads DHCP client identity, ARP probes and announcements, DAD and NLB heartbeats', () => {
    const ll = b.linkLocal(A);
    const packets: b.Packet[] = [
      {
        time: T0,
        data: b.ethernet(
          BCAST,
          A,
          0x0800,
          b.dhcpRequest(A, { type: 1, clientId: [1, 0x52, 0x54, 0, 0xaa, 0, 1], hostName: 'web\x1b01' }),
        ),
      },
      {
        time: T0 + 1,
        data: b.ethernet(BCAST, A, 0x0806, b.arp(1, A, '0.0.0.0', '00:00:00:00:00:00', '10.0.0.5')),
      },
      {
        time: T0 + 2,
        data: b.ethernet(BCAST, A, 0x0806, b.arp(1, A, '10.0.0.5', '00:00:00:00:00:00', '10.0.0.5')),
      },
      {
        time: T0 + 3,
        data: b.ethernet('33:33:ff:aa:00:01', A, 0x86dd, b.ndp(135, b.UNSPECIFIED, b.solicitedNode(ll), ll)),
      },
      {
        time: T0 + 3.2,
        data: b.ethernet('33:33:00:00:00:01', A, 0x86dd, b.ndp(136, ll, b.ALL_NODES, ll, 0x20)),
      },
      {
        time: T0 + 4,
        data: b.ethernet(
          '03:bf:0a:00:00:32',
          '02:01:0a:00:00:32',
          0x886f,
          b.nlbHeartbeat(1, '10.0.0.50', '10.0.0.7'),
        ),
      },
    ];
    const r = observe(b.pcapFile(packets));
    const a = r.observations.find((o) => o.mac === A)!;
    expect(a.seenAs).toEqual(['frame', 'arp', 'arp-probe', 'arp-announcement', 'dhcp', 'ndp', 'dad-probe']);
    expect(a.dhcp).toEqual({
      clientIds: ['01:52:54:00:aa:00:01'],
      hostNames: ['web\\x1b01'],
      messages: ['DISCOVER'],
    });
    expect(a.dad).toEqual({ probes: 1, defended: 1 });
    expect(a.ips).toEqual(['10.0.0.5']);
    const nlb = r.observations.find((o) => o.mac === '02:01:0a:00:00:32')!;
    expect(nlb.nlb).toEqual({ vip: '10.0.0.50', priority: 1 });
  });

  it('does not count a solicited advertisement, or one long after the probe, as a DAD defence', () => {
    const ll = b.linkLocal(A);
    const packets: b.Packet[] = [
      {
        time: T0,
        data: b.ethernet('33:33:ff:aa:00:01', A, 0x86dd, b.ndp(135, b.UNSPECIFIED, b.solicitedNode(ll), ll)),
      },
      { time: T0 + 0.1, data: b.ethernet(B, A, 0x86dd, b.ndp(136, ll, b.linkLocal(B), ll, 0x60)) },
      {
        time: T0 + 5,
        data: b.ethernet('33:33:00:00:00:01', A, 0x86dd, b.ndp(136, ll, b.ALL_NODES, ll, 0x20)),
      },
    ];
    const a = observe(b.pcapFile(packets)).observations.find((o) => o.mac === A)!;
    expect(a.dad).toEqual({ probes: 1, defended: 0 });
  });
});

describe('streaming', () => {
  it('gives the same result for any chunking, holding only an unfinished record', () => {
    const packets = Array.from({ length: 50 }, (_, i) => arpFrame(i % 2 ? A : B, `10.0.0.${i}`, T0 + i));
    for (const file of [b.pcapFile(packets), b.pcapngSection([{ name: 'vnet0' }], packets)]) {
      const whole = observe(file);
      for (const size of [1, 3, 7, 64, 1000]) {
        const o = new FrameObserver();
        const reader = new CaptureReader(o);
        for (let i = 0; i < file.length; i += size) reader.push(file.subarray(i, i + size));
        expect(reader.end()).toEqual([]);
        expect(o.result(ctx)).toEqual({ observations: whole.observations, moves: whole.moves });
      }
    }
  });
});

describe('bad input', () => {
  const good = b.pcapFile([arpFrame(A, '10.0.0.5', T0), arpFrame(B, '10.0.0.6', T0 + 1)]);

  it('a capture cut short: the frames before it, and the offset of the cut record', () => {
    const r = observe(good.subarray(0, good.length - 5));
    expect(r.observations.map((o) => o.mac)).toEqual([A]);
    expect(r.issues).toEqual([
      {
        offset: 24 + 16 + 60,
        code: 'TRUNCATED',
        message: expect.stringMatching(/cut short: 71 of 76 bytes/),
      },
    ]);
  });

  it('a record length no pcap can have ends the capture at that offset', () => {
    const bad = good.slice();
    new DataView(bad.buffer).setUint32(24 + 8, 0x7fffffff, true);
    const r = observe(bad);
    expect(r.observations).toEqual([]);
    expect(r.issues).toEqual([
      { offset: 32, code: 'MALFORMED', message: expect.stringMatching(/captured length 2147483647/) },
    ]);
  });

  it('pcapng: a trailing length that differs, a block length not a multiple of 4', () => {
    const ng = b.pcapngSection([{ name: 'vnet0' }], [arpFrame(A, '10.0.0.5', T0)]);
    const bad = ng.slice();
    const v = new DataView(bad.buffer);
    v.setUint32(bad.length - 4, 12345, true);
    expect(observe(bad).issues).toEqual([
      { offset: bad.length - 4, code: 'MALFORMED', message: expect.stringMatching(/trailing length 12345/) },
    ]);
    const odd = ng.slice();
    new DataView(odd.buffer).setUint32(28 + 4, 30, true);
    expect(observe(odd).issues[0]).toMatchObject({ offset: 32, code: 'MALFORMED' });
  });

  it('not a capture, an empty file', () => {
    expect(observe(new TextEncoder().encode('hello world')).issues[0]).toMatchObject({
      offset: 0,
      code: 'MALFORMED',
    });
    expect(observe(new Uint8Array(0)).issues[0]).toMatchObject({ offset: 0, code: 'TRUNCATED' });
    expect(observe(new Uint8Array([0xd4, 0xc3])).issues[0]).toMatchObject({ offset: 0, code: 'TRUNCATED' });
  });
});
