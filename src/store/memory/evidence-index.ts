import { DAY_MS } from '../../time/units.js';
/**
 * The in-memory index the classifier reads: marks of every marked number, and for callers active within the
 * look-back window the times of their attempts and refusals. Kept in step with every write by the register, so
 * that `evidenceFor` never runs a query.
 *
 * Time arrays are ascending and never mutated once handed out: a write replaces the caller's array, so a
 * CallerEvidence taken before a write stays as it was (the classifier may hold it across `record`).
 */
import { NO_EVIDENCE, type CallerEvidence, type Clock, type LearnedEvidence } from '../../screening/types.js';
import { LearnedIndex, type LearnedIndexOptions } from './learned-index.js';
import { MarkTable, type MarkEntry } from './mark-table.js';
import { PrefixIndex, type PrefixIndexOptions } from './prefix-index.js';

/** At most this many attempt times and refusal times are kept per caller (the most recent ones). */
export const MAX_TIMES_PER_CALLER = 256;

const NO_TIMES: readonly number[] = Object.freeze([]);

interface Activity {
  attempts: readonly number[];
  refusals: readonly number[];
}

export interface EvidenceIndexOptions {
  lookbackDays: number;
  clock: Clock;
  /** Number of marks about to be loaded, to size the mark table once. */
  expectedMarks?: number;
  /** Digits dropped from a number to get its small block (1: blocks of 10). @defaultValue 1 */
  blockDropDigits?: number;
  /** The prefix tree's options (prefix-index.ts); absent or null: no prefix tree. */
  prefixes?: PrefixIndexOptions | null;
}

/** `times` with `time` inserted in order, without times before `cutoff`, at most MAX_TIMES_PER_CALLER long. */
function withTime(times: readonly number[], time: number, cutoff: number): readonly number[] {
  const n = times.length;
  // A caller's first time, or a time after the last one with nothing to drop (the rule: the register records
  // attempts as they happen): one copy, no splice (a builtin call that makes an array of what it removed).
  if (n === 0) return [time];
  if (n < MAX_TIMES_PER_CALLER && times[0]! >= cutoff && times[n - 1]! <= time) {
    const kept = times.slice();
    kept.push(time);
    return kept;
  }
  let start = 0;
  while (start < times.length && (times[start] ?? 0) < cutoff) start++;
  const kept = times.slice(start);
  let at = kept.length;
  while (at > 0 && (kept[at - 1] ?? 0) > time) at--;
  kept.splice(at, 0, time);
  return kept.length > MAX_TIMES_PER_CALLER ? kept.slice(kept.length - MAX_TIMES_PER_CALLER) : kept;
}

function trimmed(times: readonly number[], cutoff: number): readonly number[] {
  if (times.length === 0 || (times[0] ?? 0) >= cutoff) return times;
  let start = 1;
  while (start < times.length && (times[start] ?? 0) < cutoff) start++;
  return times.slice(start);
}

/**
 * A new CallerEvidence of `base`'s marks and times and `learned`'s facts, set field by field: spreading the two
 * objects into one cost more than the look-ups that found them.
 */
function withLearned(base: CallerEvidence, learned: LearnedEvidence | null): CallerEvidence {
  const out: CallerEvidence = { mark: base.mark, attempts: base.attempts, refusals: base.refusals };
  if (learned === null) return out;
  if (learned.block !== undefined) out.block = learned.block;
  if (learned.calls !== undefined) out.calls = learned.calls;
  if (learned.talks !== undefined) out.talks = learned.talks;
  if (learned.calledByUs !== undefined) out.calledByUs = learned.calledByUs;
  if (learned.allowNext !== undefined) out.allowNext = learned.allowNext;
  return out;
}

export class EvidenceIndex {
  readonly marks: MarkTable;
  /** Blocks, DIDs and talk times, numbers we called, overrides (learned-index.ts). */
  readonly learned: LearnedIndex;
  /** Evidence at every prefix depth (issue 14), null when turned off. */
  readonly prefixes: PrefixIndex | null;
  private readonly activity = new Map<string, Activity>();
  private readonly lookbackMs: number;
  private readonly clock: Clock;

  constructor(options: EvidenceIndexOptions) {
    if (!(options.lookbackDays > 0)) throw new RangeError('lookbackDays must be > 0');
    this.lookbackMs = options.lookbackDays * DAY_MS;
    this.clock = options.clock;
    this.marks = new MarkTable(options.expectedMarks);
    const learned: LearnedIndexOptions = { lookbackDays: options.lookbackDays, now: () => options.clock.now() };
    if (options.blockDropDigits !== undefined) learned.blockDropDigits = options.blockDropDigits;
    this.learned = new LearnedIndex(learned);
    this.prefixes =
      options.prefixes === undefined || options.prefixes === null
        ? null
        : new PrefixIndex(options.prefixes, () => options.clock.now());
  }

