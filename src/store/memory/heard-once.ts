/**
 * Callers heard once, kept without an object each (issue 12's proxied ladder): a caller whose first event is an
 * attempt, with at most one call and one talk since, and whose key is an E.164 number. In typed arrays, in order of
 * the attempt's time (a ring), with a numeric open-addressing index onto it: nothing per caller the collector marks or
 * copies. As a CallerActivity record (caller-activity.ts) such a caller held ~450 bytes in ~8 heap objects (the Map's
 * entry and key string, the record, its attempt array, CallRecord and TalkRecord with their arrays), and a process
 * that had heard 500,000 new callers spent its collections marking and promoting millions of them.
 *
 * The ActivityTable (caller-activity.ts) owns this: any other event of the caller, or any read of its evidence, takes
 * the caller out of here into a record made exactly as the record's own writes would have made it (promotion), so a
 * rule sees the same evidence either way. Forgotten in time order once its attempt left the look-back.
 */
import { hashDouble } from '../../screening/second-sight.js';

/** DIDs kept by number (a business has a handful); a call to a DID past this many stays on the object path. */
const MAX_DIDS = 4096;
const NO_DID = -1;
const FIRST_CAPACITY = 1024;

/** What one entry holds (read before `take`). */
export interface OnceEntry {
  attemptAt: number;
  /** NaN: no call. */
  callAt: number;
  callDid: string | null;
  /** NaN: no talk. */
  talkAt: number;
  talkSeconds: number;
}

export class HeardOnce {
  /** Ring positions are sequence numbers; the arrays' slot is `seq & mask`. Live entries lie in [head, tail). */
  private head = 0;
  private tail = 0;
  private live = 0;
  // The ring's columns and index, made by `allocate` (in the constructor and grow()): one place makes them all.
  private mask!: number;
  /** The caller's number, NaN once the entry left (taken or forgotten). */
  private keys!: Float64Array;
  private attemptAt!: Float64Array;
  private callAt!: Float64Array;
  private callDid!: Int32Array;
  private talkAt!: Float64Array;
  private talkSeconds!: Float64Array;
  /** Open addressing, linear probing: a ring slot + 1, 0 empty; twice the ring's capacity. */
  private index!: Int32Array;
  private readonly dids: string[] = [];
  private readonly didIds = new Map<string, number>();

  constructor(capacity = FIRST_CAPACITY) {
    this.allocate(capacity);
  }

  /** Callers kept here. */
  get size(): number {
    return this.live;
  }

  /** Bytes of the typed arrays (for reports and the memory bench). */
  get byteLength(): number {
    return (this.mask + 1) * (8 * 5 + 4) + this.index.byteLength;
  }

  /** The slot of `key`'s entry, or -1. */
  find(key: number): number {
    if (this.live === 0) return -1;
    const index = this.index;
    const imask = index.length - 1;
    for (let i = hashDouble(key) & imask; ; i = (i + 1) & imask) {
      const at = index[i]!;
      if (at === 0) return -1;
      if (this.keys[at - 1] === key) return at - 1;
    }
  }

  /**
   * A new caller's first attempt at `time`; false (nothing kept) when it came before the latest one kept: the ring
   * stays in order of time, so that forgetting is a walk from its head. `key` must not be here already (find).
   */
  add(key: number, time: number): boolean {
    if (this.tail > this.head && time < this.attemptAt[(this.tail - 1) & this.mask]!) return false;
    if (this.tail - this.head > this.mask) this.grow();
    const slot = this.tail & this.mask;
    this.tail++;
    this.live++;
    this.keys[slot] = key;
    this.attemptAt[slot] = time;
    this.callAt[slot] = NaN;
    this.callDid[slot] = NO_DID;
    this.talkAt[slot] = NaN;
    this.talkSeconds[slot] = NaN;
    this.insertIndex(key, slot);
    return true;
  }

  /** The entry's first call; false when it has one already (or the DID cannot be kept by number). */
  setCall(slot: number, at: number, did: string | null): boolean {
    if (!Number.isNaN(this.callAt[slot]!)) return false;
    let id = NO_DID;
    if (did !== null) {
      const known = this.didIds.get(did);
      if (known !== undefined) id = known;
      else {
        if (this.dids.length >= MAX_DIDS) return false;
        id = this.dids.push(did) - 1;
        this.didIds.set(did, id);
      }
    }
    this.callAt[slot] = at;
    this.callDid[slot] = id;
    return true;
  }

