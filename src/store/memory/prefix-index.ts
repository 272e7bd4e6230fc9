/**
 * The prefix tree (screening/prefix-tree.ts) kept in step with the register (issue 14): what every write teaches it,
 * so the classifier reads the estimate of a number never seen before from memory, like the rest of the index.
 *
 * What counts, one distinct number at a time:
 * - nuisance: a nuisance mark (weight 1); a call crocetta refused on the caller's own evidence (prefixLearning
 *   `own`, weight 1); a call refused on its neighbourhood alone, at its expected label (`neighbourhood`); a call to a
 *   trap DID or a sweep of our DIDs, as it happens, at the weight of that reason, even when it was let through;
 * - legitimate: a trusted mark, a number the business called, a talk of at least `humanSeconds`.
 * A mark replaces the other kind (a trusted mark after a nuisance one leaves legitimate evidence only).
 */
import type { LearningRules } from '../../screening/learning.js';
import { prefixLearning } from '../../screening/prefix-evidence.js';
import { PrefixTree, type PrefixEstimate, type PrefixTreeRules } from '../../screening/prefix-tree.js';
import type { MarkLabel, Reason, Verdict } from '../../screening/types.js';

export interface PrefixIndexOptions {
  tree?: Partial<PrefixTreeRules>;
  /** A talk at least this long makes the number legitimate evidence (persistentHumanSeconds); 0 = never. */
  humanSeconds: number;
  /** The classifier's suspect threshold (what `own` evidence must reach without the block and prefix reasons). */
  suspect: number;
}

/** The tree's options from the screening rules; null when `screening.learning.prefixes.enabled` is false. */
export function prefixIndexOptions(
  learning: LearningRules | undefined,
  thresholds: { suspect: number },
): PrefixIndexOptions | null {
  const p = learning?.prefixes;
  if (p !== undefined && !p.enabled) return null;
  return {
    ...(p !== undefined && {
      tree: {
        nuisanceHalfLifeDays: p.nuisanceHalfLifeDays,
        legitHalfLifeDays: p.legitHalfLifeDays,
        credibility: p.credibility,
        minWeight: p.minWeight,
        maxWeight: p.maxWeight,
      },
    }),
    humanSeconds: learning?.safety.persistentHumanSeconds ?? 180,
    suspect: thresholds.suspect,
  };
}

/** Reasons that are nuisance evidence about the caller as they happen, whatever the action. */
const LIVE_NUISANCE: ReadonlySet<string> = new Set(['trap-did', 'sweep']);

export class PrefixIndex {
  readonly tree: PrefixTree;

  constructor(
    private readonly options: PrefixIndexOptions,
    private readonly now: () => number,
  ) {
    this.tree = new PrefixTree(options.tree ?? {});
  }

  /** The estimate for a caller key (`+39...`); null for other keys or an unknown neighbourhood. */
  estimate(callerKey: string, now: number): PrefixEstimate | null {
    return callerKey.startsWith('+') ? this.tree.estimate(callerKey, now) : null;
  }

  /** A mark changed from `before` to `after` (null = none) at `at`. */
  mark(callerKey: string, before: MarkLabel | null, after: MarkLabel | null, at: number): void {
    if (!callerKey.startsWith('+') || before === after) return;
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
    attempt: { time: number; verdict: Verdict; reasons: readonly Reason[] },
    refused: boolean,
  ): void {
    if (!callerKey.startsWith('+')) return;
    let live = 0;
    for (const r of attempt.reasons) if (LIVE_NUISANCE.has(r.code)) live = Math.max(live, r.weight);
    if (refused) {
      const learned = prefixLearning(
        { verdict: attempt.verdict, score: 0, reasons: [...attempt.reasons] },
        { suspect: this.options.suspect },
      );
      if (learned === 'own') return this.tree.observe(callerKey, 'nuisance', 1, attempt.time);
      if (learned === 'neighbourhood' && live === 0) {
        this.tree.observeUnlabelled(callerKey, attempt.time);
        return;
      }
    }
    if (live > 0) this.tree.observe(callerKey, 'nuisance', live, attempt.time);
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
