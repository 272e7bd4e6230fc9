/**
 * A caller's recent calls (with the DID each rang) and answered calls (with their talk time), as the learned index
 * keeps them (learned-index.ts) and the classifier reads them: by position, ascending time.
 *
 * No object per call: the times and values share one array of numbers (V8 keeps it as one unboxed double store), and
 * a call's DID is an index into a small table of the caller's DIDs. An object per
 * recorded call (`{at, did}`, up to MAX_PER_CALLER per caller) lived as long as the caller's look-back: with 10,000
 * callers, up to 1.28M objects that the collector copied out of the young generation and marked on every major GC.
 */
import type { Talk } from './types.js';

/** A caller's calls, ascending time: read by position (0 ≤ i < length). */
export interface CallList extends Iterable<{ at: number; did: string | null }> {
  readonly length: number;
  /** When the i-th call came, ms since epoch. */
  atOf(i: number): number;
  /** The DID the i-th call rang, or null when unknown. */
  didOf(i: number): string | null;
  /** A copy, unchanged by the caller's later writes. */
  slice(): CallList;
}

/** A caller's answered calls, ascending time: read by position (0 ≤ i < length). */
export interface TalkList extends Iterable<Talk> {
  readonly length: number;
  /** When the i-th call was answered, ms since epoch. */
  atOf(i: number): number;
  /** How long the caller talked, in seconds. */
  secondsOf(i: number): number;
  /** A copy, unchanged by the caller's later writes. */
  slice(): TalkList;
}

/**
 * Times with one number each, ascending; changed in place by the index's writes, never by a read. One array of numbers
 * for both, each entry two slots (`[at0, val0, at1, val1, ...]`: one unboxed double store), sized exactly for a list's
 * first entry: most callers ring once, and an array pushed from empty gets V8's first growth of 16 slots (~144 bytes),
 * which per caller, times the learned index's lists, was most of what the index held for a caller heard once.
 */
abstract class TimedValues {
  protected constructor(protected data: number[]) {}

  get length(): number {
    return this.data.length >> 1;
  }

  atOf(i: number): number {
    return this.data[2 * i]!;
  }

  /** The value of the i-th entry. */
  protected valOf(i: number): number {
    return this.data[2 * i + 1]!;
  }

  /**
   * Adds (`at`, `val`) in order of time (after equal times), keeping at most `max` (the most recent: when full, the
   * oldest makes way). Entries come in order as a rule (calls recorded as they happen): a push, or when full a move
   * down by one; no allocation but the array's growth (exact for the first entry, and when it becomes full).
   */
  protected insert(at: number, val: number, max: number): void {
    const data = this.data;
    const n = data.length >> 1;
    if (n === 0) {
      if (max >= 1) this.data = [at, val];
      return;
    }
    let pos = n;
    while (pos > 0 && data[2 * pos - 2]! > at) pos--;
    if (n < max) {
      if (pos === n) data.push(at, val);
      else data.splice(2 * pos, 0, at, val);
      // Full from now on (a caller that rings often): its array exactly sized, without the slack of its last growth
      // (up to a third of it); writes then move entries within it.
      if (n + 1 === max) this.data = data.slice();
      return;
    }
    // Full: the oldest leaves. An entry older than every kept one would be the oldest itself: nothing changes.
    if (pos === 0) return;
    for (let i = 2; i < 2 * pos; i++) data[i - 2] = data[i]!;
    data[2 * pos - 2] = at;
    data[2 * pos - 1] = val;
  }

  /** Drops, in place, the first entries (before `cutoff`): moved down over them, no new array. */
  dropBefore(cutoff: number): void {
    const data = this.data;
    const k = this.countBefore(cutoff);
    if (k === 0) return;
    const n = data.length;
    for (let i = 2 * k; i < n; i++) data[i - 2 * k] = data[i]!;
    data.length = n - 2 * k;
  }

  /** How many entries are before `cutoff` (the first ones). */
  protected countBefore(cutoff: number): number {
    const data = this.data;
    const n = data.length >> 1;
    let k = 0;
    while (k < n && data[2 * k]! < cutoff) k++;
    return k;
  }
}

/** No DID: its index in a CallRecord's values. */
const NO_DID = -1;

/**
 * One-DID tables shared by the records whose calls all rang that DID (the common case: a caller heard once, or one
 * who always rings the same number of ours), instead of an array of one string per caller. The few most recent, found
 * by a scan (a business has a handful of DIDs); a DID not among them gets a table of its own, as before.
 */
const SHARED_TABLES = 8;
const oneDidTables: (readonly string[])[] = [];
let nextSharedSlot = 0;

