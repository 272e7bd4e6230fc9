/**
 * How many marked numbers each number block holds, by label, in compact form: sorted typed arrays built once
 * at start (16 bytes per distinct block) plus small Maps for the changes since (marks set or cleared later,
 * learned members). A lookup is a binary search and two Map gets; nothing is allocated.
 *
 * With 1M marks spread over 700k blocks of ten, four Maps of numbers took ~110 MB; this takes ~12 MB.
 */
import type { MarkLabel } from '../../screening/types.js';

export class BlockCountTable {
  private keys = new Float64Array(0);
  private nuisanceBase = new Uint32Array(0);
  private trustedBase = new Uint32Array(0);
  private readonly nuisanceDelta = new Map<number, number>();
  private readonly trustedDelta = new Map<number, number>();

  /**
   * Replaces the base counts from the block prefixes of every marked number, one entry per number
   * (`nuisance` and `trusted` may be unsorted; they are sorted in place). Changes made with add() stay on top.
   */
  load(nuisance: Float64Array, trusted: Float64Array): void {
    nuisance.sort();
    trusted.sort();
    const most = nuisance.length + trusted.length;
    const keys = new Float64Array(most);
    const n = new Uint32Array(most);
    const t = new Uint32Array(most);
    let size = 0;
    let i = 0;
    let j = 0;
    while (i < nuisance.length || j < trusted.length) {
      const a = i < nuisance.length ? nuisance[i]! : Infinity;
      const b = j < trusted.length ? trusted[j]! : Infinity;
      const key = Math.min(a, b);
      let cn = 0;
      let ct = 0;
      while (i < nuisance.length && nuisance[i] === key) {
        cn++;
        i++;
      }
      while (j < trusted.length && trusted[j] === key) {
        ct++;
        j++;
      }
      keys[size] = key;
      n[size] = cn;
      t[size] = ct;
      size++;
    }
    this.keys = keys.slice(0, size);
    this.nuisanceBase = n.slice(0, size);
    this.trustedBase = t.slice(0, size);
  }

  add(key: number, label: MarkLabel, by: number): void {
    const delta = label === 'nuisance' ? this.nuisanceDelta : this.trustedDelta;
    const next = (delta.get(key) ?? 0) + by;
    if (next === 0) delta.delete(key);
    else delta.set(key, next);
  }

  nuisance(key: number): number {
    return this.nuisanceAt(this.find(key), key);
  }

  trusted(key: number): number {
    return this.trustedAt(this.find(key), key);
  }

  /** Where `key`'s base counts are (-1: none), for nuisanceAt and trustedAt: one binary search for both counts. */
  indexOf(key: number): number {
    return this.find(key);
  }

  /** The nuisance count of `key`, whose base counts are at `at` (indexOf). */
  nuisanceAt(at: number, key: number): number {
    // An empty Map is not asked: the key, a double, would be boxed for the call.
    const delta = this.nuisanceDelta.size === 0 ? 0 : (this.nuisanceDelta.get(key) ?? 0);
    return Math.max(0, (at < 0 ? 0 : this.nuisanceBase[at]!) + delta);
  }

  /** The trusted count of `key`, whose base counts are at `at` (indexOf). */
  trustedAt(at: number, key: number): number {
    const delta = this.trustedDelta.size === 0 ? 0 : (this.trustedDelta.get(key) ?? 0);
    return Math.max(0, (at < 0 ? 0 : this.trustedBase[at]!) + delta);
  }

  /**
   * The nuisance counts of the ten consecutive blocks `first`..`first + 9` (the small blocks of one large block),
   * written into `out`: one binary search for the first, then a walk along the sorted keys, instead of ten searches.
   */
  nuisanceOfTen(first: number, out: number[]): void {
    this.nuisanceOfTenAndTrusted(first, out, 0);
  }

  /**
   * nuisanceOfTen, and the trusted count of block `first + pick` (0 ≤ pick < 10) found on the same walk: a new
   * caller's blocks cost one binary search of the small blocks instead of two.
   */
  nuisanceOfTenAndTrusted(first: number, out: number[], pick: number): number {
    let at = this.lowerBound(first);
    const keys = this.keys;
    const hasDelta = this.nuisanceDelta.size > 0;
    let pickAt = -1;
    for (let i = 0; i < 10; i++) {
      const key = first + i;
      let base = 0;
      if (at < keys.length && keys[at] === key) {
        if (i === pick) pickAt = at;
        base = this.nuisanceBase[at++]!;
      }
      out[i] = Math.max(0, base + (hasDelta ? (this.nuisanceDelta.get(key) ?? 0) : 0));
    }
    return this.trustedAt(pickAt, first + pick);
  }

  /** Blocks with a base entry or a pending change (an upper bound of the blocks with members). */
  get size(): number {
    return this.keys.length + this.nuisanceDelta.size + this.trustedDelta.size;
  }

  get byteLength(): number {
    return this.keys.byteLength + this.nuisanceBase.byteLength + this.trustedBase.byteLength;
  }

  /** Index of the first key ≥ `key` (keys.length when none). */
  private lowerBound(key: number): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.keys[mid]! < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private find(key: number): number {
    let lo = 0;
    let hi = this.keys.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const k = this.keys[mid]!;
      if (k === key) return mid;
      if (k < key) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }
}
