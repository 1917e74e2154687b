/**
 * The forwarding database: (VLAN, MAC) -> port, with the time each entry was last refreshed and a static
 * flag. Open addressing over typed arrays keyed by two int32 halves, so a lookup or a learn on the
 * switch's hot path allocates nothing and hashes no heap number (a JS Map keyed by 48-bit doubles does).
 * Aging is lazy: an expired entry reads as absent and is overwritten on the next learn; `sweep` compacts.
 */
import type { Mac } from '../mac/index.js';

const TWO32 = 2 ** 32;
const EMPTY = -1;

export class MacTable {
  private hi!: Int32Array;
  private lo!: Int32Array;
  private ports!: Int32Array;
  private seen!: Float64Array;
  private statics!: Uint8Array;
  private mask = 0;
  private used = 0;

  constructor(capacity = 256) {
    this.allocate(Math.max(16, 2 ** Math.ceil(Math.log2(capacity * 2))));
  }

  private allocate(slots: number): void {
    this.hi = new Int32Array(slots).fill(EMPTY);
    this.lo = new Int32Array(slots);
    this.ports = new Int32Array(slots);
    this.seen = new Float64Array(slots);
    this.statics = new Uint8Array(slots);
    this.mask = slots - 1;
    this.used = 0;
  }

  /** Slot index of (vlan, mac), or -1. Includes expired entries: callers check `isLive`. */
  find(vlan: number, mac: Mac): number {
    const hk = (vlan << 16) | Math.floor(mac / TWO32);
    const lk = mac | 0;
    let i = hash(hk, lk) & this.mask;
    for (;;) {
      const h = this.hi[i]!;
      if (h === EMPTY) return -1;
      if (h === hk && this.lo[i] === lk) return i;
      i = (i + 1) & this.mask;
    }
  }

  /** Insert or overwrite; returns the slot. */
  set(vlan: number, mac: Mac, port: number, now: number, isStatic = false): number {
    const hk = (vlan << 16) | Math.floor(mac / TWO32);
    const lk = mac | 0;
    let i = hash(hk, lk) & this.mask;
    for (;;) {
      const h = this.hi[i]!;
      if (h === EMPTY) break;
      if (h === hk && this.lo[i] === lk) {
        this.ports[i] = port;
        this.seen[i] = now;
        this.statics[i] = isStatic ? 1 : 0;
        return i;
      }
      i = (i + 1) & this.mask;
    }
    if ((this.used + 1) * 2 > this.mask + 1) {
      this.grow();
      return this.set(vlan, mac, port, now, isStatic);
    }
    this.hi[i] = hk;
    this.lo[i] = lk;
    this.ports[i] = port;
    this.seen[i] = now;
    this.statics[i] = isStatic ? 1 : 0;
    this.used++;
    return i;
  }

  portAt(slot: number): number {
    return this.ports[slot]!;
  }
  seenAt(slot: number): number {
    return this.seen[slot]!;
  }
  isStaticAt(slot: number): boolean {
    return this.statics[slot] === 1;
  }
  /** Refresh a slot in place (same port). */
  touch(slot: number, now: number): void {
    this.seen[slot] = now;
  }
  move(slot: number, port: number, now: number): void {
    this.ports[slot] = port;
    this.seen[slot] = now;
  }
  isLive(slot: number, now: number, agingMs: number): boolean {
    return this.statics[slot] === 1 || now - this.seen[slot]! <= agingMs;
  }

  /** Drop expired entries (and every entry of `port` when given); rebuilds the table. */
  sweep(now: number, agingMs: number, port?: number): void {
    const entries = this.entries().filter(
      (e) => (e.isStatic || now - e.seen <= agingMs) && (port === undefined || e.port !== port),
    );
    this.allocate(Math.max(16, 2 ** Math.ceil(Math.log2(Math.max(8, entries.length) * 2))));
    for (const e of entries) this.set(e.vlan, e.mac, e.port, e.seen, e.isStatic);
  }

  /** Every entry (live or expired), for display and tests. */
  entries(): { vlan: number; mac: Mac; port: number; seen: number; isStatic: boolean }[] {
    const out = [];
    for (let i = 0; i <= this.mask; i++) {
      const h = this.hi[i]!;
      if (h === EMPTY) continue;
      out.push({
        vlan: h >>> 16,
        mac: ((h & 0xffff) * TWO32 + (this.lo[i]! >>> 0)) as Mac,
        port: this.ports[i]!,
        seen: this.seen[i]!,
        isStatic: this.statics[i] === 1,
      });
    }
    return out;
  }

  get size(): number {
    return this.used;
  }

  private grow(): void {
    const old = this.entries();
    this.allocate((this.mask + 1) * 2);
    for (const e of old) this.set(e.vlan, e.mac, e.port, e.seen, e.isStatic);
  }
}

function hash(hk: number, lk: number): number {
  let h = Math.imul(lk ^ (lk >>> 16), 0x85ebca6b) ^ Math.imul(hk, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}