function oneDidTable(did: string): readonly string[] {
  for (let i = 0; i < oneDidTables.length; i++) {
    const table = oneDidTables[i]!;
    if (table[0] === did) return table;
  }
  const table: readonly string[] = [did];
  oneDidTables[nextSharedSlot] = table;
  nextSharedSlot = (nextSharedSlot + 1) % SHARED_TABLES;
  return table;
}

const NO_NAMES: readonly string[] = Object.freeze([]);

/** A caller's calls as the learned index writes them. */
export class CallRecord extends TimedValues implements CallList {
  /**
   * The DIDs the values index, never written once made (a DID new to the caller makes a new table; records and their
   * copies share them). Grows by one for each DID new to the caller; when it reaches `max` entries it is rebuilt from
   * the DIDs still referenced, so it holds at most max + 1.
   */
  private names: readonly string[];

  private constructor(data: number[], names: readonly string[]) {
    super(data);
    this.names = names;
  }

  static empty(): CallRecord {
    return new CallRecord([], NO_NAMES);
  }

  /** A list of `calls` as given (tests, and evidence built outside the index). */
  static of(calls: Iterable<{ at: number; did: string | null }>): CallRecord {
    const out = CallRecord.empty();
    for (const c of calls) out.data.push(c.at, out.nameIndex(c.did, Infinity));
    return out;
  }

  /** Entries of the DID table (at most max + 1 of add()'s `max`). */
  get didTableSize(): number {
    return this.names.length;
  }

  didOf(i: number): string | null {
    const k = this.valOf(i);
    return k === NO_DID ? null : this.names[k]!;
  }

  /** Adds a call in order of time, keeping at most `max` (see TimedValues.insert). */
  add(at: number, did: string | null, max: number): void {
    this.insert(at, this.nameIndex(did, max), max);
  }

  slice(): CallRecord {
    return new CallRecord(this.data.slice(), this.names);
  }

  /** This list when no call is before `cutoff`, else a copy of those from it on (a read never changes a list). */
  since(cutoff: number): CallRecord {
    const k = this.countBefore(cutoff);
    return k === 0 ? this : new CallRecord(this.data.slice(2 * k), this.names);
  }

  *[Symbol.iterator](): Iterator<{ at: number; did: string | null }> {
    for (let i = 0; i < this.length; i++) yield { at: this.atOf(i), did: this.didOf(i) };
  }

  private nameIndex(did: string | null, max: number): number {
    if (did === null) return NO_DID;
    const names = this.names;
    for (let i = 0; i < names.length; i++) if (names[i] === did) return i;
    if (names.length === 0) {
      this.names = oneDidTable(did);
      return 0;
    }
    if (names.length >= max) this.compactNames();
    this.names = [...this.names, did];
    return this.names.length - 1;
  }

  /** The DID table rebuilt from the DIDs the calls still reference, the values renumbered. */
  private compactNames(): void {
    const old = this.names;
    const names: string[] = [];
    const data = this.data;
    for (let i = 1; i < data.length; i += 2) {
      const k = data[i]!;
      if (k === NO_DID) continue;
      const name = old[k]!;
      let at = names.indexOf(name);
      if (at < 0) at = names.push(name) - 1;
      data[i] = at;
    }
    this.names = names;
  }
}

/** A caller's answered calls as the learned index writes them. */
export class TalkRecord extends TimedValues implements TalkList {
  private constructor(data: number[]) {
    super(data);
  }

  static empty(): TalkRecord {
    return new TalkRecord([]);
  }

  /** A list of `talks` as given (tests, and evidence built outside the index). */
  static of(talks: Iterable<Talk>): TalkRecord {
    const out = TalkRecord.empty();
    for (const t of talks) out.data.push(t.at, t.seconds);
    return out;
  }

  secondsOf(i: number): number {
    return this.valOf(i);
  }

  /** Adds a talk in order of time, keeping at most `max` (see TimedValues.insert). */
  add(at: number, seconds: number, max: number): void {
    this.insert(at, seconds, max);
  }

  slice(): TalkRecord {
    return new TalkRecord(this.data.slice());
  }

  /** This list when no talk is before `cutoff`, else a copy of those from it on (a read never changes a list). */
  since(cutoff: number): TalkRecord {
    const k = this.countBefore(cutoff);
    return k === 0 ? this : new TalkRecord(this.data.slice(2 * k));
  }

  *[Symbol.iterator](): Iterator<Talk> {
    for (let i = 0; i < this.length; i++) yield { at: this.atOf(i), seconds: this.secondsOf(i) };
  }
}
