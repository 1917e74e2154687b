import { describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMIT, RateLimiter } from './rate-limit.js';

describe('RateLimiter', () => {
  it('lets a sustained 4,000 requests/s from one token through with the default, for 10 s', () => {
    const limiter = new RateLimiter();
    let refused = 0;
    for (let ms = 0; ms < 10_000; ms++)
      for (let i = 0; i < 4; i++) refused += limiter.take('t', ms) > 0 ? 1 : 0;
    expect(refused).toBe(0);
    expect(DEFAULT_RATE_LIMIT.perSecond).toBeGreaterThanOrEqual(4000);
  });

  it('refuses past the burst, says when to retry, and refills', () => {
    const limiter = new RateLimiter({ perSecond: 2, burst: 2 });
    expect([limiter.take('a', 0), limiter.take('a', 0), limiter.take('a', 0)]).toEqual([0, 0, 1]);
    expect(limiter.take('b', 0)).toBe(0);
    expect(limiter.take('a', 499)).toBe(1);
    expect(limiter.take('a', 1000)).toBe(0);
    const slow = new RateLimiter({ perSecond: 0.1, burst: 1 });
    expect([slow.take('a', 0), slow.take('a', 0)]).toEqual([0, 10]);
  });

  it('forgets callers whose buckets have refilled, so many callers do not grow it without end', () => {
    const limiter = new RateLimiter({ perSecond: 10, burst: 10 });
    for (let i = 0; i < 5000; i++) limiter.take(`t${i}`, i * 10);
    // Every caller used one token and refills in 100 ms: at most the last ~10 ms-apart callers remain,
    // plus the ones added since the last sweep.
    expect(limiter.size).toBeLessThanOrEqual(1024);
    const busy = new RateLimiter({ perSecond: 1, burst: 1 });
    for (let i = 0; i < 2000; i++) busy.take(`t${i}`, 0);
    // Nobody has refilled yet: nothing may be forgotten (forgetting would hand out a fresh burst).
    expect(busy.size).toBe(2000);
    expect(busy.take('t0', 0)).toBe(1);
  });
});
