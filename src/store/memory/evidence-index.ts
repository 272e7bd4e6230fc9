import { DAY_MS } from '../../time/units.js';
/**
 * The in-memory index the classifier reads: marks of every marked number, and for callers active within the
 * look-back window the times of their attempts and refusals. Kept in step with every write by the register, so
 * that `evidenceFor` never runs a query.
 *
 * Time arrays are ascending and the index's own: a write appends to the caller's array in place (no copy of up to
 * MAX_TIMES_PER_CALLER times per recorded attempt, which cost an allocation, a copy and the collector's work on every
 * call of a caller that rings again). So a CallerEvidence is good until the next write of its caller: read it in the
 * turn it was taken (the classifier, the panel and the CLI all do), and copy what must outlive a write. A read never
 * changes what it handed out (times that left the window are dropped into a new array there).
 */
import type { CallerSlot } from '../../callerid/types.js';
import type { PrefixEstimate } from '../../screening/prefix-tree.js';
import { NO_EVIDENCE, type BlockCalls, type CallerEvidence, type Clock, type Mark } from '../../screening/types.js';
import { ActivityTable, callerActivity, isIdle, noCalls, NO_TIMES, type CallerActivity } from './caller-activity.js';
import { LearnedIndex, type LearnedIndexOptions } from './learned-index.js';
import { e164KeyToNumber, MarkTable, type MarkEntry } from './mark-table.js';
import { PrefixIndex, type PrefixIndexOptions } from './prefix-index.js';

/** At most this many attempt times and refusal times are kept per caller (the most recent ones). */
export const MAX_TIMES_PER_CALLER = 256;

export interface EvidenceIndexOptions {
  lookbackDays: number;
  clock: Clock;
  /** Number of marks about to be loaded, to size the mark table once. */
  expectedMarks?: number;
  /** Digits dropped from a number to get its small block (1: blocks of 10). @defaultValue 1 */
  blockDropDigits?: number;
  /** The prefix tree's options (prefix-index.ts); absent or null: no prefix tree. */
  prefixes?: PrefixIndexOptions | null;
  /** false: every caller gets a record at its first write (no callers heard once kept apart: the model tests). */
  heardOnce?: boolean;
}

/**
 * Drops, in place, the times of `times` before `cutoff`; true when none is left. Ascending, so they are the first
 * ones: moved down over them, no new array (a slice made one per caller per write).
 */
function dropBefore(times: number[], cutoff: number): boolean {
  const n = times.length;
  let k = 0;
  while (k < n && times[k]! < cutoff) k++;
  if (k === 0) return n === 0;
  for (let i = k; i < n; i++) times[i - k] = times[i]!;
  times.length = n - k;
  return k === n;
}

/** `times` from `cutoff` on: `times` itself when none is before it, else a copy; null when none is left. */
function since(times: number[], cutoff: number): number[] | null {
  const n = times.length;
  let k = 0;
  while (k < n && times[k]! < cutoff) k++;
  if (k === 0) return n === 0 ? null : times;
  return k === n ? null : times.slice(k);
}

/**
 * Adds `time` to `times` in place, in order (after equal times), after dropping those before `cutoff`, keeping at
 * most `max` (the most recent: when full, the oldest makes way). Returns `times`, or a new array for a caller's
 * first time (`times` null). Times come in order as a rule (the register records attempts as they happen): then it
 * is a push, or when full a move down by one, never an allocation.
 */
function addTime(times: number[] | null, time: number, cutoff: number, max: number): number[] {
  if (times === null) return [time];
  dropBefore(times, cutoff);
  const n = times.length;
  let at = n;
  while (at > 0 && times[at - 1]! > time) at--;
  if (n < max) {
    if (at === n) times.push(time);
    else times.splice(at, 0, time);
    return times;
  }
  // Full: the oldest leaves. A time older than every kept one would be the oldest itself: nothing changes.
  if (at === 0) return times;
  for (let i = 1; i < at; i++) times[i - 1] = times[i]!;
  times[at - 1] = time;
  return times;
}

