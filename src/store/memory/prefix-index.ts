/**
 * The prefix tree (screening/prefix-tree.ts) kept in step with the register (issue 14): what every write teaches it,
 * so the classifier reads the estimate of a number never seen before from memory, like the rest of the index.
 *
 * What counts, one distinct number at a time:
 * - nuisance: a nuisance mark (weight 1); a call crocetta refused on the caller's own evidence (prefixLearning
 *   `own`, weight 1); a call refused on its neighbourhood alone, at its expected label (`neighbourhood`); a call to a
 *   trap DID or a sweep of our DIDs, as it happens, at the weight of that reason, even when it was let through;
 *   a number friends report (as many as the consensus asks), at their combined weight, refreshed at every pull
 *   round while they report it; a report withdrawn (or weaker) at a later round leaves the tree at once when
 *   nothing of the business's own counts the number (a mark, a refusal, a trap call or sweep) — those stay;
 * - legitimate: a trusted mark, a number the business called, a talk of at least `humanSeconds`.
 * A mark replaces the other kind (a trusted mark after a nuisance one leaves legitimate evidence only).
 */
import type { LearningRules } from '../../screening/learning.js';
import { prefixLearning } from '../../screening/prefix-evidence.js';
import { estimateMinute, PrefixTree, type PrefixEstimate, type PrefixTreeRules } from '../../screening/prefix-tree.js';
import { hashDouble, SecondSight } from '../../screening/second-sight.js';
import { e164KeyToNumber } from './mark-table.js';
import type { BlockCalls, MarkLabel, Reason, Verdict } from '../../screening/types.js';

/** The 1000-block of a caller key (`+` and at least 9 digits, as blocks.minDigits asks), else null. */
function blockOf(callerKey: string): number | null {
  if (!callerKey.startsWith('+') || callerKey.length < 10) return null;
  const digits = Number(callerKey.slice(1));
  return Number.isSafeInteger(digits) ? Math.floor(digits / 1000) : null;
}

export interface PrefixIndexOptions {
  tree?: Partial<PrefixTreeRules>;
  /** A talk at least this long makes the number legitimate evidence (persistentHumanSeconds); 0 = never. */
  humanSeconds: number;
  /** The classifier's suspect threshold (what `own` evidence must reach without the block and prefix reasons). */
  suspect: number;
  /** How long calls of a 1000-block are kept for its sweeps of our DIDs (behaviour.sweep.windowMinutes), ms. */
  sweepWindowMs?: number;
}

/** The tree's options from the screening rules; null when `screening.learning.prefixes.enabled` is false. */
export function prefixIndexOptions(
  learning: LearningRules | undefined,
  thresholds: { suspect: number },
): PrefixIndexOptions | null {
  const p = learning?.prefixes;
  if (p !== undefined && !p.enabled) return null;
  const options: PrefixIndexOptions = {
    humanSeconds: learning?.safety.persistentHumanSeconds ?? 180,
    suspect: thresholds.suspect,
  };
  if (p !== undefined) {
    options.tree = {
      nuisanceHalfLifeDays: p.nuisanceHalfLifeDays,
      legitHalfLifeDays: p.legitHalfLifeDays,
      credibility: p.credibility,
      minWeight: p.minWeight,
      maxWeight: p.maxWeight,
      hintWeight: p.hintWeight,
    };
  }
  if (learning !== undefined) options.sweepWindowMs = learning.behaviour.sweep.windowMinutes * 60_000;
  return options;
}

/** Reasons that are nuisance evidence about the caller as they happen, whatever the action. */
const LIVE_NUISANCE: ReadonlySet<string> = new Set(['trap-did', 'sweep', 'block-sweep']);
/** Slots of the memo of estimates for callers that come back (PrefixIndex.estimate); a power of two. */
const ESTIMATE_MEMO_SLOTS = 1 << 14;

/** At most this many recent calls are kept per 1000-block (a sweep needs a handful). */
const BLOCK_CALLS_KEPT = 16;

interface BlockCall {
  at: number;
  did: string | null;
  number: string;
}

