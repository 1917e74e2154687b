/**
 * An open-addressing hash table from a 48-bit MAC (a double) to a value: the per-frame lookup of the
 * capture hot path. A `Map` with MAC keys hashes boxed doubles (MACs exceed the small-integer range);
 * this one hashes the two 32-bit halves and compares doubles in a Float64Array. Grows at half full.
 */
export class MacTable<V> {
  private keys = new Float64Array(1024);
  private values: (V | undefined)[] = new Array<V | undefined>(1024);
  private mask = 1023;
  size = 0;

  get(mac: number): V | undefined {
    let i = slotOf(mac) & this.mask;
    for (;;) {
      const v = this.values[i];
      if (v === undefined || this.keys[i] === mac) return v;
      i = (i + 1) & this.mask;
    }
  }

  /** Add a MAC that is not in the table. */
  add(mac: number, value: V): void {
    if ((this.size + 1) * 2 > this.values.length) this.grow();
    let i = slotOf(mac) & this.mask;
    while (this.values[i] !== undefined) i = (i + 1) & this.mask;
    this.keys[i] = mac;
    this.values[i] = value;
    this.size++;
  }

  *entries(): Generator<[number, V]> {
    for (let i = 0; i < this.values.length; i++) {
      const v = this.values[i];
      if (v !== undefined) yield [this.keys[i]!, v];
    }
  }

  private grow(): void {
    const old = [...this.entries()];
    const n = this.values.length * 2;
    this.keys = new Float64Array(n);
    this.values = new Array<V | undefined>(n);
    this.mask = n - 1;
    this.size = 0;
    for (const [k, v] of old) this.add(k, v);
  }
}

/** Mix the high 16 and low 32 bits of a MAC (`| 0` takes a double modulo 2^32). */
const slotOf = (mac: number): number =>
  Math.imul((mac | 0) ^ (((mac / 4294967296) | 0) * 0x85ebca6b), 0x9e3779b1) >>> 7;
