/** A crypto-backed Random for the outer layers (the pure core takes any Random; tests pass a seeded one). */
import { randomBytes } from 'node:crypto';
import type { Random } from './random.js';

export function cryptoRandom(): Random {
  let buf = randomBytes(1024);
  let at = 0;
  return {
    nextUint32() {
      if (at + 4 > buf.length) {
        buf = randomBytes(1024);
        at = 0;
      }
      const v = buf.readUInt32BE(at);
      at += 4;
      return v;
    },
  };
}
