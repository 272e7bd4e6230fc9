import type { CallerSlot } from '../../callerid/types.js';
import type { CallerEvidence, EvidenceLookup, Mark, MarkLabel, Reason, Verdict } from '../../screening/types.js';

/** What kind of SIP request an attempt was. */
export type AttemptKind = 'call' | 'message';

/**
 * How an attempt ended, as far as crocetta saw it. `pending` until known.
 * - forwarded: handed to the PBX (proxy/redirect), final answer not yet known
 * - answered: the PBX (or crocetta, for announcements) answered 2xx
 * - declined: the PBX gave a final non-2xx (busy, declined...)
 * - rejected: crocetta refused it (reject/announce/hangup)
 * - cancelled: the caller hung up before a final answer
 * - failed: a fault prevented the planned action
 * - timeout: forwarded, and no final answer came from the PBX in time (drachtio's own 408 after its Timer B/C, or
 *   nothing heard at all within pbx.finalTimeout)
 */
export type AttemptOutcome =
  'pending' | 'forwarded' | 'answered' | 'declined' | 'rejected' | 'cancelled' | 'failed' | 'timeout';

/**
 * The action a row says for a request crocetta let through that no PBX was there to take (pbx.uri empty and none
 * registered to crocetta): answered 480 Temporarily Unavailable (src/sip/forward-call.ts). Decided with the plan,
 * before the attempt is written (src/sip/call-plan.ts); the dashboard counts it apart from the calls that passed
 * (src/store/reports/aggregates.ts UNREACHED).
 */
export const NO_PBX_ACTION = 'no-pbx';

/**
 * The action a row says for a request crocetta let through whose called number it could not read (no Request-URI
 * user it can vouch for, src/sip/forward-target.ts): refused 404 or 414, not forwarded. Decided with the plan
 * (src/sip/call-plan.ts); the dashboard counts it undelivered with NO_PBX_ACTION (aggregates.ts UNREACHED).
 */
export const UNROUTABLE_ACTION = 'unroutable';

/** One row of the register: one INVITE or MESSAGE. */
export interface NewAttempt {
  /** ms since epoch */
  time: number;
  kind: AttemptKind;
  /** Index key of the caller (`+39...` or `raw:...`), null when withheld without number. */
  callerKey: string | null;
  callerE164: string | null;
  callerRaw: string | null;
  callerName: string | null;
  /** Header the number came from: p-asserted-identity | remote-party-id | from */
  callerSource: string;
  withheld: boolean;
  /** Our number that was called (E.164 when parseable, else raw), null when unknown. */
  calledNumber: string | null;
  verdict: Verdict;
  score: number;
  reasons: Reason[];
  /** The action taken, as text: allow, tag, reject:607, redirect, announce-early, ..., unroutable, no-pbx */
  action: string;
  /** True when the call was forwarded because of an internal fault (fail open). */
  failOpen: boolean;
  callId: string;
  sourceAddress: string | null;
  userAgent: string | null;
  outcome: AttemptOutcome;
  /** The final SIP status sent or received, when known. */
  finalStatus: number | null;
  /** MESSAGE only: length of the text in characters; the text itself only when configured. */
  messageLength: number | null;
  messageText: string | null;
}

export interface Attempt extends NewAttempt {
  id: number;
  /** When the last outcome update happened (ms since epoch); null/absent while none came. */
  outcomeAt?: number | null;
  /** When the caller was refused on this attempt (by the action or at the PBX); null/absent when not refused. */
  refusedAt?: number | null;
  /** Announcements: milliseconds of the message the caller was sent; null/absent otherwise. */
  playedMs?: number | null;
  /** Who hung up a call crocetta answered or played a message to; null/absent otherwise. */
  hungUpBy?: HungUpBy | null;
  /** Forwarded calls the PBX answered: ms from the answer to the BYE (drachtio-server CDRs); absent otherwise. */
  talkMs?: number | null;
  /** The human check's result; null when the attempt had no check (absent in rows built before the store read it). */
  check?: CheckResult | null;
  /** ms from crocetta's answer to the check's result; null without a check. */
  checkMs?: number | null;
}

