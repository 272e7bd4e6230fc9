import { DAY_MS } from '../../time/units.js';
/**
 * The learned part of the in-memory index (issue 5), kept beside EvidenceIndex and updated on every write:
 * - per number block, how many distinct numbers are marked nuisance and how many are trusted (trusted marks,
 *   numbers the business called): four Maps keyed by the block prefix as a number, maintained on each mark
 *   change, so a call costs one Map lookup (plus ten when its large block has members), never a scan;
 * - per active caller, the DIDs of its recent attempts (sweeps) and the talk times of its answered calls;
 * - numbers the business called (PBX outbound, CDR import) and "let the next call through" overrides.
 *
 * Memory: blocks cost ~40–60 bytes per distinct small block with a marked member (1M marks in 100k blocks:
 * ~6 MB; 1M marks all in different blocks: ~60 MB, the worst case). Activity only for callers in the window.
 */
import type { BlockCounts, CallerEvidence, LearnedEvidence, Mark, MarkLabel } from '../../screening/types.js';
import { CallRecord, TalkRecord } from '../../screening/call-list.js';
import {
  callerActivity,
  isIdle,
  MAX_PER_CALLER,
  noCalls,
  NO_TIMES,
  type ActivityTable,
  type CallerActivity,
} from './caller-activity.js';
import { hashDouble, SecondSight } from '../../screening/second-sight.js';
import { BlockCountTable } from './block-counts.js';
import { e164KeyToNumber } from './mark-table.js';

function bumpCount(map: Map<number, number>, key: number, by: number): void {
  const next = (map.get(key) ?? 0) + by;
  if (next <= 0) map.delete(key);
  else map.set(key, next);
}
/** Slots of the memo of BlockCounts for callers that come back (LearnedIndex.blockCounts); a power of two. */
const BLOCK_MEMO_SLOTS = 1 << 15;
export { MAX_PER_CALLER };

export interface LearnedIndexOptions {
  lookbackDays: number;
  /** Digits dropped for the small block (1: blocks of 10); the large block drops one more. @defaultValue 1 */
  blockDropDigits?: number;
  now: () => number;
  /**
   * The callers' records, shared with EvidenceIndex (caller-activity.ts): this index writes their calls and talks,
   * ascending, in place (what evidence() hands out is good until the caller's next write; a read never changes it;
   * numbers in arrays, no object per call: call-list.ts). A part stays null until the caller's first call or talk: a
   * list costs ~70 bytes empty, and many callers never talk.
   */
  activity: ActivityTable;
}

export class LearnedIndex {
  /** Counts per small block (E.164 digits less `drop`) and per large block (one digit fewer). */
  private readonly small = new BlockCountTable();
  private readonly large = new BlockCountTable();
  private readonly activity: ActivityTable;
  private readonly called = new Map<string, number>();
  private readonly overrides = new Map<string, number>();
  private overrideWrites = 0;
  /** Numbers crocetta itself found nuisance (learnsBlockMember), counted as block members for the look-back. */
  private readonly learnedMembers = new Map<string, number>();
  /** How many of the nuisance members above are learned ones, per small and large block (marked = the rest). */
  private readonly learnedSmall = new Map<number, number>();
  private readonly learnedLarge = new Map<number, number>();
  /** Bumped on every change of a block count: BlockCounts handed out before it are stale. */
  private blockVersion = 0;
  /**
   * BlockCounts handed out, with the version they were counted at: a caller that comes back gets the same frozen
   * object while no count changed (a write anywhere invalidates all; O(1)). Direct-mapped by the small block's
   * hash (a block evicts the one in its slot): a Map keyed by the small block, an 11- or 12-digit number V8 boxes,
   * cost a heap number per look-up and was the dearest step of a repeat caller's evidence. A block with no known
   * member is memoized too (null): most callers' blocks, each a binary search of the large blocks otherwise.
   */
  private readonly memoBlocks = new Float64Array(BLOCK_MEMO_SLOTS).fill(NaN);
  private readonly memoVersions = new Float64Array(BLOCK_MEMO_SLOTS);
  /** undefined: nothing memoized in the slot; null: no member of the block's large block (memoized too). */
  private readonly memoCounts: (Readonly<BlockCounts> | null | undefined)[] = new Array<
    Readonly<BlockCounts> | null | undefined
  >(BLOCK_MEMO_SLOTS).fill(undefined);
  /** A block is memoized from its second look-up on: blocks looked up once leave nothing behind. */
  private readonly blocksComingBack = new SecondSight();
  private readonly divisor: number;
  private readonly drop: number;
  private readonly lookbackMs: number;