  /** The earliest time the index keeps, now. */
  cutoff(): number {
    return this.clock.now() - this.lookbackMs;
  }

  /** Callers with attempts or refusals in the window (as of the last write or prune). */
  get activeCallers(): number {
    return this.activity.size;
  }

  /**
   * What the classifier reads of a caller. A marked caller gets no number blocks, prefix estimate or calls of its
   * block: the classifier decides it on its mark (trusted at once; nuisance without the learned evidence, which is
   * all that reads them: classify.ts), and looking them up was the dearest part of a marked caller's evidence.
   */
  evidenceFor(callerKey: string): CallerEvidence {
    const base = this.baseEvidenceFor(callerKey);
    if (base.mark !== null) {
      const known = this.learned.evidence(callerKey, false);
      return known === null ? base : withLearned(base, known);
    }
    const learned = this.learned.evidence(callerKey);
    const now = this.clock.now();
    const prefix = this.prefixes?.estimate(callerKey, now) ?? null;
    const blockCalls = this.prefixes?.blockCalls(callerKey, now) ?? null;
    if (learned === null && prefix === null && blockCalls === null) return base;
    const out = withLearned(base, learned);
    if (prefix !== null || blockCalls !== null) {
      out.prefix = prefix;
      out.blockCalls = blockCalls;
    }
    return out;
  }

  /** An answered call and its talk time (short calls, the persistent human, legitimate prefix evidence). */
  addTalk(callerKey: string, at: number, seconds: number): void {
    this.learned.addTalk(callerKey, at, seconds);
    this.prefixes?.talk(callerKey, at, seconds);
  }

  /** The business called this number at `at` (PBX outbound, CDR import). */
  addCalledByUs(callerKey: string, at: number): void {
    this.learned.addCalledByUs(callerKey, at);
    this.prefixes?.calledByUs(callerKey, at);
  }

  private baseEvidenceFor(callerKey: string): CallerEvidence {
    const mark = this.marks.get(callerKey);
    const act = this.activity.get(callerKey);
    if (act === undefined) return mark === null ? NO_EVIDENCE : { mark, attempts: NO_TIMES, refusals: NO_TIMES };
    const fresh = this.trim(callerKey, act);
    if (fresh === undefined) return mark === null ? NO_EVIDENCE : { mark, attempts: NO_TIMES, refusals: NO_TIMES };
    return { mark, attempts: fresh.attempts, refusals: fresh.refusals };
  }

  addAttempt(callerKey: string, time: number): void {
    const cutoff = this.cutoff();
    if (time < cutoff) return;
    const act = this.activity.get(callerKey);
    this.activity.set(callerKey, {
      attempts: withTime(act?.attempts ?? NO_TIMES, time, cutoff),
      refusals: act === undefined ? NO_TIMES : trimmed(act.refusals, cutoff),
    });
  }

  addRefusal(callerKey: string, time: number): void {
    const cutoff = this.cutoff();
    if (time < cutoff) return;
    const act = this.activity.get(callerKey);
    this.activity.set(callerKey, {
      attempts: act === undefined ? NO_TIMES : trimmed(act.attempts, cutoff),
      refusals: withTime(act?.refusals ?? NO_TIMES, time, cutoff),
    });
  }

  setMark(entry: MarkEntry): void {
    const before = this.marks.get(entry.callerKey)?.label ?? null;
    const after = entry.label === 'none' ? null : entry.label;
    this.learned.markChanged(entry.callerKey, before, after);
    this.prefixes?.mark(entry.callerKey, before, after, entry.at);
    this.marks.set(entry);
  }

  /** Bulk load of marks (start-up, imports). */
  loadMarks(entries: Iterable<MarkEntry>): number {
    let n = 0;
    for (const entry of entries) {
      this.setMark(entry);
      n++;
    }
    return n;
  }

  /** Drops times that left the window and callers with nothing left. Returns how many callers were dropped. */
  prune(): number {
    let dropped = 0;
    for (const [key, act] of this.activity) {
      if (this.trim(key, act) === undefined) dropped++;
    }
    this.learned.prune();
    this.prefixes?.prune(this.clock.now());
    return dropped;
  }

  private trim(callerKey: string, act: Activity): Activity | undefined {
    const cutoff = this.cutoff();
    const attempts = trimmed(act.attempts, cutoff);
    const refusals = trimmed(act.refusals, cutoff);
    if (attempts === act.attempts && refusals === act.refusals) return act;
    if (attempts.length === 0 && refusals.length === 0) {
      this.activity.delete(callerKey);
      return undefined;
    }
    const fresh = { attempts, refusals };
    this.activity.set(callerKey, fresh);
    return fresh;
  }
}