/** How the human check ended (action `check`): the key pressed, none in time, another key, or the caller left. */
export const CHECK_RESULTS = ['passed', 'no-digit', 'wrong-digit', 'hung-up'] as const;
export type CheckResult = (typeof CHECK_RESULTS)[number];

/** Whether an outcome counts as a refusal of the caller for the repeat rule. */
export interface OutcomeUpdate {
  outcome: AttemptOutcome;
  finalStatus: number | null;
  /** True when this outcome is a refusal of the caller (declined at the PBX with a refusing code). */
  refused: boolean;
  /** When the outcome happened, ms since epoch. */
  at: number;
  /** Announcements: milliseconds of the message sent to the caller (absent: unchanged). */
  playedMs?: number | null;
  /** Answered or early-media calls crocetta ended: who hung up (absent: unchanged). */
  hungUpBy?: HungUpBy | null;
  /** The human check's result and its duration in ms (absent: unchanged). */
  check?: CheckResult | null;
  checkMs?: number | null;
}

/** Who ended a call crocetta answered or played a message to. */
export type HungUpBy = 'caller' | 'crocetta';

/** Which attempts to list, newest first (the register's API, the panel's register page and its CSV). */
export interface AttemptQuery {
  /** Caller key (E.164 or raw:...) */
  callerKey?: string;
  /** Our number that was called, as stored (E.164 or raw). */
  calledNumber?: string;
  /** ms since epoch, inclusive */
  since?: number;
  /** ms since epoch, exclusive */
  until?: number;
  verdict?: Verdict;
  /** Only calls (INVITE) or only text messages (MESSAGE). */
  kind?: AttemptKind;
  /** An action kind (allow, tag, reject, redirect...): `reject` also matches `reject:607`. */
  action?: string;
  /** Words found in the number (raw or E.164), the display name or the user agent. */
  text?: string;
  /**
   * The same search typed as a phone number, reduced to what the register keeps (`+39021234`, `0212345678`): also
   * found inside the caller's E.164 or raw number, so `02 1234 5678` and `0039 02...` find `+390212345678`.
   */
  numberText?: string;
  /**
   * The search (`text`, `numberText`) finds the caller's number and display name only on attempts that showed the
   * number: a withheld attempt's identity is not the office's to search by (src/panel/withheld.ts; its user agent is).
   */
  callerSearchShownOnly?: boolean;
  /** The search (`text`) also finds these callers' withheld attempts: a withheld caller's name typed (`A8EF`). */
  searchWithheldOf?: readonly string[];
  /** Only withheld attempts (true) or only those that showed the number (false). */
  withheld?: boolean;
  /** at most this many, newest first (default 100, max 1000) */
  limit?: number;
  /** Keyset paging: rows strictly older than this (time, id) (the panel's cursor). */
  before?: { time: number; id: number };
  /** Keyset paging: rows older than the attempt with this id (the API's cursor). */
  beforeId?: number;
}

export interface NumberSummary {
  callerKey: string;
  mark: Mark | null;
  attempts: number;
  firstSeen: number | null;
  lastSeen: number | null;
}

/** One change of mark, as kept in the history (label 'none' = cleared). */
export interface MarkHistoryEntry {
  callerKey: string;
  label: MarkLabel | 'none';
  company: string | null;
  category: string | null;
  at: number;
  by: string;
}

export interface MarkInput {
  /** 'none' clears the mark */
  label: MarkLabel | 'none';
  company: string | null;
  category: string | null;
  at: number;
  /** who marked it: 'api', 'panel', 'import'... */
  by: string;
}