  /** The entry's first talk; false when it has one already. */
  setTalk(slot: number, at: number, seconds: number): boolean {
    if (!Number.isNaN(this.talkAt[slot]!)) return false;
    this.talkAt[slot] = at;
    this.talkSeconds[slot] = seconds;
    return true;
  }

  /** The entry at `slot`, which leaves (its caller gets a record). */
  take(slot: number): OnceEntry {
    const id = this.callDid[slot]!;
    const entry: OnceEntry = {
      attemptAt: this.attemptAt[slot]!,
      callAt: this.callAt[slot]!,
      callDid: id === NO_DID ? null : this.dids[id]!,
      talkAt: this.talkAt[slot]!,
      talkSeconds: this.talkSeconds[slot]!,
    };
    this.remove(slot);
    return entry;
  }

  /**
   * Entries whose attempt is before `cutoff`, from the oldest: dropped when their call and talk are too (counted),
   * else handed to `keep` (their key string and the entry; they leave here). Returns how many were dropped.
   */
  forgetBefore(cutoff: number, keep: (key: string, entry: OnceEntry) => void): number {
    let dropped = 0;
    // The head is a kept entry (remove moves it past the left ones) or the ring is empty.
    while (this.head < this.tail) {
      const slot = this.head & this.mask;
      if (!(this.attemptAt[slot]! < cutoff)) break;
      if (this.callAt[slot]! >= cutoff || this.talkAt[slot]! >= cutoff) keep(`+${this.keys[slot]!}`, this.take(slot));
      else {
        this.remove(slot);
        dropped++;
      }
    }
    return dropped;
  }

  private remove(slot: number): void {
    this.deleteIndex(this.keys[slot]!, slot);
    this.keys[slot] = NaN;
    this.live--;
    // Left entries at the head go at once: the ring's room is its live span.
    while (this.head < this.tail && Number.isNaN(this.keys[this.head & this.mask]!)) this.head++;
  }

  private insertIndex(key: number, slot: number): void {
    const index = this.index;
    const imask = index.length - 1;
    let i = hashDouble(key) & imask;
    while (index[i] !== 0) i = (i + 1) & imask;
    index[i] = slot + 1;
  }

  /** Linear probing's deletion by moving back the entries after it that its slot kept from their home. */
  private deleteIndex(key: number, slot: number): void {
    const index = this.index;
    const imask = index.length - 1;
    let i = hashDouble(key) & imask;
    while (index[i] !== slot + 1) i = (i + 1) & imask;
    for (let j = (i + 1) & imask; index[j] !== 0; j = (j + 1) & imask) {
      const home = hashDouble(this.keys[index[j]! - 1]!) & imask;
      // Entry j may move to i when its home is not in (i, j] (cyclically).
      if (i <= j ? home <= i || home > j : home <= i && home > j) {
        index[i] = index[j]!;
        i = j;
      }
    }
    index[i] = 0;
  }

  /**
   * The live entries moved down in order (the left ones dropped), the index built again; in twice the room when more
   * than half of it is live, else in the same (callers taken out left holes).
   */
  private grow(): void {
    const capacity = 2 * this.live > this.mask + 1 ? 2 * (this.mask + 1) : this.mask + 1;
    const old = this.arrays();
    const oldMask = this.mask;
    this.allocate(capacity);
    let n = 0;
    for (let seq = this.head; seq < this.tail; seq++) {
      const from = seq & oldMask;
      const key = old.keys[from]!;
      if (Number.isNaN(key)) continue;
      this.keys[n] = key;
      this.attemptAt[n] = old.attemptAt[from]!;
      this.callAt[n] = old.callAt[from]!;
      this.callDid[n] = old.callDid[from]!;
      this.talkAt[n] = old.talkAt[from]!;
      this.talkSeconds[n] = old.talkSeconds[from]!;
      this.insertIndex(key, n);
      n++;
    }
    this.head = 0;
    this.tail = n;
  }

  /** Empty columns and index for `capacity` entries (a power of two). */
  private allocate(capacity: number): void {
    this.mask = capacity - 1;
    this.keys = new Float64Array(capacity);
    this.attemptAt = new Float64Array(capacity);
    this.callAt = new Float64Array(capacity);
    this.callDid = new Int32Array(capacity);
    this.talkAt = new Float64Array(capacity);
    this.talkSeconds = new Float64Array(capacity);
    this.index = new Int32Array(2 * capacity);
  }

  private arrays() {
    return {
      keys: this.keys,
      attemptAt: this.attemptAt,
      callAt: this.callAt,
      callDid: this.callDid,
      talkAt: this.talkAt,
      talkSeconds: this.talkSeconds,
    };
  }
}
