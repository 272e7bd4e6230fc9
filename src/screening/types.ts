/**
 * The vocabulary of classification: verdicts, reasons, evidence and the ports the classifier reads.
 * Pure: nothing here knows about SIP, SQL or HTTP.
 */
import type { CallerSlot } from '../callerid/types.js';
import type { PrefixEstimate } from './prefix-tree.js';
import type { CallList, TalkList } from './call-list.js';

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
  | 'internal-error'
  // a request crocetta could not forward: no Request-URI user it can vouch for and no number in To
  | 'unroutable-called-number'
  // learned evidence (issue 5)
  | 'burst'
  | 'sweep'
  // numbers of one 1000-block ringing several of our DIDs within minutes (issue 14, prefix-evidence.ts)
  | 'block-sweep'
  | 'short-calls'
  | 'off-hours'
  | 'nuisance-block'
  // evidence at every prefix depth (issue 14: prefix-tree.ts, prefix-evidence.ts)
  | 'prefix-evidence'
  // a call to one of screening.trapDids (issue 14)
  | 'trap-did'
  | 'shaken-failed'
  | 'shaken-gateway'
  | 'shaken-orig-mismatch'
  | 'shaken-dest-mismatch'
  | 'shaken-full'
  | 'display-name-block'
  // friends' feeds (issue 6)
  | 'friend-reports'
  // a friend's report of a caller the office talks to, weighed as suspect at most (weight 0: it explains)
  | 'talked-with-you'
  // safety nets
  | 'bypass'
  | 'service-number'
  | 'allow-next'
  | 'called-by-us'
  | 'persistent-human'
  | 'display-name-allow'
  // a text that its pace alone (burst, sweep, block sweep, off-hours) makes suspect: never refused for it, weight 0
  | 'text-pace'
  // the policy rule that chose the action (src/policy), weight 0
  | 'policy-rule'
  // actions.rangeRepeat chose the action (a call again after a refusal on its range's evidence alone), weight 0
  | 'range-repeat'
  // a withheld caller refused only for withholding its number (policy/rules.ts), weight 0: not a refusal of the number
  | 'withheld-refusal'
  // the human check (issue 15): a pass remembered, or no second chance after a nuisance mark
  | 'check-remembered'
  | 'check-no-second-chance'
  // the human check could not be carried out (a MESSAGE, no usable audio): tagged instead
  | 'check-not-possible';

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
  /**
   * Where the mark came from: null (or absent) when the office marked the number itself (panel, API, CLI); else the
   * import that wrote it, as its history's `by`: `import:json` / `import:csv` (a crocetta export, a friend's),
   * `import:fritzbox`, `import:list`, `import:vcard`, `import:ftc`, `import` (unknown).
   */
  from?: string | null;
}

/**
 * What the store knows about one caller, as the classifier needs it. Timestamps are ms since epoch, ascending,
 * and cover at least the configured look-back window (the repeat rule's days).
 */
export interface CallerEvidence extends LearnedEvidence {
  mark: Mark | null;
  /** Times of earlier attempts from this caller (not including the one being classified). */
  attempts: readonly number[];
  /** Times at which this caller was refused: by crocetta (reject/announce/hangup) or declined at the PBX. */
  refusals: readonly number[];
}

/** An answered call and how long the caller talked with the office (from the PBX's BYE or CDR). */
export interface Talk {
  /** When the call was answered, ms since epoch. */
  at: number;
  seconds: number;
}

/**
 * The caller's number blocks as the index counts them: distinct numbers marked nuisance and distinct trusted
 * numbers (trusted marks, numbers the business called). `small` is the number minus its last digit(s), `large` one
 * digit shorter; `tens[i]` counts the nuisance members of the large block's i-th small block.
 */
export interface BlockCounts {
  /** E.164 digits of the small block's prefix (e.g. `3902871769`), without `+`. */
  small: string;
  smallNuisance: number;
  smallTrusted: number;
  large: string;
  largeNuisance: number;
  largeTrusted: number;
  tens: readonly number[];
  /**
   * Of the nuisance members above, those the business itself marked (not crocetta's own stops): the office's
   * judgement of its own calls, which the lower office gates count (blocks.ts). Absent = none known.
   */
  smallMarked?: number;
  largeMarked?: number;
  tensMarked?: readonly number[];
}

/** Learned facts beyond marks and times; every field optional, so a store that lacks them still classifies. */
export interface LearnedEvidence {
  /** Earlier attempts with the DID they called (ascending time), for sweeps; read by position (call-list.ts). */
  calls?: CallList;
  /** Answered calls with their talk time (ascending); read by position (call-list.ts). */
  talks?: TalkList;
  /** The caller's number blocks, when any member is known. */
  block?: BlockCounts | null;
  /** When the business last called this number (PBX outbound through crocetta, CDR import), else null. */
  calledByUs?: number | null;
  /** "Let the next call through": when the override was set, else null. */
  allowNext?: number | null;
  /** What friends' feeds report about this number (src/sharing/feeds), when any friend does. */
  friends?: FriendEvidence | null;
  /** The prefix tree's estimate for this number from its neighbours (prefix-tree.ts), when it knows any. */
  prefix?: PrefixEstimate | null;
  /**
   * Recent calls from OTHER numbers of the caller's 1000-block (ascending time, within the sweep window), for
   * sweeps of our DIDs by numbers of one block; absent when there are none.
   */
  blockCalls?: BlockCalls | null;
}

export interface BlockCalls {
  /** The block's E.164 digits without `+` (the caller's number without its last 3 digits). */
  prefix: string;
  calls: readonly { at: number; did: string | null; number: string }[];
}

/** One friend's report of a number: each friend counts at most once per number. */
export interface FriendReport {
  friend: string;
  /** The trust the business gives this friend, in [0,1]. */
  weight: number;
  company: string | null;
  category: string | null;
}

/** Friends' reports of one number, with the consensus rule: fewer than `consensus` friends only explain. */
export interface FriendEvidence {
  reports: readonly FriendReport[];
  consensus: number;
}

export const NO_EVIDENCE: CallerEvidence = Object.freeze({ mark: null, attempts: [], refusals: [] });

/** Facts about the call being classified that are not about the caller. */
export interface CallContext {
  /** Our number that was called (E.164 or raw), when known. */
  did?: string | null;
  /** STIR/SHAKEN verification of the Identity header, when a verifier ran (see shaken.ts). */
  shakenVerified?: 'valid' | 'invalid' | null;
  /**
   * A text message (SIP MESSAGE), not a call: its sender ID is no evidence, and its pace (bursts, sweeps, the hour)
   * may tag it, never refuse it (classify.ts). Absent: a call.
   */
  message?: boolean;
}

/** The store's in-memory index, as the classifier sees it. Never runs a query. */
export interface EvidenceLookup {
  /**
   * `slot`: the caller's slot in the caller-ID cache (identifyKept), where the index may keep the way back to the
   * caller's record for its next decision (one hash-table probe less); the same evidence with it or without.
   */
  evidenceFor(callerKey: string, slot?: CallerSlot): CallerEvidence;
  /**
   * A count of the changes of what a marked caller's verdict reads (marks, "let the next call through"): the store's
   * index (evidence-index.ts verdictVersion). Absent: not known, and no verdict is memoized (sip/verdict-memo.ts).
   */
  readonly verdictVersion?: number;
}

export interface Clock {
  /** ms since epoch */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
