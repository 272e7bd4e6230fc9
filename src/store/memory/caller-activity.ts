/**
 * What the in-memory index keeps of a caller active within the look-back, in one record: the times of its attempts
 * and refusals (EvidenceIndex) and its calls and talks (LearnedIndex). One Map of these, shared by the two, so a
 * decision finds all of a caller's activity with one look-up: as two Maps of the same key (one per index, each with
 * its own record) it took two, each a probe of its table, a compare of the key and a record fetched, on data that a
 * cold decision reads from memory.
 *
 * Each part is the index's own and written in place (evidence-index.ts, learned-index.ts); null: nothing of that
 * kind in the window. A record with no part left is dropped (`isIdle`).
 */
import { CallRecord, TalkRecord } from '../../screening/call-list.js';
import type { BlockCounts, Mark } from '../../screening/types.js';
import { HeardOnce, type OnceEntry } from './heard-once.js';
import { e164KeyToNumber } from './mark-table.js';

/** At most this many calls and talks are kept per caller (the most recent ones: LearnedIndex). */
export const MAX_PER_CALLER = 128;

export interface CallerActivity {
  /**
   * The key the record is filed under in the table (the string of the caller's latest write: EvidenceIndex's
   * refile); null once the record has left the table (EvidenceIndex's trim, LearnedIndex's prune), for good: a caller
   * heard again gets a new record. What a record kept in a caller's slot is checked with (EvidenceIndex.recordOf).
   */
  key: string | null;
  /** Attempt times, ascending (EvidenceIndex); null: none in the window. */
  attempts: number[] | null;
  /** Refusal times, ascending (EvidenceIndex); null: none in the window. */
  refusals: number[] | null;
  /** Calls with their DIDs (LearnedIndex); null until the caller's first call, or none left after a prune. */
  calls: CallRecord | null;
  /** Answered calls with their talk times (LearnedIndex); null as for calls. */
  talks: TalkRecord | null;
  /**
   * The caller's mark as the mark table gave it when the table's writes were `markVersion` (EvidenceIndex.evidenceFor;
   * -1: not read yet). A decision reads it here, in the record it has fetched already, instead of in the mark table's
   * memo (two arrays of 32k slots: two more cache lines a decision); any mark written anywhere makes it stale.
   */
  mark: Readonly<Mark> | null;
  markVersion: number;
  /** The caller's number blocks as LearnedIndex.blockCounts gave them at block version `blockVersion` (-1: not read). */
  block: Readonly<BlockCounts> | null;
  blockVersion: number;
}

/**
 * Every active caller's record, by caller key: a Map of records, and the callers heard once kept without one
 * (heard-once.ts: a first attempt, then at most a call and a talk, an E.164 key), each given a record made as its own
 * writes would have made it (`promote`) at its first other write or first read. `get` is every read's and every
 * write's look-up, so no rule ever reads a caller heard once any other way than from its record.
 */
export class ActivityTable {
  private readonly records = new Map<string, CallerActivity>();
  /** null: every caller gets a record at once (the layout before, for the model tests). */
  private readonly once: HeardOnce | null;

  constructor(options: { heardOnce?: boolean } = {}) {
    this.once = options.heardOnce === false ? null : new HeardOnce();
  }

  /** The caller's record if it has one (a caller heard once has none: see `get`). */
  peek(key: string): CallerActivity | undefined {
    return this.records.get(key);
  }

  /** The caller's record; a caller heard once gets one now. */
  get(key: string): CallerActivity | undefined {
    const act = this.records.get(key);
    if (act !== undefined || this.once === null || this.once.size === 0) return act;
    return this.promoteOnce(key, e164KeyToNumber(key));
  }

  /**
   * The record of a caller `peek` found none for: one heard once gets it now, else undefined. `number`: the key's
   * e164KeyToNumber, which the caller's decision reads once for this, its mark and its blocks (EvidenceIndex).
   */
  promoteOnce(key: string, number: number): CallerActivity | undefined {
    if (this.once === null || this.once.size === 0 || number < 0) return undefined;
    const slot = this.once.find(number);
    return slot < 0 ? undefined : this.promote(key, this.once.take(slot));
  }

