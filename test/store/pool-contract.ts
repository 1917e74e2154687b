/** The pool part of the Store contract: the database allocator must answer exactly as the pure one. */
import { expect, it } from 'vitest';
import { MacfleetError } from '../../src/errors.js';
import { macFromNumber, parseMac, type Mac } from '../../src/mac/index.js';
import { seededRandom, randomInt, type Clock } from '../../src/random.js';
import { verifyFreeList } from '../../src/store/pool/free-list.js';
import { PoolStore } from '../../src/store/pool-store.js';
import { BruteForcePool } from '../helpers/brute-force-pool.js';
import type { ContractSuite } from './store-contract.js';

const BASE = 0x0a1b2c000000;
const m = (offset: number): Mac => macFromNumber(BASE + offset);

class TestClock implements Clock {
  constructor(public t = 1_700_000_000_000) {}
  now(): number {
    return this.t;
  }
}

const codeOf = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p;
  } catch (e) {
    if (e instanceof MacfleetError) return e.code;
    throw e;
  }
  return 'ok';
};

export const poolSuite: ContractSuite = {
  name: 'pools and allocations',
  run: (open) => {
    it('creates pools, shows utilisation, refuses overlaps unless forced', async () => {
      const pools = new PoolStore(await open(), new TestClock());
      const info = await pools.createPool({
        name: 'lab',
        ranges: ['0a:1b:2c:00:00:00-0a:1b:2c:00:00:ff'],
        exclusions: ['0a:1b:2c:00:00:10-0a:1b:2c:00:00:1f'],
        isDefault: true,
      });
      expect(info).toMatchObject({
        name: 'lab',
        isDefault: true,
        size: 240,
        used: 0,
        free: 240,
        quarantined: 0,
      });
      await expect(pools.createPool({ name: 'lab2', ranges: ['0a:1b:2c:00:00:f0/44'] })).rejects.toThrow(
        /overlaps pool lab on 0a:1b:2c:00:00:f0-0a:1b:2c:00:00:ff; pass --force/,
      );
      expect(await codeOf(pools.createPool({ name: 'lab', ranges: ['0e:00:00:00:00:00/40'] }))).toBe(
        'ALREADY_EXISTS',
      );
      expect(await codeOf(pools.createPool({ name: 'mc', ranges: ['03:00:00:00:00:00/40'] }))).toBe(
        'INVALID_RANGE',
      );
      const forced = await pools.createPool(
        { name: 'lab2', ranges: ['0a:1b:2c:00:00:f0/44'] },
        { force: true },
      );
      expect(forced.size).toBe(16);
      expect((await pools.listPools()).map((p) => p.name)).toEqual(['lab', 'lab2']);
      const nlb = await pools.createPool({ name: 'nlb', ranges: ['02:00:00:00:00:00/8'] });
      expect(nlb.size).toBe(2 ** 40 - 2 ** 32 - 32 * 2 ** 32);
    });

    it('allocates exactly as a brute-force pool does, through releases, reservations, quarantine and keys', async () => {
      const clock = new TestClock();
      const pools = new PoolStore(await open(), clock);
      await pools.createPool({
        name: 'p',
        ranges: ['0a:1b:2c:00:00:00-0a:1b:2c:00:00:63', '0a:1b:2c:00:01:00-0a:1b:2c:00:01:1f'],
        exclusions: ['0a:1b:2c:00:00:20-0a:1b:2c:00:00:27'],
        quarantineMs: 5000,
      });
      // The model shares no code with src/pool: the covered MACs written out by hand.
      const covered: number[] = [];
      for (let i = 0; i <= 0x63; i++) if (i < 0x20 || i > 0x27) covered.push(BASE + i);
      for (let i = 0x100; i <= 0x11f; i++) covered.push(BASE + i);
      const model = new BruteForcePool(covered, BASE, 5000);
      const random = seededRandom(7);
      const held: Mac[] = [];
      for (let step = 0; step < 100; step++) {
        const r = randomInt(random, 10);
        if (r < 5) {
          const count = 1 + randomInt(random, 12);
          const key = randomInt(random, 3) === 0 ? `k${randomInt(random, 4)}` : null;
          const expected = model.allocate(count, key, clock.t);
          const got = await pools.allocate({ pool: 'p', count, owner: `vm-${step}`, key }).then(
            (a) => [...a.macs],
            (e: MacfleetError) => e.code,
          );
          expect(got, `step ${step}`).toEqual(expected);
          if (Array.isArray(got)) held.push(...got.filter((x) => !held.includes(x)));
        } else if (r < 8 && held.length > 0) {
          const [mac] = held.splice(randomInt(random, held.length), 1) as [Mac];
          expect(await codeOf(pools.release(mac)), `step ${step}`).toBe(model.release(mac, clock.t));
        } else if (r < 9) {
          const mac = m(randomInt(random, 0x130));
          const expected = model.reserve(mac, clock.t);
          expect(await codeOf(pools.reserve(mac, 'r')), `step ${step}`).toBe(expected);
          if (expected === 'ok') held.push(mac);
        } else {
          clock.t += 2000;
        }
        const info = await pools.showPool('p');
        const stats = model.stats(clock.t);
        expect({ free: info.free, quarantined: info.quarantined }, `step ${step}`).toEqual(stats);
      }
    });

    it('issue 16 #1: refuses to replay a key whose MAC was released and is now held by someone else', async () => {
      const pools = new PoolStore(await open(), new TestClock());
      await pools.createPool({ name: 't', ranges: ['0a:00:00:00:09:00-0a:00:00:00:09:00'], quarantineMs: 0 });
      const mine = parseMac('0a:00:00:00:09:00');
      expect((await pools.allocate({ pool: 't', owner: 'alice', key: 'a1' })).macs).toEqual([mine]);
      await pools.release(mine);
      expect((await pools.allocate({ pool: 't', owner: 'bob', key: 'b1' })).macs).toEqual([mine]);
      await expect(pools.allocate({ pool: 't', owner: 'alice', key: 'a1' })).rejects.toMatchObject({
        code: 'ALLOCATION_RELEASED',
        message: expect.stringContaining('0a:00:00:00:09:00') as string,
      });
      expect((await pools.allocate({ pool: 't', owner: 'bob', key: 'b1' })).replayed).toBe(true);
      expect((await pools.whois(mine)).holding?.owner).toBe('bob');
    });

    it('splits a free span in the middle and keeps the free list consistent', async () => {
      const store = await open();
      const pools = new PoolStore(store, new TestClock());
      await pools.createPool({ name: 's', ranges: ['0a:1b:2c:00:00:00-0a:1b:2c:00:00:09'], quarantineMs: 0 });
      expect((await pools.allocate({ pool: 's', count: 3 })).macs).toEqual([m(0), m(1), m(2)]);
      await pools.release(m(2)); // free list: 2..9, cursor at 3
      expect((await pools.allocate({ pool: 's' })).macs).toEqual([m(3)]); // leaves 2..2 and 4..9
      expect((await pools.allocate({ pool: 's', count: 6 })).macs).toEqual([4, 5, 6, 7, 8, 9].map(m));
      expect((await pools.allocate({ pool: 's' })).macs).toEqual([m(2)]);
      const problems = await store.transaction(async (tx) =>
        verifyFreeList(tx, (await tx.get<{ id: number }>("SELECT id FROM pools WHERE name = 's'"))!.id),
      );
      expect(problems).toEqual([]);
      expect(await codeOf(pools.allocate({ pool: 's' }))).toBe('POOL_EXHAUSTED');
    });

    it('fails with POOL_EXHAUSTED naming the pool and its size, all or nothing', async () => {
      const pools = new PoolStore(await open(), new TestClock());
      await pools.createPool({ name: 'tiny', ranges: ['0a:1b:2c:00:00:00-0a:1b:2c:00:00:09'] });
      await pools.allocate({ pool: 'tiny', count: 8 });
      await expect(pools.allocate({ pool: 'tiny', count: 3 })).rejects.toThrow(
        'pool tiny is exhausted: 3 requested, 2 free of 10 addresses',
      );
      expect((await pools.allocate({ pool: 'tiny', count: 2 })).macs).toEqual([m(8), m(9)]);
      expect(await codeOf(pools.allocate({ pool: 'nope' }))).toBe('NOT_FOUND');
    });

    it('returns the same MACs for the same idempotency key', async () => {
      const pools = new PoolStore(await open(), new TestClock());
      await pools.createPool({ name: 'k', ranges: ['0a:1b:2c:00:00:00/40'], isDefault: true });
      const a = await pools.allocate({ count: 3, key: 'vm-1', owner: 'vm-1' });
      await pools.allocate({ count: 2 });
      const b = await pools.allocate({ count: 3, key: 'vm-1', owner: 'vm-1' });
      expect(b).toEqual({ ...a, replayed: true });
      expect(a.replayed).toBe(false);
      expect(await codeOf(pools.allocate({ count: 4, key: 'vm-1' }))).toBe('ALREADY_EXISTS');
    });

    it('reserves a specific MAC, names the holder on conflict, and keeps the history', async () => {
      const clock = new TestClock();
      const pools = new PoolStore(await open(), clock);
      await pools.createPool({
        name: 'r',
        ranges: ['0a:1b:2c:00:00:00-0a:1b:2c:00:00:03'],
        quarantineMs: 1000,
      });
      await pools.reserve(m(1), 'router');
      await expect(pools.reserve(m(1), 'other')).rejects.toThrow(
        /0a:1b:2c:00:00:01 is already reserved by "router" \(pool r\)/,
      );
      expect((await pools.allocate({ pool: 'r', count: 3, owner: 'vm' })).macs).toEqual([m(0), m(2), m(3)]);
      await pools.release(m(2));
      expect(await codeOf(pools.release(m(2)))).toBe('NOT_FOUND');
      expect(await codeOf(pools.allocate({ pool: 'r' }))).toBe('POOL_EXHAUSTED');
      clock.t += 1000;
      expect((await pools.allocate({ pool: 'r', owner: 'vm2' })).macs).toEqual([m(2)]);
      const who = await pools.whois(m(2));
      expect(who.holding).toMatchObject({ state: 'allocated', owner: 'vm2', pool: 'r' });
      expect(who.pools).toEqual([{ name: 'r', excluded: false }]);
      expect(who.history.map((h) => [h.event, h.owner])).toEqual([
        ['allocated', 'vm'],
        ['released', 'vm'],
        ['allocated', 'vm2'],
      ]);
      // Outside every pool: recorded, and a later pool over it leaves it out.
      const outside = parseMac('0e:00:00:00:00:05');
      await pools.reserve(outside, 'legacy', 'in_use');
      const later = await pools.createPool({
        name: 'later',
        ranges: ['0e:00:00:00:00:00-0e:00:00:00:00:09'],
      });
      expect(later).toMatchObject({ size: 10, free: 9, used: 1 });
      expect((await pools.allocate({ pool: 'later', count: 9 })).macs).not.toContain(outside);
    });

    it('never hands out one MAC twice to concurrent callers of one store', async () => {
      const pools = new PoolStore(await open(), new TestClock());
      await pools.createPool({ name: 'c', ranges: ['0a:1b:2c:00:00:00-0a:1b:2c:00:00:ff'] });
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) => pools.allocate({ pool: 'c', count: 1 + (i % 3) })),
      );
      const all = results.flatMap((r) => r.macs);
      expect(new Set(all).size).toBe(all.length);
      expect(all).toHaveLength(60);
    });

    it('shares forced overlaps without handing a MAC out twice', async () => {
      const pools = new PoolStore(await open(), new TestClock());
      await pools.createPool({ name: 'a', ranges: ['0a:1b:2c:00:00:00-0a:1b:2c:00:00:0f'], quarantineMs: 0 });
      await pools.createPool(
        { name: 'b', ranges: ['0a:1b:2c:00:00:08-0a:1b:2c:00:00:17'], quarantineMs: 0 },
        { force: true },
      );
      const got: Mac[] = [];
      for (let i = 0; i < 6; i++) got.push(...(await pools.allocate({ pool: 'b', count: 2 })).macs);
      got.push(...(await pools.allocate({ pool: 'a', count: 4 })).macs);
      // b took 0a:..:08..13; a has 0..7 free: the overlap part is gone from its list when it gets there.
      expect(await codeOf(pools.allocate({ pool: 'a', count: 5 }))).toBe('POOL_EXHAUSTED');
      got.push(...(await pools.allocate({ pool: 'a', count: 4 })).macs);
      got.push(...(await pools.allocate({ pool: 'b', count: 4 })).macs);
      expect(new Set(got).size).toBe(got.length);
      expect(got).toHaveLength(24);
      expect(await codeOf(pools.allocate({ pool: 'a' }))).toBe('POOL_EXHAUSTED');
      expect(await codeOf(pools.allocate({ pool: 'b' }))).toBe('POOL_EXHAUSTED');
    });

    it('answers each request of a group commit on its own: refusals, replays, all or nothing', async () => {
      const pools = new PoolStore(await open(), new TestClock());
      await pools.createPool({ name: 'g', ranges: ['0a:1b:2c:00:00:00-0a:1b:2c:00:00:09'] });
      const settled = await Promise.allSettled([
        pools.allocate({ pool: 'g', count: 3, key: 'a' }),
        pools.allocate({ pool: 'g', count: 100 }),
        pools.allocate({ pool: 'g', count: 2, owner: 'b' }),
        pools.allocate({ pool: 'g', count: 3, key: 'a' }),
        pools.allocate({ pool: 'g', count: 4, key: 'a' }),
        pools.allocate({ pool: 'g', count: 0 }),
      ]);
      const view = settled.map((r) =>
        r.status === 'fulfilled' ? r.value.macs : (r.reason as MacfleetError).code,
      );
      expect(view).toEqual([
        [m(0), m(1), m(2)],
        'POOL_EXHAUSTED',
        [m(3), m(4)],
        [m(0), m(1), m(2)],
        'ALREADY_EXISTS',
        'INVALID_ARGUMENT',
      ]);
      expect((await pools.whois(m(3))).holding?.owner).toBe('b');
      expect(await pools.showPool('g')).toMatchObject({ used: 5, free: 5 });
    });
  },
};
