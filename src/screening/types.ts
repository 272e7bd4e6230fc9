/**
 * The vocabulary of classification: verdicts, reasons, evidence and the ports the classifier reads.
 * Pure: nothing here knows about SIP, SQL or HTTP.
 */

export const VERDICTS = ['trusted', 'unknown', 'suspect', 'nuisance'] as const;
export type Verdict = (typeof VERDICTS)[number];

/**
 * One reason for a verdict. `code` is stable (for code, tests, translations); `text` is the English sentence the
 * office staff read ("marked nuisance by you on 3 Nov 2026"); `params` hold the facts the sentence was built from.
 */
export interface Reason {
  code: ReasonCode;
  text: string;
  /** How much this reason weighs towards nuisance, in [0,1]; 0 for reasons that only explain (trusted, allow-list). */
  weight: number;
  params?: Record<string, string | number>;
}

export type ReasonCode =
  | 'marked-nuisance'
  | 'marked-trusted'
  | 'prefix-rule'
  | 'trusted-prefix'
  | 'telemarketing-prefix'
  | 'survey-prefix'
  | 'automated-call-prefix'
  | 'repeat-after-refusal'
  | 'attempt-after-refusal'
  | 'withheld'
  | 'unparsable-number'
  | 'internal-error';

export interface Decision {
  verdict: Verdict;
  /** Nuisance likelihood in [0,1]. */
  score: number;
  reasons: Reason[];
}

export type MarkLabel = 'nuisance' | 'trusted';

/** The business's own judgement of a number. */
export interface Mark {
  label: MarkLabel;
  /** When it was marked, ms since epoch. */
  at: number;
  company: string | null;
  category: string | null;
}

/**
 * What the store knows about one caller, as the classifier needs it. Timestamps are ms since epoch, ascending,
 * and cover at least the configured look-back window (the repeat rule's days).
 */
export interface CallerEvidence {
  mark: Mark | null;
  /** Times of earlier attempts from this caller (not including the one being classified). */
  attempts: readonly number[];
  /** Times at which this caller was refused: by crocetta (reject/announce/hangup) or declined at the PBX. */
  refusals: readonly number[];
}

export const NO_EVIDENCE: CallerEvidence = Object.freeze({ mark: null, attempts: [], refusals: [] });

/** The store's in-memory index, as the classifier sees it. Never runs a query. */
export interface EvidenceLookup {
  evidenceFor(callerKey: string): CallerEvidence;
}

export interface Clock {
  /** ms since epoch */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
