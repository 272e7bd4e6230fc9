/**
 * Which numeric keys came before, for memos on the per-call path that should keep an entry only for what comes
 * back: `again(key)` is true when `key` is the last key seen in its slot (it came before, and no other key of its
 * slot since), else false, and it remembers `key` then. A memo that stores on the second sight keeps the callers
 * that return and nothing of the many heard once, whose entries would only survive into the old generation to be
 * collected there. A direct-mapped table of doubles: O(1), no allocation, a fixed 8 bytes a slot.
 */
export class SecondSight {
  private readonly keys: Float64Array;
  private readonly mask: number;

  /** `slots`: a power of two. */
  constructor(slots = 1 << 14) {
    this.keys = new Float64Array(slots).fill(NaN);
    this.mask = slots - 1;
  }

  again(key: number): boolean {
    const slot = hashDouble(key) & this.mask;
    if (this.keys[slot] === key) return true;
    this.keys[slot] = key;
    return false;
  }
}

/**
 * Spreads a double's low and high 32 bits over an unsigned 32-bit slot hash (integers up to 2^53 differ in it); also
 * the mark table's slot hash.
 */
export function hashDouble(key: number): number {
  const lo = key >>> 0;
  const hi = Math.floor(key / 4294967296) >>> 0;
  let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