export class EvidenceIndex {
  readonly marks: MarkTable;
  /** Blocks, DIDs and talk times, numbers we called, overrides (learned-index.ts). */
  readonly learned: LearnedIndex;
  /** Evidence at every prefix depth (issue 14), null when turned off. */
  readonly prefixes: PrefixIndex | null;
  /**
   * Every active caller's record (caller-activity.ts), shared with `learned`: this index writes the attempts and
   * refusals, the learned index the calls and talks; a decision looks its caller up once for all four.
   */
  private readonly activity: ActivityTable;
  /**
   * What this index writes as a caller slot's owner (recordOf): a token of its own, not the table, so a slot kept in
   * the caller-ID cache never holds a whole table alive (an index opened again, as the CLI and the tests do).
   */
  private readonly slotOwner = {};
  private readonly lookbackMs: number;
  private readonly clock: Clock;

  constructor(options: EvidenceIndexOptions) {
    if (!(options.lookbackDays > 0)) throw new RangeError('lookbackDays must be > 0');
    this.lookbackMs = options.lookbackDays * DAY_MS;
    this.clock = options.clock;
    this.activity = new ActivityTable(options.heardOnce === false ? { heardOnce: false } : {});
    this.marks = new MarkTable(options.expectedMarks);
    const learned: LearnedIndexOptions = {
      lookbackDays: options.lookbackDays,
      now: () => options.clock.now(),
      activity: this.activity,
    };
    if (options.blockDropDigits !== undefined) learned.blockDropDigits = options.blockDropDigits;
    this.learned = new LearnedIndex(learned);
    this.prefixes =
      options.prefixes === undefined || options.prefixes === null
        ? null
        : new PrefixIndex(options.prefixes, () => options.clock.now());
  }

  /**
   * Changes so far of what a marked caller's verdict reads of the index (marks, by any path, and "let the next call
   * through" overrides); attempts, refusals, calls and talks do not change it. The verdict memo (verdict-memo.ts)
   * holds an entry only while this is what it was when the entry was made.
   */
  get verdictVersion(): number {
    return this.marks.version + this.learned.overridesVersion;
  }

  /** The earliest time the index keeps, now. */
  cutoff(): number {
    return this.clock.now() - this.lookbackMs;
  }

  /** Callers with attempts or refusals in the window (as of the last write or prune); counted, for reports. */
  get activeCallers(): number {
    let n = this.activity.heardOnce;
    for (const act of this.activity.values()) if (act.attempts !== null || act.refusals !== null) n++;
    return n;
  }

  /**
   * Callers with a record: attempts, refusals, calls or talks in the window (as of the last write or prune), those
   * heard once (kept without a record object: caller-activity.ts) included.
   */
  get callerRecords(): number {
    return this.activity.size;
  }

  /** Of callerRecords, the callers heard once, kept without a record object. */
  get callersHeardOnce(): number {
    return this.activity.heardOnce;
  }

