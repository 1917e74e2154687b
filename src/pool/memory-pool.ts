/**
 * A pool held in memory: the pure allocator. It runs the same next-fit walk over the same run-length
 * free list as the database store, so property tests of this class speak for both, and the store's
 * contract tests compare the two MAC for MAC.
 */
import type { Mac } from '../mac/index.js';
import { checkCount, conflict, exhausted, keyMismatch, notHeld, type Holding } from './pool-errors.js';
import { poolCovers, poolSpans, poolSize, type PoolSpec } from './pool-spec.js';
import {
  cursorAfter,
  forwardSteps,
  macsOfTakes,
  remaindersAfterTakes,
  takeFromSteps,
  wrappedSteps,
} from './next-fit.js';
import {
  firstSpanEndingAtOrAfter,
  indexOfSpanContaining,
  spanMinusRun,
  spansSize,
  type Span,
} from './spans.js';

export interface AllocateRequest {
  readonly count?: number;
  readonly owner?: string | null;
  readonly key?: string | null;
}

export interface PoolStats {
  readonly size: number;
  readonly used: number;
  readonly free: number;
  readonly quarantined: number;
}

export class MemoryPool {
  /** The free list: normal spans. */
  #free: Span[];
  #cursor: number;
  readonly #held = new Map<number, Holding>();
  readonly #requests = new Map<string, { count: number; macs: Mac[] }>();
  readonly size: number;

  constructor(readonly spec: PoolSpec) {
    this.#free = poolSpans(spec);
    this.#cursor = spec.ranges[0]?.start ?? 0;
    this.size = poolSize(spec);
  }

  get cursor(): number {
    return this.#cursor;
  }
  get freeSpans(): readonly Span[] {
    return this.#free;
  }
  holding(mac: Mac): Holding | undefined {
    return this.#held.get(mac);
  }

  stats(now: number): PoolStats {
    this.expire(now);
    const free = spansSize(this.#free);
    let quarantined = 0;
    for (const h of this.#held.values())
      if (h.state === 'quarantined' && poolCovers(this.spec, h.mac)) quarantined++;
    return { size: this.size, used: this.size - free - quarantined, free, quarantined };
  }

  /** Hand out `count` MACs, all or nothing. The same `key` returns the same MACs again. */
  allocate(request: AllocateRequest, now: number): Mac[] {
    const count = request.count ?? 1;
    checkCount(count);
    if (request.key != null) {
      const previous = this.#requests.get(request.key);
      if (previous !== undefined) {
        if (previous.count !== count)
          throw keyMismatch(request.key, this.spec.name, previous.count, { pool: this.spec.name, count });
        return previous.macs;
      }
    }
    this.expire(now);
    const free = spansSize(this.#free);
    if (free < count) throw exhausted(this.spec.name, this.size, free, count, this.stats(now).quarantined);
    const i = firstSpanEndingAtOrAfter(this.#free, this.#cursor);
    const containing =
      this.#free[i] !== undefined && this.#free[i].start < this.#cursor ? this.#free[i] : undefined;
    const steps = [
      ...forwardSteps(this.#free.slice(i), this.#cursor),
      ...wrappedSteps(this.#free.slice(0, i), containing, this.#cursor),
    ];
    const { takes } = takeFromSteps(steps, count);
    for (const { span, remaining } of remaindersAfterTakes(takes)) this.#replace(span, remaining);
    this.#cursor = cursorAfter(takes, this.#cursor);
    const macs = macsOfTakes(takes) as Mac[];
    const owner = request.owner ?? null;
    for (const mac of macs) {
      this.#held.set(mac, {
        mac,
        state: 'allocated',
        pool: this.spec.name,
        owner,
        since: now,
        quarantineUntil: null,
      });
    }
    if (request.key != null) this.#requests.set(request.key, { count, macs });
    return macs;
  }

  /** Take a specific MAC; MAC_CONFLICT naming the holder when anyone holds it. */
  reserve(mac: Mac, owner: string | null, now: number, state: 'reserved' | 'in_use' = 'reserved'): void {
    this.expire(now);
    const holder = this.#held.get(mac);
    if (holder !== undefined) throw conflict(mac, holder);
    const i = indexOfSpanContaining(this.#free, mac);
    if (i >= 0) this.#replace(this.#free[i]!, spanMinusRun(this.#free[i]!, { start: mac, end: mac }));
    this.#held.set(mac, {
      mac,
      state,
      pool: poolCovers(this.spec, mac) ? this.spec.name : null,
      owner,
      since: now,
      quarantineUntil: null,
    });
  }

  /** Give a MAC back: quarantined for the pool's period, then free again. */
  release(mac: Mac, now: number): void {
    this.expire(now);
    const holder = this.#held.get(mac);
    if (holder === undefined || holder.state === 'quarantined') throw notHeld(mac);
    if (this.spec.quarantineMs === 0) {
      this.#held.delete(mac);
      this.#give(mac);
      return;
    }
    this.#held.set(mac, {
      ...holder,
      state: 'quarantined',
      since: now,
      quarantineUntil: now + this.spec.quarantineMs,
    });
  }

  /** Return MACs whose quarantine has ended to the free list. */
  expire(now: number): void {
    for (const h of this.#held.values()) {
      if (h.state === 'quarantined' && (h.quarantineUntil ?? 0) <= now) {
        this.#held.delete(h.mac);
        this.#give(h.mac);
      }
    }
  }

  #give(mac: number): void {
    if (!poolCovers(this.spec, mac) || indexOfSpanContaining(this.#free, mac) >= 0) return;
    const i = firstSpanEndingAtOrAfter(this.#free, mac);
    const before = this.#free[i - 1];
    const after = this.#free[i];
    const joinBefore = before !== undefined && before.end === mac - 1;
    const joinAfter = after !== undefined && after.start === mac + 1;
    const merged = { start: joinBefore ? before.start : mac, end: joinAfter ? after.end : mac };
    this.#free.splice(joinBefore ? i - 1 : i, (joinBefore ? 1 : 0) + (joinAfter ? 1 : 0), merged);
  }

  #replace(span: Span, remaining: readonly Span[]): void {
    const i = indexOfSpanContaining(this.#free, span.start);
    this.#free.splice(i, 1, ...remaining);
  }
}