/** Marks and numbers-we-called an import wrote to the database, for the in-memory index. */
export interface ImportedIndexRows {
  marks?: ReadonlyArray<{
    callerKey: string;
    label: MarkLabel | 'none';
    at: number;
    company: string | null;
    category: string | null;
  }>;
  called?: ReadonlyArray<{ callerKey: string; at: number }>;
  /**
   * Friends' reports as they stand after a pull round (FriendIndex.counted): the prefix tree counts each reported
   * number as nuisance at its friends' weight, as of `at`.
   */
  friendReports?: { at: number; reports: ReadonlyArray<{ callerKey: string; weight: number }> };
}

export interface RecordOptions {
  /**
   * Called at once (at most once) when the disk refuses the write and the attempt is held in memory (the spool)
   * instead: the promise will resolve only once the disk accepts it again, so a call should not wait for it.
   */
  onSpooled?: () => void;
  /**
   * Called when the attempt was written to the attempts journal: it now survives kill -9 of crocetta as a committed
   * row does, so a call need not wait for the commit. The journal lines of every attempt recorded in the same
   * synchronous run are written with one write(), in a microtask queued before record() returns (the first record()
   * of the run queues it): a microtask queued after record() returned runs after it, so it knows whether the attempt
   * was journaled; not called when it was not (no journal, or its write failed). Its commit then starts after this
   * turn of the event loop, as with `afterThisTurn`, so that the answer leaves first.
   */
  onJournaled?: () => void;
  /**
   * With `onJournaled`: the journal line is written at once, with a write() of its own, before record() returns
   * (onJournaled is then called before it returns), not in the microtask that writes the lines of every attempt of
   * the run: for a caller that answers in this same synchronous run (handle-request.ts, durable first), so that the
   * answer need not wait for the microtask queue. Costs a write() per attempt where a run of several shares one.
   * Only when the writer will keep the attempt: one it refuses at once (the queue at store.spoolMaxWrites, the register
   * closing) goes the grouped way, its onJournaled never called (it is lost: its call goes the fail-open way).
   */
  journalNow?: boolean;
  /**
   * With `journalNow`, when the line was written at once: the in-memory index learns the attempt at the register's
   * next `indexOwed()` (the caller's, once its answer is handed over in the same synchronous run) or its next use of
   * the index, whichever comes first, rather than before record() returns; otherwise at once, as without.
   */
  indexLater?: boolean;
  /**
   * Start the commit after this turn of the event loop (once the I/O callbacks of this turn have run), not as soon as
   * the current code yields: for a caller that answers first and lets the commit follow (durableBeforeAnswer false),
   * so that the SIP answer leaves before the write's trip to SQLite begins. The in-memory index is updated at once.
   */
  afterThisTurn?: boolean;
}

/**
 * The register: the durable log of attempts, the business's marks, and the in-memory index the classifier reads.
 * Writes are batched; `record` resolves once the attempt is committed to SQLite.
 */