  /**
   * What the classifier reads of a caller. A marked caller gets no number blocks, prefix estimate or calls of its
   * block: the classifier decides it on its mark (trusted at once; nuisance without the learned evidence, which is
   * all that reads them: classify.ts), and looking them up was the dearest part of a marked caller's evidence.
   */
  evidenceFor(callerKey: string, slot?: CallerSlot): CallerEvidence {
    const kept = slot === undefined ? this.activity.peek(callerKey) : this.recordOf(callerKey, slot);
    // A caller without a record (a new one, most often) has its key read as a number once, here: whether it was heard
    // once, its mark and its blocks each read it (three times a new caller's decision until session 50).
    const number = kept === undefined ? e164KeyToNumber(callerKey) : undefined;
    const act = number === undefined ? kept : this.heardOnceRecord(callerKey, number, slot);
    const mark = act === undefined ? this.marks.get(callerKey, number) : this.markOf(callerKey, act);
    const timed = act !== undefined && this.trim(callerKey, act);
    const attempts = timed ? (act.attempts ?? NO_TIMES) : NO_TIMES;
    const refusals = timed ? (act.refusals ?? NO_TIMES) : NO_TIMES;
    // One object a caller: the learned index writes its facts after the marks and times, or finds none.
    if (mark !== null) {
      return this.learned.evidenceWith(mark, attempts, refusals, callerKey, false, act) ?? { mark, attempts, refusals };
    }
    const learned = this.learned.evidenceWith(null, attempts, refusals, callerKey, true, act, number);
    // The clock is read for the prefix tree only: without one (learning.prefixes off, the default), an unknown
    // caller's evidence reads no clock (Date.now, a call into V8's runtime, ~2 µs of a cold decision).
    const prefixes = this.prefixes;
    let prefix: PrefixEstimate | null = null;
    let blockCalls: BlockCalls | null = null;
    if (prefixes !== null) {
      const now = this.clock.now();
      prefix = prefixes.estimate(callerKey, now);
      blockCalls = prefixes.blockCalls(callerKey, now);
    }
    if (learned === null && prefix === null && blockCalls === null) {
      return timed ? { mark, attempts, refusals } : NO_EVIDENCE;
    }
    const out = learned ?? { mark, attempts, refusals };
    if (prefix !== null || blockCalls !== null) {
      out.prefix = prefix;
      out.blockCalls = blockCalls;
    }
    return out;
  }

  /**
   * The caller's record, from `slot` when this index kept it there and it is still the one filed under `callerKey`
   * (its key: a record that left the table has none), else from the table (a caller heard once has none there:
   * heardOnceRecord), then kept in `slot`. A repeat caller's record is then reached from the caller-ID cache's entry
   * its decision has fetched already: the table's probe (its bucket, the entry, the key compared) was the second
   * hottest read of a decision with history (sessions 32-35).
   * A record that left the table stays reachable from its slot until a new one of the caller replaces it there or the
   * cache entry goes: an idle one (a record leaves only with no times, calls or talks left), a hundred bytes or so.
   */
  private recordOf(callerKey: string, slot: CallerSlot): CallerActivity | undefined {
    if (slot.owner === this.slotOwner) {
      // Written below by this index alone (owner): a CallerActivity or null.
      const kept = slot.record as CallerActivity | null;
      if (kept !== null && kept.key === callerKey) return kept;
    }
    const act = this.activity.peek(callerKey);
    if (act !== undefined) this.keep(slot, act);
    return act;
  }

  /** The record a caller heard once gets now (ActivityTable.promoteOnce), kept in `slot` as recordOf keeps one. */
  private heardOnceRecord(callerKey: string, number: number, slot: CallerSlot | undefined): CallerActivity | undefined {
    const act = this.activity.promoteOnce(callerKey, number);
    if (act !== undefined && slot !== undefined) this.keep(slot, act);
    return act;
  }

  /** Keeps the caller's record in its slot, this index its owner (recordOf). */
  private keep(slot: CallerSlot, act: CallerActivity): void {
    slot.owner = this.slotOwner;
    slot.record = act;
  }

