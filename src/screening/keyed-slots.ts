/**
 * An open-addressing hash table of integer keys (exact in a double: up to 2^53) to rows of typed-array columns,
 * for the prefix tree's block nodes and members: 8 bytes of key plus the columns' bytes per slot, no object per
 * entry. Linear probing, capacity a power of two, grown ×2 past 3/4 full; `retain` rebuilds without the rows it
 * drops (no tombstones). Key 0 marks an empty slot, so keys must be ≥ 1.
 *
 * A slot index is valid until the next `insert` or `retain` (both may move rows).
 */

const MIN_CAPACITY = 64;

export interface ColumnSpec {
  f32: number;
  u32: number;
  u8: number;
}

function hash(key: number): number {
  const lo = key >>> 0;
  const hi = (key / 4294967296) >>> 0;
  let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export class KeyedSlots {
  keys: Float64Array;
  readonly f32: Float32Array[];
  readonly u32: Uint32Array[];
  readonly u8: Uint8Array[];
  private count = 0;
  private mask: number;

  constructor(
    private readonly spec: ColumnSpec,
    capacity = MIN_CAPACITY,
  ) {
    let cap = MIN_CAPACITY;
    while (cap < capacity) cap *= 2;
    this.mask = cap - 1;
    this.keys = new Float64Array(cap);
    this.f32 = Array.from({ length: spec.f32 }, () => new Float32Array(cap));
    this.u32 = Array.from({ length: spec.u32 }, () => new Uint32Array(cap));
    this.u8 = Array.from({ length: spec.u8 }, () => new Uint8Array(cap));
  }

  get size(): number {
    return this.count;
  }

  get capacity(): number {
    return this.keys.length;
  }

  /** Bytes held by the key and column arrays. */
  get byteLength(): number {
    const perSlot = 8 + 4 * this.spec.f32 + 4 * this.spec.u32 + this.spec.u8;
    return perSlot * this.keys.length;
  }

  /** The slot of `key`, or -1. */
  find(key: number): number {
    const keys = this.keys;
    let i = hash(key) & this.mask;
    for (;;) {
      const k = keys[i]!;
      if (k === key) return i;
      if (k === 0) return -1;
      i = (i + 1) & this.mask;
    }
  }

  /** The slot of `key`, added with zeroed columns when absent. */
  insert(key: number): number {
    if (!(key >= 1) || !Number.isSafeInteger(key)) throw new RangeError(`key must be a safe integer ≥ 1, got ${key}`);
    if ((this.count + 1) * 4 > this.keys.length * 3) this.rehash(this.keys.length * 2, null);
    const keys = this.keys;
    let i = hash(key) & this.mask;
    for (;;) {
      const k = keys[i]!;
      if (k === key) return i;
      if (k === 0) break;
      i = (i + 1) & this.mask;
    }
    keys[i] = key;
    this.count++;
    return i;
  }

  /**
   * Keeps the rows for which `keep(slot)` is true (asked once per row, before anything moves), in a table sized to
   * be at most half full. Returns how many rows were dropped.
   */
  retain(keep: (slot: number) => boolean): number {
    const keys = this.keys;
    const kept = new Uint8Array(keys.length);
    let count = 0;
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] !== 0 && keep(i)) {
        kept[i] = 1;
        count++;
      }
    }
    const dropped = this.count - count;
    if (dropped === 0) return 0;
    let cap = MIN_CAPACITY;
    while (count * 2 > cap) cap *= 2;
    this.rehash(cap, kept);
    return dropped;
  }

  /** Calls `visit(slot, key)` for every row. */
  forEach(visit: (slot: number, key: number) => void): void {
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      if (k !== 0) visit(i, k);
    }
  }

  private rehash(capacity: number, kept: Uint8Array | null): void {
    const oldKeys = this.keys;
    const oldF32 = this.f32.slice();
    const oldU32 = this.u32.slice();
    const oldU8 = this.u8.slice();
    this.keys = new Float64Array(capacity);
    this.mask = capacity - 1;
    for (let c = 0; c < this.f32.length; c++) this.f32[c] = new Float32Array(capacity);
    for (let c = 0; c < this.u32.length; c++) this.u32[c] = new Uint32Array(capacity);
    for (let c = 0; c < this.u8.length; c++) this.u8[c] = new Uint8Array(capacity);
    let count = 0;
    for (let s = 0; s < oldKeys.length; s++) {
      const key = oldKeys[s]!;
      if (key === 0 || (kept !== null && kept[s] === 0)) continue;
      let i = hash(key) & this.mask;
      while (this.keys[i] !== 0) i = (i + 1) & this.mask;
      this.keys[i] = key;
      for (let c = 0; c < oldF32.length; c++) this.f32[c]![i] = oldF32[c]![s]!;
      for (let c = 0; c < oldU32.length; c++) this.u32[c]![i] = oldU32[c]![s]!;
      for (let c = 0; c < oldU8.length; c++) this.u8[c]![i] = oldU8[c]![s]!;
      count++;
    }
    this.count = count;
  }
}
