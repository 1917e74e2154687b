import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as b from '../../../test/helpers/capture-builder.js';
import { CaptureReader } from './capture-reader.js';
import { FrameObserver } from './frame-observer.js';

const ctx = { name: 'fuzz', host: null, segment: null, uplinks: [], takenAt: null };
const T0 = 1_764_000_000;

const seedPackets: b.Packet[] = [
  {
    time: T0,
    data: b.ethernet(
      'ff:ff:ff:ff:ff:ff',
      '52:54:00:aa:00:01',
      0x0806,
      b.arp(1, '52:54:00:aa:00:01', '10.0.0.5', '00:00:00:00:00:00', '10.0.0.1'),
      [10],
    ),
  },
  {
    time: T0 + 1,
    data: b.ethernet(
      'ff:ff:ff:ff:ff:ff',
      '52:54:00:aa:00:02',
      0x0800,
      b.dhcpRequest('52:54:00:aa:00:02', { type: 3, clientId: [1, 2, 3], hostName: 'x' }),
    ),
  },
  {
    time: T0 + 2,
    data: b.ethernet(
      '33:33:ff:aa:00:01',
      '52:54:00:aa:00:01',
      0x86dd,
      b.ndp(135, b.UNSPECIFIED, b.ALL_NODES, b.linkLocal('52:54:00:aa:00:01')),
    ),
  },
  {
    time: T0 + 3,
    data: b.ethernet(
      '03:bf:0a:00:00:32',
      '02:01:0a:00:00:32',
      0x886f,
      b.nlbHeartbeat(1, '10.0.0.50', '10.0.0.7'),
    ),
  },
];
const seeds = [
  b.pcapFile(seedPackets),
  b.pcapFile(seedPackets, { le: false, nano: true }),
  b.pcapngSection(
    [{ name: 'vnet0' }, { name: 'eth0', tsresol: 9 }],
    seedPackets.map((p, i) => ({ ...p, iface: i % 2 })),
  ),
  b.pcapngSection([{}], seedPackets, { simple: true, le: false }),
];

/** Read in chunks; must end (no exception, no hang) with issues inside the input. */
function read(bytes: Uint8Array, chunk: number) {
  const o = new FrameObserver();
  const r = new CaptureReader(o);
  for (let i = 0; i < bytes.length; i += chunk) r.push(bytes.subarray(i, i + chunk));
  const issues = r.end();
  for (const i of issues) {
    expect(i.offset).toBeGreaterThanOrEqual(0);
    expect(i.offset).toBeLessThanOrEqual(bytes.length);
  }
  return { issues, result: o.result(ctx), frames: o.frames };
}

describe('capture readers under fuzzing', () => {
  it('random bytes behind a capture magic never throw', () => {
    const magic = fc.constantFrom(
      [0xd4, 0xc3, 0xb2, 0xa1],
      [0xa1, 0xb2, 0xc3, 0xd4],
      [0x4d, 0x3c, 0xb2, 0xa1],
      [0x0a, 0x0d, 0x0d, 0x0a],
    );
    fc.assert(
      fc.property(
        magic,
        fc.uint8Array({ maxLength: 600 }),
        fc.integer({ min: 1, max: 97 }),
        (m, rest, chunk) => {
          read(Uint8Array.from([...m, ...rest]), chunk);
        },
      ),
      { numRuns: 400, seed: 15 },
    );
  });

  it('mutated and cut real captures never throw, and chunking never changes the result', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...seeds),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
        fc.nat(),
        fc.integer({ min: 1, max: 50 }),
        (seed, flips, cut, chunk) => {
          const bytes = seed.slice(0, seed.length - (cut % 40));
          for (const [at, v] of flips) bytes[at % bytes.length] = v;
          const whole = read(bytes, bytes.length || 1);
          const chunked = read(bytes, chunk);
          expect(chunked.result).toEqual(whole.result);
          expect(chunked.frames).toBe(whole.frames);
          expect(chunked.issues).toEqual(whole.issues);
        },
      ),
      { numRuns: 400, seed: 2026 },
    );
  });
});