export class PrefixIndex {
  readonly tree: PrefixTree;
  /** Recent calls per 1000-block (the caller's E.164 digits without their last 3), within the sweep window. */
  private readonly recent = new Map<number, BlockCall[]>();
  private readonly sweepWindowMs: number;
  /**
   * Numbers counted in the tree on friends' reports alone (nothing of the business's own about them), with the
   * weight counted: what a later pull round may withdraw.
   */
  private readonly friendOnly = new Map<string, number>();
  /**
   * Estimates handed out, by caller key (as its double), with the tree's version and the minute they were computed
   * for: a caller that comes back within the minute, nothing written to the tree since, gets the same estimate
   * without walking its path again (the walk doubled a repeat caller's decision with the tree on). Direct-mapped by
   * the key's hash; a key is kept from its second look-up on (SecondSight), so callers heard once leave nothing.
   */
  private readonly memoKeys = new Float64Array(ESTIMATE_MEMO_SLOTS).fill(NaN);
  private readonly memoVersions = new Float64Array(ESTIMATE_MEMO_SLOTS);
  private readonly memoMinutes = new Float64Array(ESTIMATE_MEMO_SLOTS);
  private readonly memoEstimates: (PrefixEstimate | null)[] = new Array<PrefixEstimate | null>(
    ESTIMATE_MEMO_SLOTS,
  ).fill(null);
  private readonly estimatesComingBack = new SecondSight();

  constructor(
    private readonly options: PrefixIndexOptions,
    private readonly now: () => number,
  ) {
    this.tree = new PrefixTree(options.tree ?? {});
    this.sweepWindowMs = options.sweepWindowMs ?? 30 * 60_000;
  }

  /** Calls from other numbers of the caller's 1000-block within the sweep window before `now`; null when none. */
  blockCalls(callerKey: string, now: number): BlockCalls | null {
    const block = blockOf(callerKey);
    if (block === null) return null;
    const list = this.recent.get(block);
    if (list === undefined) return null;
    const cutoff = now - this.sweepWindowMs;
    const calls = list.filter((c) => c.at >= cutoff && c.number !== callerKey);
    return calls.length === 0 ? null : { prefix: String(block), calls };
  }

  /** The estimate for a caller key (`+39...`); null for other keys or an unknown neighbourhood. */
  estimate(callerKey: string, now: number): PrefixEstimate | null {
    if (!callerKey.startsWith('+')) return null;
    const key = e164KeyToNumber(callerKey);
    if (key < 0) return this.tree.estimate(callerKey, now);
    const slot = hashDouble(key) & (ESTIMATE_MEMO_SLOTS - 1);
    const minute = estimateMinute(now);
    const version = this.tree.version;
    if (this.memoKeys[slot] === key && this.memoVersions[slot] === version && this.memoMinutes[slot] === minute) {
      return this.memoEstimates[slot] ?? null;
    }
    const estimate = this.tree.estimate(callerKey, now);
    if (this.estimatesComingBack.again(key)) {
      this.memoKeys[slot] = key;
      this.memoVersions[slot] = version;
      this.memoMinutes[slot] = minute;
      // Frozen: handed out to every decision until the tree changes, and a sign to prefixReason that its reason
      // may be kept with it.
      if (estimate !== null) {
        Object.freeze(estimate.node);
        Object.freeze(estimate);
      }
      this.memoEstimates[slot] = estimate;
    }
    return estimate;
  }

  /** A mark changed from `before` to `after` (null = none) at `at`. */
  mark(callerKey: string, before: MarkLabel | null, after: MarkLabel | null, at: number): void {
    if (!callerKey.startsWith('+') || before === after) return;
    this.friendOnly.delete(callerKey);
    if (after === 'nuisance') {
      this.tree.retract(callerKey, 'legit', at);
      if (!this.faded('nuisance', at)) this.tree.observe(callerKey, 'nuisance', 1, at);
    } else if (after === 'trusted') {
      this.tree.retract(callerKey, 'nuisance', at);
      if (!this.faded('legit', at)) this.tree.observe(callerKey, 'legit', 1, at);
    } else if (before !== null) {
      this.tree.retract(callerKey, before === 'nuisance' ? 'nuisance' : 'legit', at);
    }
  }

  /** One attempt as the register records it. */
  attempt(
    callerKey: string,
    attempt: { time: number; calledNumber?: string | null; verdict: Verdict; reasons: readonly Reason[] },
    refused: boolean,
  ): void {
    if (!callerKey.startsWith('+')) return;
    let live = 0;
    let blockSweep = 0;
    for (const r of attempt.reasons) {
      if (LIVE_NUISANCE.has(r.code)) live = Math.max(live, r.weight);
      if (r.code === 'block-sweep') blockSweep = r.weight;
    }
    this.noteBlockCall(callerKey, attempt.time, attempt.calledNumber ?? null, blockSweep);
    if (refused) {
      // The attempt itself: what prefixLearning reads of a decision (its verdict and reasons), no copy made.
      const learned = prefixLearning(attempt, this.options);
      if (learned === 'own') {
        this.friendOnly.delete(callerKey);
        return this.tree.observe(callerKey, 'nuisance', 1, attempt.time);
      }
      if (learned === 'neighbourhood' && live === 0) {
        this.tree.observeUnlabelled(callerKey, attempt.time);
        return;
      }
    }
    if (live > 0) {
      this.friendOnly.delete(callerKey);
      this.tree.observe(callerKey, 'nuisance', live, attempt.time);
    }
  }