  constructor(private readonly options: LearnedIndexOptions) {
    this.drop = options.blockDropDigits ?? 1;
    this.divisor = 10 ** this.drop;
    this.lookbackMs = options.lookbackDays * DAY_MS;
    this.activity = options.activity;
  }

  /** Number of small blocks with at least one counted member. */
  get blocks(): number {
    return this.small.size;
  }

  /** Bytes held by the block count tables' typed arrays. */
  get blockBytes(): number {
    return this.small.byteLength + this.large.byteLength;
  }

  /** A mark changed from `before` to `after` (null = none): the block counts follow. */
  markChanged(callerKey: string, before: MarkLabel | null, after: MarkLabel | null): void {
    if (before === after) return;
    const key = e164KeyToNumber(callerKey);
    if (key < 0) return;
    if (this.learnedMembers.delete(callerKey)) this.countLearned(key, -1); // the mark takes over
    if (before !== null) this.count(key, before, -1);
    if (after !== null) this.count(key, after, 1);
  }

  /** `n` members (negative: fewer) of one small block (the E.164 digits of the block prefix as a number). */
  addBlockMembers(smallPrefix: number, label: MarkLabel, n: number): void {
    this.blockVersion++;
    this.small.add(smallPrefix, label, n);
    this.large.add(Math.floor(smallPrefix / 10), label, n);
  }

  /**
   * Start-up load: the small-block prefix of every marked number loaded in bulk (not through markChanged), one
   * entry per number. Replaces the base counts; changes made through addBlockMembers stay on top.
   */
  loadBlocks(nuisanceSmall: Float64Array, trustedSmall: Float64Array): void {
    this.blockVersion++;
    const tenth = (a: Float64Array) => a.map((v) => Math.floor(v / 10));
    this.large.load(tenth(nuisanceSmall), tenth(trustedSmall));
    this.small.load(nuisanceSmall, trustedSmall);
  }

  get blockDropDigits(): number {
    return this.drop;
  }

  private count(key: number, label: MarkLabel, by: number): void {
    this.addBlockMembers(Math.floor(key / this.divisor), label, by);
  }

  /** A learned member (`by` = ±1): a nuisance member of its blocks, and counted apart from the marks. */
  private countLearned(key: number, by: number): void {
    this.count(key, 'nuisance', by);
    const small = Math.floor(key / this.divisor);
    bumpCount(this.learnedSmall, small, by);
    bumpCount(this.learnedLarge, Math.floor(small / 10), by);
    this.blockVersion++;
  }

  addCall(callerKey: string, at: number, did: string | null): void {
    if (at < this.options.now() - this.lookbackMs) return;
    if (this.activity.peek(callerKey) === undefined && this.activity.callOnce(callerKey, at, did)) return;
    const act = this.activityOf(callerKey);
    this.trimActivity(act);
    (act.calls ??= CallRecord.empty()).add(at, did, MAX_PER_CALLER);
  }

  addTalk(callerKey: string, at: number, seconds: number): void {
    if (!(seconds >= 0) || at < this.options.now() - this.lookbackMs) return;
    if (this.activity.peek(callerKey) === undefined && this.activity.talkOnce(callerKey, at, seconds)) return;
    const act = this.activityOf(callerKey);
    this.trimActivity(act);
    (act.talks ??= TalkRecord.empty()).add(at, seconds, MAX_PER_CALLER);
  }

  /** The business called this number at `at` (PBX outbound, CDR import): trusted, and its blocks stop folding. */
  addCalledByUs(callerKey: string, at: number): void {
    const before = this.called.get(callerKey);
    if (before === undefined) {
      const key = e164KeyToNumber(callerKey);
      if (key >= 0) this.count(key, 'trusted', 1);
    }
    if (before === undefined || at > before) this.called.set(callerKey, at);
  }