  set(key: string, act: CallerActivity): void {
    this.records.set(key, act);
  }

  delete(key: string): boolean {
    return this.records.delete(key);
  }

  /** Callers with a record or kept heard once. */
  get size(): number {
    return this.records.size + (this.once?.size ?? 0);
  }

  /** Callers kept heard once (no record). */
  get heardOnce(): number {
    return this.once?.size ?? 0;
  }

  /** The records (not the callers heard once: they have attempts, and nothing a prune of records reads). */
  entries(): IterableIterator<[string, CallerActivity]> {
    return this.records.entries();
  }

  values(): IterableIterator<CallerActivity> {
    return this.records.values();
  }

  /**
   * A caller's first attempt, when it has no record: kept heard once if it can be (true), else the caller wants a
   * record (false). Not when it is kept already (then its second attempt: `get` gives it a record).
   */
  firstAttempt(key: string, time: number): boolean {
    if (this.once === null) return false;
    const n = e164KeyToNumber(key);
    return n >= 0 && this.once.find(n) < 0 && this.once.add(n, time);
  }

  /**
   * A call of a caller without a record (`peek` found none): written in its entry heard once when it has one without a
   * call yet (true).
   */
  callOnce(key: string, at: number, did: string | null): boolean {
    const slot = this.onceSlot(key);
    return slot >= 0 && this.once!.setCall(slot, at, did);
  }

  /** A talk of a caller without a record (`peek` found none): as callOnce. */
  talkOnce(key: string, at: number, seconds: number): boolean {
    const slot = this.onceSlot(key);
    return slot >= 0 && this.once!.setTalk(slot, at, seconds);
  }

  /**
   * Forgets the callers heard once whose attempt is before `cutoff` (counted), those with a call or talk from it on
   * given a record instead. Returns how many were forgotten.
   */
  forgetOnceBefore(cutoff: number): number {
    return this.once === null ? 0 : this.once.forgetBefore(cutoff, (key, entry) => this.promote(key, entry));
  }

  private onceSlot(key: string): number {
    if (this.once === null || this.once.size === 0) return -1;
    const n = e164KeyToNumber(key);
    return n < 0 ? -1 : this.once.find(n);
  }

  /** The record a caller heard once would have had: its attempt, then its call and talk as LearnedIndex adds them. */
  private promote(key: string, entry: OnceEntry): CallerActivity {
    const act = callerActivity(key, [entry.attemptAt], null);
    if (!Number.isNaN(entry.callAt)) (act.calls = CallRecord.empty()).add(entry.callAt, entry.callDid, MAX_PER_CALLER);
    if (!Number.isNaN(entry.talkAt))
      (act.talks = TalkRecord.empty()).add(entry.talkAt, entry.talkSeconds, MAX_PER_CALLER);
    this.records.set(key, act);
    return act;
  }
}

/** A record with its four parts in one order (one hidden class for every caller). */
export function callerActivity(key: string, attempts: number[] | null, refusals: number[] | null): CallerActivity {
  return {
    key,
    attempts,
    refusals,
    calls: null,
    talks: null,
    mark: null,
    markVersion: -1,
    block: null,
    blockVersion: -1,
  };
}

/** Whether a record's calls and talks are all gone (none, or emptied by a prune). */
/** No attempt or refusal times: a caller's evidence without them (EvidenceIndex, LearnedIndex), shared and frozen. */
export const NO_TIMES: readonly number[] = Object.freeze([]);

export function noCalls(act: CallerActivity): boolean {
  return (act.calls === null || act.calls.length === 0) && (act.talks === null || act.talks.length === 0);
}

/** Whether nothing is left of a caller in the record: it can leave the table. */
export function isIdle(act: CallerActivity): boolean {
  return act.attempts === null && act.refusals === null && noCalls(act);
}
