import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Mac } from '../mac/index.js';
import { MacTable } from './mac-table.js';

describe('MacTable', () => {
  it('behaves like a Map keyed by (vlan, mac) through growth', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: 4095 }),
            fc.integer({ min: 0, max: 2 ** 48 - 1 }),
            fc.integer({ min: 0, max: 63 }),
          ),
          { maxLength: 500 },
        ),
        (ops) => {
          const t = new MacTable(4);
          const model = new Map<string, number>();
          for (const [vlan, mac, port] of ops) {
            t.set(vlan, mac as Mac, port, 0);
            model.set(`${vlan}/${mac}`, port);
          }
          expect(t.size).toBe(model.size);
          for (const [key, port] of model) {
            const [vlan, mac] = key.split('/').map(Number) as [number, number];
            const slot = t.find(vlan, mac as Mac);
            expect(slot).toBeGreaterThanOrEqual(0);
            expect(t.portAt(slot)).toBe(port);
          }
          const entries = t
            .entries()
            .map((e) => `${e.vlan}/${e.mac}`)
            .sort();
          expect(entries).toEqual([...model.keys()].sort());
        },
      ),
    );
  });

  it('sweep drops expired and per-port entries but keeps static ones', () => {
    const t = new MacTable();
    t.set(0, 1 as Mac, 1, 0);
    t.set(0, 2 as Mac, 2, 0, true);
    t.set(0, 3 as Mac, 3, 1000);
    t.sweep(1500, 1000);
    expect(
      t
        .entries()
        .map((e) => e.mac)
        .sort(),
    ).toEqual([2, 3]);
    t.sweep(1500, 1000, 3);
    expect(t.entries().map((e) => e.mac)).toEqual([2]);
  });
});
