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
});