  /** crocetta found this number nuisance on its own evidence: a block member until the look-back forgets it. */
  addLearnedMember(callerKey: string, at: number, markedNuisance = false): void {
    if (markedNuisance) return;
    const key = e164KeyToNumber(callerKey);
    if (key < 0) return;
    if (!this.learnedMembers.has(callerKey)) this.countLearned(key, 1);
    this.learnedMembers.set(callerKey, at);
  }

  setAllowNext(callerKey: string, at: number | null): void {
    this.overrideWrites++;
    if (at === null) this.overrides.delete(callerKey);
    else this.overrides.set(callerKey, at);
  }

  /** When the office asked to let this caller's next call through (ms), null when nothing is pending. */
  allowNextOf(callerKey: string): number | null {
    return this.overrides.get(callerKey) ?? null;
  }

  /** Uses up the override of a caller; true when there was one. */
  consumeAllowNext(callerKey: string): boolean {
    const had = this.overrides.delete(callerKey);
    if (had) this.overrideWrites++;
    return had;
  }

  /** Changes of the "let the next call through" overrides so far: what the verdict memo's entries are checked against. */
  get overridesVersion(): number {
    return this.overrideWrites;
  }

  /**
   * What the classifier needs beyond marks and times; null when nothing is known (the common case). `blocks`
   * false: without the number blocks (a marked caller's, which the classifier does not read: EvidenceIndex).
   * `act`: the caller's record when the caller already looked it up (EvidenceIndex.evidenceFor: one look-up).
   */
  evidence(
    callerKey: string,
    blocks = true,
    act: CallerActivity | undefined = this.activity.get(callerKey),
  ): LearnedEvidence | null {
    const found = this.evidenceWith(null, NO_TIMES, NO_TIMES, callerKey, blocks, act);
    if (found === null) return null;
    // evidenceWith's facts without the marks and times it was given: the fields it wrote, and only those.
    const { mark: _mark, attempts: _attempts, refusals: _refusals, ...learned } = found;
    return learned;
  }

  /**
   * A caller's evidence as one object: `mark`, `attempts` and `refusals` as given (EvidenceIndex's), then what this
   * index knows (evidence(): block, calls, talks, calledByUs, allowNext, in that order); null when this index knows
   * nothing. EvidenceIndex.evidenceFor's read: a repeat caller's evidence was three objects (the marks and times,
   * this index's facts, then the two copied into one), ~100 bytes a decision the collector had to come for.
   * `number`: e164KeyToNumber(callerKey) when the caller read it already (a caller without a record: its blocks').
   */
  evidenceWith(
    mark: Mark | null,
    attempts: readonly number[],
    refusals: readonly number[],
    callerKey: string,
    blocks: boolean,
    act: CallerActivity | undefined,
    number?: number,
  ): CallerEvidence | null {
    const block = !blocks
      ? null
      : act !== undefined
        ? this.blockCountsOf(callerKey, act)
        : this.blockCounts(callerKey, number ?? e164KeyToNumber(callerKey));
    const calls = act === undefined ? null : act.calls;
    const talks = act === undefined ? null : act.talks;
    // Empty tables are not asked (most registers have no "let the next call through" pending, many no numbers we
    // called): a look-up per call each.
    const called = this.called.size === 0 ? undefined : this.called.get(callerKey);
    const override = this.overrides.size === 0 ? undefined : this.overrides.get(callerKey);
    if (block === null && calls === null && talks === null && called === undefined && override === undefined) {
      return null;
    }
    const out: CallerEvidence = { mark, attempts, refusals };
    if (block !== null) out.block = block;
    if (calls !== null || talks !== null) {
      // On a read, what left the window is left out of a copy: a read never changes a list it handed out.
      const cutoff = this.options.now() - this.lookbackMs;
      const recent = calls?.since(cutoff);
      const answered = talks?.since(cutoff);
      if (recent !== undefined && recent.length > 0) out.calls = recent;
      if (answered !== undefined && answered.length > 0) out.talks = answered;
    }
    if (
      out.block === undefined &&
      out.calls === undefined &&
      out.talks === undefined &&
      called === undefined &&
      override === undefined
    ) {
      return null;
    }
    if (called !== undefined) out.calledByUs = called;
    if (override !== undefined) out.allowNext = override;
    return out;
  }

