/**
 * Time and randomness enter the pure core as parameters (DESIGN.md), so every result is reproducible.
 * `seededRandom` is a small, fast, deterministic generator (splitmix32) for tests, scenarios and benches;
 * outer layers pass `cryptoRandom()` (src/crypto-random.ts) where unpredictability matters.
 */
export interface Random {
  /** A uniformly distributed integer in [0, 2^32). */
  nextUint32(): number;
}

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
export const fixedClock = (ms: number): Clock => ({ now: () => ms });

/** Deterministic generator (splitmix32) from a 32-bit seed. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return {
    nextUint32() {
      state = (state + 0x9e3779b9) >>> 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    },
  };
}

/** A uniformly distributed integer in [0, n) for n <= 2^48, without modulo bias. */
export function randomInt(random: Random, n: number): number {
  if (n <= 0x1_0000_0000) {
    const limit = Math.floor(0x1_0000_0000 / n) * n;
    for (;;) {
      const v = random.nextUint32();
      if (v < limit) return v % n;
    }
  }
  for (;;) {
    const v = (random.nextUint32() & 0xffff) * 0x1_0000_0000 + random.nextUint32();
    const limit = Math.floor(2 ** 48 / n) * n;
    if (v < limit) return v % n;
  }
}
