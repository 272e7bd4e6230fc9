/**
 * What a caller's evidence says, its lists as plain arrays: what the index's model tests compare (a CallRecord's DID
 * table, or whether a caller has a record at all, is how it is kept, not what it says).
 */
import type { CallerEvidence } from '../../src/screening/types.js';

export function said(e: CallerEvidence) {
  return {
    mark: e.mark,
    attempts: [...e.attempts],
    refusals: [...e.refusals],
    calls: e.calls === undefined ? undefined : [...e.calls],
    talks: e.talks === undefined ? undefined : [...e.talks],
    block: e.block,
    calledByUs: e.calledByUs,
    allowNext: e.allowNext,
  };
}