  /**
   * The caller's number blocks, or null when no member of its large block is known. Frozen, see blockMemo. `key`:
   * e164KeyToNumber(callerKey), when the caller has it.
   */
  blockCounts(callerKey: string, key = e164KeyToNumber(callerKey)): Readonly<BlockCounts> | null {
    if (key < 0) return null;
    const small = Math.floor(key / this.divisor);
    const slot = hashDouble(small) & (BLOCK_MEMO_SLOTS - 1);
    if (this.memoBlocks[slot] === small && this.memoVersions[slot] === this.blockVersion) {
      const known = this.memoCounts[slot];
      if (known !== undefined) return known;
    }
    const counts = this.countBlocks(small);
    if (this.blocksComingBack.again(small)) {
      this.memoBlocks[slot] = small;
      this.memoVersions[slot] = this.blockVersion;
      this.memoCounts[slot] = counts;
    }
    return counts;
  }

  /** blockCounts, as kept in the caller's record while no block count changed since (see CallerActivity.block). */
  private blockCountsOf(callerKey: string, act: CallerActivity): Readonly<BlockCounts> | null {
    const version = this.blockVersion;
    if (act.blockVersion === version) return act.block;
    const block = this.blockCounts(callerKey);
    act.block = block;
    act.blockVersion = version;
    return block;
  }

  private countBlocks(small: number): Readonly<BlockCounts> | null {
    const large = Math.floor(small / 10);
    const largeAt = this.large.indexOf(large);
    const largeNuisance = this.large.nuisanceAt(largeAt, large);
    const largeTrusted = this.large.trustedAt(largeAt, large);
    if (largeNuisance === 0 && largeTrusted === 0) return null;
    const tens: number[] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    const smallTrusted = this.small.nuisanceOfTenAndTrusted(large * 10, tens, small - large * 10);
    const smallNuisance = tens[small - large * 10]!;
    // Empty Maps are not asked (the block, a double, would be boxed for the call): no learned member is the rule.
    const largeLearned = this.learnedLarge.size === 0 ? 0 : (this.learnedLarge.get(large) ?? 0);
    const smallLearned = this.learnedSmall.size === 0 ? 0 : (this.learnedSmall.get(small) ?? 0);
    let tensMarked: readonly number[] = tens;
    if (largeLearned > 0) {
      const marked = tens.slice();
      for (let i = 0; i < 10; i++)
        marked[i] = Math.max(0, (tens[i] ?? 0) - (this.learnedSmall.get(large * 10 + i) ?? 0));
      tensMarked = Object.freeze(marked);
    }
    return Object.freeze({
      small: String(small),
      smallNuisance,
      smallTrusted,
      large: String(large),
      largeNuisance,
      largeTrusted,
      tens: Object.freeze(tens),
      smallMarked: Math.max(0, smallNuisance - smallLearned),
      largeMarked: Math.max(0, largeNuisance - largeLearned),
      tensMarked,
    });
  }

  /** Drops activity and learned members older than the look-back window. */
  prune(): number {
    let dropped = 0;
    const cutoff = this.options.now() - this.lookbackMs;
    for (const [key, at] of this.learnedMembers) {
      if (at < cutoff) {
        this.learnedMembers.delete(key);
        const n = e164KeyToNumber(key);
        if (n >= 0) this.countLearned(n, -1);
      }
    }
    for (const [key, act] of this.activity.entries()) {
      if (act.calls === null && act.talks === null) continue; // attempts and refusals only: EvidenceIndex's
      this.trimActivity(act);
      if (noCalls(act)) {
        // Its calls and talks dropped, as a caller never heard: a later call starts them afresh.
        act.calls = null;
        act.talks = null;
        dropped++;
        if (isIdle(act)) {
          this.activity.delete(key);
          act.key = null;
        }
      }
    }
    return dropped;
  }

  private activityOf(callerKey: string): CallerActivity {
    let act = this.activity.get(callerKey);
    if (act === undefined) {
      act = callerActivity(callerKey, null, null);
      this.activity.set(callerKey, act);
    }
    return act;
  }

  /** Drops, in place, the calls and talks of `act` that left the look-back window. */
  private trimActivity(act: CallerActivity): void {
    const cutoff = this.options.now() - this.lookbackMs;
    act.calls?.dropBefore(cutoff);
    act.talks?.dropBefore(cutoff);
  }
}