  /** The caller's mark, as kept in its record while no mark was written since (see CallerActivity.mark). */
  private markOf(callerKey: string, act: CallerActivity): Readonly<Mark> | null {
    const version = this.marks.version;
    if (act.markVersion === version) return act.mark;
    const mark = this.marks.get(callerKey);
    act.mark = mark;
    act.markVersion = version;
    return mark;
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

  addAttempt(callerKey: string, time: number): void {
    const cutoff = this.cutoff();
    if (time < cutoff) return;
    let act = this.activity.peek(callerKey);
    if (act === undefined) {
      // A caller's first attempt kept without a record (caller-activity.ts), or its second one's record.
      if (this.activity.firstAttempt(callerKey, time)) return;
      act = this.activity.get(callerKey);
      if (act === undefined) {
        this.activity.set(callerKey, callerActivity(callerKey, [time], null));
        return;
      }
    }
    act.attempts = addTime(act.attempts, time, cutoff, MAX_TIMES_PER_CALLER);
    if (act.refusals !== null && dropBefore(act.refusals, cutoff)) act.refusals = null;
    this.refile(callerKey, act);
  }

  /**
   * Files `act` again under `callerKey` as this write gave it: the Map keeps the key string of the caller's first
   * write (the identity of a first call, which the caller-ID cache does not keep), while a caller's next decisions
   * ask with the cached identity's own string, the one its calls are recorded with. Equal strings that are different
   * objects are compared character by character at every look-up (the held one fetched from memory); the same
   * object is compared by address.
   */
  private refile(callerKey: string, act: CallerActivity): void {
    this.activity.delete(callerKey);
    this.activity.set(callerKey, act);
    act.key = callerKey;
  }

  /**
   * A refusal at `time`. One before the caller's latest change of mark (marked with any label, or cleared) is not
   * kept: the office's decision about the caller is a fresh start for the repeat rule (setMark drops the ones kept
   * before it; this is the same for those recorded after it, and for the start-up load, which reads the marks first:
   * a restart gives the same evidence). One at the change's very time is kept: a mark's first refusal.
   */
  addRefusal(callerKey: string, time: number): void {
    const cutoff = this.cutoff();
    if (time < cutoff || time < this.marks.changedAt(callerKey)) return;
    const act = this.activity.get(callerKey);
    if (act === undefined) {
      this.activity.set(callerKey, callerActivity(callerKey, null, [time]));
      return;
    }
    act.refusals = addTime(act.refusals, time, cutoff, MAX_TIMES_PER_CALLER);
    if (act.attempts !== null && dropBefore(act.attempts, cutoff)) act.attempts = null;
  }

  /**
   * A change of the caller's mark (any label, or 'none' to clear it). Its refusals before the change's time
   * leave the index (addRefusal keeps them out from then on): the repeat rule counts attempts from the earliest
   * refusal in the window, and a caller the office has just cleared (a customer marked nuisance by mistake, refused
   * under that mark) must not be refused for them; nor a caller it marked and then cleared for ones before the mark.
   */
  setMark(entry: MarkEntry): void {
    const before = this.marks.get(entry.callerKey)?.label ?? null;
    const after = entry.label === 'none' ? null : entry.label;
    this.learned.markChanged(entry.callerKey, before, after);
    this.prefixes?.mark(entry.callerKey, before, after, entry.at);
    this.marks.set(entry);
    // peek: a caller heard once (caller-activity.ts) has no refusals to drop.
    const act = this.activity.peek(entry.callerKey);
    if (act === undefined || act.refusals === null || !dropBefore(act.refusals, entry.at)) return;
    act.refusals = null;
    if (isIdle(act)) {
      // Nothing left of the caller (as trim leaves a record): it leaves the table, as a prune would have had it.
      this.activity.delete(entry.callerKey);
      act.key = null;
    }
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
    let dropped = this.activity.forgetOnceBefore(this.cutoff());
    for (const [key, act] of this.activity.entries()) {
      if ((act.attempts !== null || act.refusals !== null) && !this.trim(key, act)) dropped++;
    }
    this.learned.prune();
    this.prefixes?.prune(this.clock.now());
    return dropped;
  }

  /**
   * Drops `act`'s times that left the window: on a read, so into new arrays (a read never changes an array it
   * handed out; only a write of the caller does); false when none is left (and the caller forgotten when it has no
   * calls or talks either: the learned index's, which it drops in its own prune).
   */
  private trim(callerKey: string, act: CallerActivity): boolean {
    if (act.attempts === null && act.refusals === null) return false;
    const cutoff = this.cutoff();
    if (act.attempts !== null) act.attempts = since(act.attempts, cutoff);
    if (act.refusals !== null) act.refusals = since(act.refusals, cutoff);
    if (act.attempts === null && act.refusals === null) {
      if (noCalls(act)) {
        this.activity.delete(callerKey);
        act.key = null;
      }
      return false;
    }
    return true;
  }
}