export interface Register extends EvidenceLookup {
  /**
   * Adds the attempt to the index at once (synchronously; `options.indexLater`: see there) and to the next batch; resolves with its id when
   * committed (later, when the disk refused it and it waits in the spool: `options.onSpooled`); rejects when it
   * is lost (the spool is full, SQLite refuses the row itself, the register closed before the disk accepted it).
   */
  record(attempt: NewAttempt, options?: RecordOptions): Promise<number>;
  /**
   * The index learns the attempts recorded with `indexLater` it has not learned yet. Called by a caller that answered
   * in the synchronous run of record(), once the answer is handed over; the register calls it before every use of
   * the index too, so nothing ever reads the index without them.
   */
  indexOwed(): void;
  /**
   * Queues an outcome update for an attempt (batched); updates the index at once (refusals). The attempt by its id, or
   * by the promise record() returned for it: given before the attempt's commit, the update joins its row (one INSERT,
   * no UPDATE); given after, it waits for the id as a caller of `then` would. Journaled (with the journal) before it
   * returns either way, or with the rest of its turn once gatherUpdateLines was called.
   */
  updateOutcome(attempt: number | Promise<number>, update: OutcomeUpdate): void;
  /**
   * A forwarded call the PBX answered has ended: how long they talked. Batched; the classifier sees it (short
   * calls, the persistent human) once committed. The attempt by id or by record()'s promise, as updateOutcome.
   */
  recordTalk(attempt: number | Promise<number>, talk: { talkMs: number; answeredAt: number }): void;
  /**
   * From now on, the journal lines of updateOutcome and recordTalk are written with the other lines of their turn of
   * the event loop, in one write(): with an attempt's line journaled at once after them, once the turn's microtasks
   * are done (process.nextTick: before any I/O callback or timer), or when the function returned is called, whichever
   * first. The caller calls it before anything that must follow the lines given before it (sip-app.ts: before each
   * write to drachtio-server), so that no SIP message leaves before an update given before it is journaled. Until
   * this is called (and without a journal) each update's line is written when it is given.
   */
  gatherUpdateLines(): () => void;
  /**
   * The office called this number (an outbound call through crocetta): trusted in the index at once, written
   * with the next batch.
   */
  noteCalledByUs(callerKey: string, at: number): void;
  /**
   * Sets or clears the business's mark on a number; index at once, database before the promise resolves. Refused
   * at once, changing nothing, while the disk refuses writes.
   */
  mark(callerKey: string, input: MarkInput): Promise<void>;
  /**
   * "Let the next call through": the caller's next call is trusted once (reason `allow-next`), whatever its mark or
   * evidence; `at` the time it was asked (set again: a new time), null to withdraw it. Index at once, database before
   * the promise resolves; refused at once, changing nothing, while the disk refuses writes. A mark change leaves it.
   * The call that uses it deletes it (from the index at once, its row after the call's attempt).
   */
  letThrough(callerKey: string, at: number | null, by: string): Promise<void>;
  /** When the office asked to let this caller's next call through (ms), null when nothing is pending; from memory. */
  letThroughSince(callerKey: string): number | null;
  /**
   * When this caller last passed the human check (ms since epoch), null when never; from memory (loaded at start,
   * kept by updateOutcome), never a query per call.
   */
  checkPassedAt(callerKey: string): number | null;
  attempts(query: AttemptQuery): Promise<Attempt[]>;
  /** A caller's mark and counts; `withheld`: of its withheld attempts only (true), or of the others (false). */
  numberSummary(callerKey: string, withheld?: boolean): Promise<NumberSummary>;
  /** Every change of mark of a number, newest first (at most `limit`, default 100). */
  markHistory(callerKey: string, limit?: number): Promise<MarkHistoryEntry[]>;
  /**
   * The key the register keeps for a caller named by hand: a sender ID typed in another case (`raw:promo-energia`)
   * gives the spelling its texts came with (`raw:PROMO-ENERGIA`), else the one marked; any other key as it is.
   */
  keptSpelling(callerKey: string): Promise<string>;
  evidenceFor(callerKey: string, slot?: CallerSlot): CallerEvidence;
  /**
   * Rows another connection wrote to the register file (imports, src/sharing): the index follows at once.
   */
  indexImported(imported: ImportedIndexRows): void;
  /** True while the database is open and writable. */
  readonly ready: boolean;
  /**
   * Writes (attempts, their outcomes, talk times) held in memory now because the disk refuses them (the spool), to be
   * written once it takes them again; 0 while the register writes. A read of a count kept by the writer: no query.
   */
  readonly spooled: number;
  /** Commits everything queued now (writes the disk refuses stay held: one retry is made at once). */
  flush(): Promise<void>;
  /**
   * Resolves once everything recorded before the call is committed (started now), so a read made next sees it; at
   * once while the disk refuses writes (the spool holds them; no retry is brought forward).
   */
  caughtUp(): Promise<void>;
  /** Flushes and closes. */
  close(): Promise<void>;
}
