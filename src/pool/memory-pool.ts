/**
 * A pool held in memory: the allocation planner (planner.ts) over a free list in an array. Tests use it
 * as the reference the database stores must match; the planner itself is checked against a brute-force
 * model that shares no code with it (memory-pool.test.ts).
 */
import type { Mac } from '../mac/index.js';
import { conflict, notHeld, type Holding } from './pool-errors.js';
import { poolCovers, poolSpans, poolSize, type PoolSpec } from './pool-spec.js';
import { remaindersAfterTakes } from './next-fit.js';
import {
  decide,
  quarantineOver,
  refusalError,
  walkMacs,
  walkTakes,
  type KeyRecord,
  type PoolState,
} from './planner.js';
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
  /** The key each MAC was allocated under, while it is still held under it. */
  readonly #keyOf = new Map<number, string>();
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
    this.expire(now);
    const state = this.#state();
    const keys = new Map<string, KeyRecord>();
    const previous = request.key == null ? undefined : this.#requests.get(request.key);
    if (previous !== undefined && request.key != null) {
      const released = previous.macs.filter((m) => this.#keyOf.get(m) !== request.key);
      keys.set(request.key, { pool: this.spec.name, ...previous, released });
    }
    const [decision] = decide(state, [request], keys).decisions;
    if (decision === undefined || decision.kind === 'same-as') throw new Error('one request, one decision');
    if (decision.kind === 'replay') return [...decision.macs];
    if (decision.kind === 'refuse') throw refusalError(state, decision.refusal, this.stats(now).quarantined);
    const plan = walkTakes(this.#free, this.#cursor, decision.count);
    for (const { span, remaining } of remaindersAfterTakes(plan.takes)) this.#replace(span, remaining);
    this.#cursor = plan.cursor;
    const macs = walkMacs(plan.takes);
    for (const mac of macs) {
      this.#held.set(mac, {
        mac,
        state: 'allocated',
        pool: this.spec.name,
        owner: decision.owner,
        since: now,
        quarantineUntil: null,
      });
      if (decision.key !== null) this.#keyOf.set(mac, decision.key);
    }
    if (decision.key !== null) this.#requests.set(decision.key, { count: decision.count, macs });
    return macs;
  }

  #state(): PoolState {
    return { name: this.spec.name, size: this.size, free: spansSize(this.#free), cursor: this.#cursor };
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
    this.#keyOf.delete(mac);
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
      if (h.state === 'quarantined' && quarantineOver(h.quarantineUntil, now)) {
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
