/**
 * A pool as simply as it can be written, to check the allocation planner (src/pool/planner.ts) and the
 * database stores against: a sorted array of free MACs, a cursor, a map of holders. It shares no code
 * with src/pool: next-fit here is "the free MACs at or after the cursor, then those before it".
 * Answers are MAC lists or the error code a refusal must carry.
 */
export interface BruteHolding {
  state: 'allocated' | 'reserved' | 'quarantined';
  key: string | null;
  until: number | null;
}

export class BruteForcePool {
  free: number[];
  cursor: number;
  readonly held = new Map<number, BruteHolding>();
  readonly requests = new Map<string, { count: number; macs: number[] }>();
  readonly #covered: Set<number>;

  /** `covered`: every MAC the pool may hand out; `cursor`: where the first walk starts. */
  constructor(
    covered: readonly number[],
    cursor: number,
    readonly quarantineMs: number,
    readonly limit = 1_000_000,
  ) {
    this.free = [...covered].sort((a, b) => a - b);
    this.#covered = new Set(covered);
    this.cursor = cursor;
  }

  expire(now: number): void {
    for (const [mac, h] of [...this.held]) {
      if (h.state === 'quarantined' && h.until !== null && h.until <= now) {
        this.held.delete(mac);
        this.#giveBack(mac);
      }
    }
  }

  #giveBack(mac: number): void {
    if (!this.#covered.has(mac) || this.free.includes(mac)) return;
    this.free.push(mac);
    this.free.sort((a, b) => a - b);
  }

  allocate(count: number, key: string | null, now: number): number[] | string {
    this.expire(now);
    if (!Number.isInteger(count) || count < 1) return 'INVALID_ARGUMENT';
    if (count > this.limit) return 'LIMIT_EXCEEDED';
    if (key !== null) {
      const previous = this.requests.get(key);
      if (previous !== undefined) {
        if (previous.count !== count) return 'ALREADY_EXISTS';
        const stillHers = previous.macs.every((m) => {
          const h = this.held.get(m);
          return h !== undefined && h.state !== 'quarantined' && h.key === key;
        });
        return stillHers ? previous.macs : 'ALLOCATION_RELEASED';
      }
    }
    if (this.free.length < count) return 'POOL_EXHAUSTED';
    const order = [...this.free.filter((m) => m >= this.cursor), ...this.free.filter((m) => m < this.cursor)];
    const got = order.slice(0, count);
    this.free = this.free.filter((m) => !got.includes(m));
    this.cursor = got[got.length - 1]! + 1;
    for (const m of got) this.held.set(m, { state: 'allocated', key, until: null });
    if (key !== null) this.requests.set(key, { count, macs: got });
    return got;
  }

  reserve(mac: number, now: number): string {
    this.expire(now);
    if (this.held.has(mac)) return 'MAC_CONFLICT';
    this.free = this.free.filter((m) => m !== mac);
    this.held.set(mac, { state: 'reserved', key: null, until: null });
    return 'ok';
  }

  release(mac: number, now: number): string {
    this.expire(now);
    const h = this.held.get(mac);
    if (h === undefined || h.state === 'quarantined') return 'NOT_FOUND';
    if (this.quarantineMs === 0) {
      this.held.delete(mac);
      this.#giveBack(mac);
    } else this.held.set(mac, { state: 'quarantined', key: h.key, until: now + this.quarantineMs });
    return 'ok';
  }

  /** Free now and in quarantine (not yet over). */
  stats(now: number): { free: number; quarantined: number } {
    this.expire(now);
    let quarantined = 0;
    for (const [mac, h] of this.held) if (h.state === 'quarantined' && this.#covered.has(mac)) quarantined++;
    return { free: this.free.length, quarantined };
  }
}
