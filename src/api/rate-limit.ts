/**
 * A token bucket per caller: `burst` requests at once, refilled at `perSecond`. The default
 * (5,000/s, burst 10,000) lets a provisioning burst of a few thousand requests per second from one token
 * through and still stops a runaway client. A refused request learns when one token is back
 * (`Retry-After`, whole seconds, at least 1).
 */
export interface RateLimitOptions {
  readonly perSecond: number;
  readonly burst: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = { perSecond: 5000, burst: 10_000 };

export class RateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  #sweepAt = SWEEP_AT;

  constructor(readonly options: RateLimitOptions = DEFAULT_RATE_LIMIT) {}

  /** 0 when the request may go on, else the seconds to wait. */
  take(who: string, now: number): number {
    const { perSecond, burst } = this.options;
    const b = this.#buckets.get(who) ?? { tokens: burst, at: now };
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * perSecond);
    b.at = now;
    if (!this.#buckets.has(who)) {
      if (this.#buckets.size >= this.#sweepAt) this.#sweep(now);
      this.#buckets.set(who, b);
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / perSecond));
  }

  /** Forget the buckets that have refilled (a full bucket and no bucket mean the same). */
  #sweep(now: number): void {
    const { perSecond, burst } = this.options;
    for (const [who, b] of this.#buckets)
      if (b.tokens + ((now - b.at) / 1000) * perSecond >= burst) this.#buckets.delete(who);
    // Next sweep when the map has doubled again: amortised O(1) per caller even if none refills.
    this.#sweepAt = Math.max(SWEEP_AT, this.#buckets.size * 2);
  }

  /** How many callers have a bucket (for tests and metrics). */
  get size(): number {
    return this.#buckets.size;
  }
}

/** Buckets kept before refilled ones are swept (callers are tokens, so this is rarely reached). */
const SWEEP_AT = 1024;
