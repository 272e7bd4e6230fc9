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
import type { CallRecord, TalkRecord } from '../../screening/call-list.js';
import type { BlockCounts, Mark } from '../../screening/types.js';

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

/** Every active caller's record, by caller key. */
export type ActivityTable = Map<string, CallerActivity>;

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
