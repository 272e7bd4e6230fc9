/**
 * A caller's recent calls (with the DID each rang) and answered calls (with their talk time), as the learned index
 * keeps them (learned-index.ts) and the classifier reads them: by position, ascending time.
 *
 * No object per call: the times and values are two parallel arrays of numbers (V8 keeps them as one unboxed double
 * or small-integer store each), and a call's DID is an index into a small table of the caller's DIDs. An object per
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

/** Times with one number each, ascending; changed in place by the index's writes, never by a read. */
abstract class TimedValues {
  protected constructor(
    protected ats: number[],
    protected vals: number[],
  ) {}

  get length(): number {
    return this.ats.length;
  }

  atOf(i: number): number {
    return this.ats[i]!;
  }

  /**
   * Adds (`at`, `val`) in order of time (after equal times), keeping at most `max` (the most recent: when full, the
   * oldest makes way). Entries come in order as a rule (calls recorded as they happen): a push, or when full a move
   * down by one; no allocation but the arrays' growth.
   */
  protected insert(at: number, val: number, max: number): void {
    const ats = this.ats;
    const vals = this.vals;
    const n = ats.length;
    let pos = n;
    while (pos > 0 && ats[pos - 1]! > at) pos--;
    if (n < max) {
      if (pos === n) {
        ats.push(at);
        vals.push(val);
      } else {
        ats.splice(pos, 0, at);
        vals.splice(pos, 0, val);
      }
      return;
    }
    // Full: the oldest leaves. An entry older than every kept one would be the oldest itself: nothing changes.
    if (pos === 0) return;
    for (let i = 1; i < pos; i++) {
      ats[i - 1] = ats[i]!;
      vals[i - 1] = vals[i]!;
    }
    ats[pos - 1] = at;
    vals[pos - 1] = val;
  }

  /** Drops, in place, the first entries (before `cutoff`): moved down over them, no new array. */
  dropBefore(cutoff: number): void {
    const ats = this.ats;
    const vals = this.vals;
    const n = ats.length;
    let k = 0;
    while (k < n && ats[k]! < cutoff) k++;
    if (k === 0) return;
    for (let i = k; i < n; i++) {
      ats[i - k] = ats[i]!;
      vals[i - k] = vals[i]!;
    }
    ats.length = n - k;
    vals.length = n - k;
  }

  /** How many entries are before `cutoff` (the first ones). */
  protected countBefore(cutoff: number): number {
    const ats = this.ats;
    const n = ats.length;
    let k = 0;
    while (k < n && ats[k]! < cutoff) k++;
    return k;
  }
}

/** No DID: its index in a CallRecord's values. */
const NO_DID = -1;

/** A caller's calls as the learned index writes them. */
export class CallRecord extends TimedValues implements CallList {
  /**
   * The DIDs the values index. Grows by one for each DID new to the caller; when it reaches MAX entries it is
   * rebuilt from the DIDs still referenced, so it holds at most max + 1.
   */
  private names: string[];

  private constructor(ats: number[], vals: number[], names: string[]) {
    super(ats, vals);
    this.names = names;
  }

  static empty(): CallRecord {
    return new CallRecord([], [], []);
  }

  /** A list of `calls` as given (tests, and evidence built outside the index). */
  static of(calls: Iterable<{ at: number; did: string | null }>): CallRecord {
    const out = CallRecord.empty();
    for (const c of calls) {
      out.ats.push(c.at);
      out.vals.push(out.nameIndex(c.did, Infinity));
    }
    return out;
  }

  /** Entries of the DID table (at most max + 1 of add()'s `max`). */
  get didTableSize(): number {
    return this.names.length;
  }

  didOf(i: number): string | null {
    const k = this.vals[i]!;
    return k === NO_DID ? null : this.names[k]!;
  }

  /** Adds a call in order of time, keeping at most `max` (see TimedValues.insert). */
  add(at: number, did: string | null, max: number): void {
    this.insert(at, this.nameIndex(did, max), max);
  }

  slice(): CallRecord {
    return new CallRecord(this.ats.slice(), this.vals.slice(), this.names.slice());
  }

  /** This list when no call is before `cutoff`, else a copy of those from it on (a read never changes a list). */
  since(cutoff: number): CallRecord {
    const k = this.countBefore(cutoff);
    return k === 0 ? this : new CallRecord(this.ats.slice(k), this.vals.slice(k), this.names.slice());
  }

  *[Symbol.iterator](): Iterator<{ at: number; did: string | null }> {
    for (let i = 0; i < this.ats.length; i++) yield { at: this.atOf(i), did: this.didOf(i) };
  }

  private nameIndex(did: string | null, max: number): number {
    if (did === null) return NO_DID;
    const names = this.names;
    for (let i = 0; i < names.length; i++) if (names[i] === did) return i;
    if (names.length >= max) this.compactNames();
    return this.names.push(did) - 1;
  }

  /** The DID table rebuilt from the DIDs the calls still reference, the values renumbered. */
  private compactNames(): void {
    const old = this.names;
    const names: string[] = [];
    const vals = this.vals;
    for (let i = 0; i < vals.length; i++) {
      const k = vals[i]!;
      if (k === NO_DID) continue;
      const name = old[k]!;
      let at = names.indexOf(name);
      if (at < 0) at = names.push(name) - 1;
      vals[i] = at;
    }
    this.names = names;
  }
}

/** A caller's answered calls as the learned index writes them. */
export class TalkRecord extends TimedValues implements TalkList {
  private constructor(ats: number[], seconds: number[]) {
    super(ats, seconds);
  }

  static empty(): TalkRecord {
    return new TalkRecord([], []);
  }

  /** A list of `talks` as given (tests, and evidence built outside the index). */
  static of(talks: Iterable<Talk>): TalkRecord {
    const out = TalkRecord.empty();
    for (const t of talks) {
      out.ats.push(t.at);
      out.vals.push(t.seconds);
    }
    return out;
  }

  secondsOf(i: number): number {
    return this.vals[i]!;
  }

  /** Adds a talk in order of time, keeping at most `max` (see TimedValues.insert). */
  add(at: number, seconds: number, max: number): void {
    this.insert(at, seconds, max);
  }

  slice(): TalkRecord {
    return new TalkRecord(this.ats.slice(), this.vals.slice());
  }

  /** This list when no talk is before `cutoff`, else a copy of those from it on (a read never changes a list). */
  since(cutoff: number): TalkRecord {
    const k = this.countBefore(cutoff);
    return k === 0 ? this : new TalkRecord(this.ats.slice(k), this.vals.slice(k));
  }

  *[Symbol.iterator](): Iterator<Talk> {
    for (let i = 0; i < this.ats.length; i++) yield { at: this.atOf(i), seconds: this.secondsOf(i) };
  }
}