  /**
   * Friends' reports as they stand after a pull round (all of them: the round replaces the last one): each number
   * at its friends' combined weight, as of `at`. A number already counted as strongly (a mark, a refusal) is left
   * as it is (PrefixTree.observe takes the max). A number counted on friends' reports alone that this round no
   * longer reports (withdrawn, cleared on appeal, below the consensus), or reports more weakly, leaves the tree
   * (and comes back at its new weight): a withdrawn report must not keep condemning its neighbours for months.
   */
  friendReports(reports: Iterable<{ callerKey: string; weight: number }>, at: number): void {
    const now = new Map<string, number>();
    for (const r of reports) {
      if (r.callerKey.startsWith('+') && r.weight > 0) now.set(r.callerKey, Math.min(1, r.weight));
    }
    for (const [key, counted] of this.friendOnly) {
      const weight = now.get(key);
      if (weight !== undefined && weight >= counted) continue;
      this.tree.retract(key, 'nuisance', at);
      this.friendOnly.delete(key);
    }
    if (this.faded('nuisance', at)) return;
    for (const [key, weight] of now) {
      // Nuisance already counted, not by friends: the business's own evidence, which no withdrawal takes away.
      const own = !this.friendOnly.has(key) && this.tree.nuisanceOf(key, at) > 0;
      this.tree.observe(key, 'nuisance', weight, at);
      if (!own) this.friendOnly.set(key, weight);
    }
  }

  /** An answered call of `seconds` at `at`: a long one makes the number legitimate evidence. */
  talk(callerKey: string, at: number, seconds: number): void {
    const human = this.options.humanSeconds;
    if (human > 0 && seconds >= human && callerKey.startsWith('+'))
      this.tree.observe(callerKey, 'legit', 1, at + seconds * 1000);
  }

  /** The business called this number at `at`. */
  calledByUs(callerKey: string, at: number): void {
    if (callerKey.startsWith('+')) this.tree.observe(callerKey, 'legit', 1, at);
  }

  prune(now: number): void {
    this.tree.prune(now);
    const cutoff = now - this.sweepWindowMs;
    for (const [block, list] of this.recent) if ((list.at(-1)?.at ?? 0) < cutoff) this.recent.delete(block);
  }

  /**
   * Keeps the call in its block's recent list; when it completed a sweep of the block (`sweepWeight` > 0), the
   * block's other numbers in the window are nuisance evidence too, as they happened.
   */
  private noteBlockCall(callerKey: string, at: number, did: string | null, sweepWeight: number): void {
    const block = blockOf(callerKey);
    if (block === null) return;
    const cutoff = at - this.sweepWindowMs;
    const call: BlockCall = { at, did, number: callerKey };
    const list = this.recent.get(block);
    // A block's first call (most calls: few blocks ring twice within the window) makes its list and nothing else.
    if (list === undefined) {
      this.recent.set(block, [call]);
      return;
    }
    // The list is the index's own (blockCalls hands out a filtered copy): kept in place, without the calls that
    // left the window, the newest BLOCK_CALLS_KEPT at most; no new list and no Map write per call.
    let w = 0;
    for (let r = 0; r < list.length; r++) {
      const c = list[r]!;
      if (c.at >= cutoff) list[w++] = c;
    }
    if (w !== list.length) list.length = w;
    if (sweepWeight > 0) {
      for (const c of list) {
        if (c.number === callerKey) continue;
        this.friendOnly.delete(c.number);
        this.tree.observe(c.number, 'nuisance', sweepWeight, c.at);
      }
    }
    list.push(call);
    if (list.length > BLOCK_CALLS_KEPT) list.splice(0, list.length - BLOCK_CALLS_KEPT);
  }

  /**
   * Evidence from `at` that has decayed below what prune forgets by now (a mark of two years ago at start-up):
   * not worth learning the number's prefixes (libphonenumber formats each new number once, 5–100 µs).
   */
  private faded(kind: 'nuisance' | 'legit', at: number): boolean {
    const r = this.tree.rules;
    const halfLifeMs = (kind === 'nuisance' ? r.nuisanceHalfLifeDays : r.legitHalfLifeDays) * 86_400_000;
    return 2 ** (-Math.max(0, this.now() - at) / halfLifeMs) < r.forgetBelow;
  }
}
