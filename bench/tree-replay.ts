/**
 * bench/tree-replay.ts: `npm run bench:accuracy -- --trace FILE --tree` adds the prefix tree
 * (src/screening/prefix-tree.ts) to the replay as an extra evidence term, the way issue 14's second phase wires it
 * into the classifier and the register, so the accuracy the wired version should reach is measured before the
 * wiring exists. Without `--tree` nothing here runs and bench:accuracy is unchanged.
 *
 * Per call, after the real classifier decided:
 * - unless the decision is trusted or rests on a nuisance mark (the classifier skips learned evidence then), the
 *   tree's reason and the block gates' reason are combined by prefixEvidence (the stronger, vetoed by a trusted
 *   number in the 10/100-block) in place of the gates' reason, and the score is recombined by noisy-OR exactly
 *   as classify.ts does (rule floors kept: the new score is never below the old one), then the verdict re-read
 *   from the thresholds;
 * - what the register would feed the tree: a refusal (`own` evidence → a nuisance number; the tree's or a block's
 *   say-so alone → counted at its expected label), a talk of at least `persistentHumanSeconds` (a legitimate
 *   number), the office's marks after the call (nuisance, or trusted; each replaces the other kind).
 */
import type { CallerIdentity } from '../src/callerid/types.js';
import type { ScreeningRules } from '../src/screening/rules.js';
import { prefixEvidence, prefixLearning, prefixReason } from '../src/screening/prefix-evidence.js';
import { PrefixTree, type PrefixEstimate, type PrefixTreeRules } from '../src/screening/prefix-tree.js';
import type { CallerEvidence, Decision, Reason, Verdict } from '../src/screening/types.js';

export interface TreeStep {
  decision: Decision;
  /** The tree's estimate for the caller, when its neighbourhood is known. */
  estimate: PrefixEstimate | null;
  /** Whether the tree's reason is the one the decision kept (it decided or helped decide). */
  used: boolean;
}

/** "country", "area", "block 1000"...: the depth that decided, for the explanations. */
export function depthLabel(estimate: PrefixEstimate | null): string {
  if (estimate === null) return 'no node';
  const node = estimate.node;
  return node.level === 'block' ? `${10 ** node.free}-block` : node.level === 'area' ? 'destination code' : 'country';
}

export class TreeReplay {
  readonly tree: PrefixTree;
  private lastPrune = 0;

  constructor(
    private readonly rules: ScreeningRules,
    treeRules: Partial<PrefixTreeRules> = {},
  ) {
    this.tree = new PrefixTree(treeRules);
  }

  /** The classifier's decision with the tree's evidence in it. */
  adjust(decision: Decision, identity: CallerIdentity, evidence: CallerEvidence, now: number): TreeStep {
    const e164 = identity.number?.e164 ?? null;
    if (now - this.lastPrune > 600_000) {
      this.tree.prune(now);
      this.lastPrune = now;
    }
    if (e164 === null) return { decision, estimate: null, used: false };
    const estimate = this.tree.estimate(e164, now);
    if (decision.verdict === 'trusted' || decision.reasons.some((r) => r.code === 'marked-nuisance')) {
      return { decision, estimate, used: false };
    }
    const learning = this.rules.learning;
    const discount = decision.reasons.some((r) => r.code === 'shaken-full') ? (learning?.shaken.fullDiscount ?? 1) : 1;
    const tree = prefixReason(estimate, undefined, discount);
    const gate = decision.reasons.find((r) => r.code === 'nuisance-block') ?? null;
    const chosen = prefixEvidence(gate, tree, evidence.block);
    if (chosen === gate || chosen === null) return { decision, estimate, used: false };
    const reasons: Reason[] = decision.reasons.filter((r) => r !== gate);
    let keep = 1;
    for (const r of reasons) keep *= 1 - r.weight;
    keep *= 1 - chosen.weight;
    reasons.push(chosen);
    reasons.sort((a, b) => b.weight - a.weight);
    const score = Math.min(1, Math.max(decision.score, 1 - keep));
    return { decision: { verdict: this.verdictFor(score), score, reasons }, estimate, used: true };
  }

  /** What the register would tell the tree after the call. */
  learn(call: {
    e164: string | null;
    decision: Decision;
    stopped: boolean;
    /** Seconds talked, when the call reached the office. */
    talk: number;
    office: string;
    time: number;
  }): void {
    const { e164, decision, stopped, time } = call;
    if (e164 === null) return;
    if (stopped) {
      const learned = prefixLearning(decision, this.rules.thresholds);
      if (learned === 'own') this.tree.observe(e164, 'nuisance', 1, time);
      else if (learned === 'neighbourhood') this.tree.observeUnlabelled(e164, time);
      return;
    }
    const human = this.rules.learning?.safety.persistentHumanSeconds ?? 180;
    const after = time + call.talk * 1000;
    if (call.office === 'mark-nuisance') {
      this.tree.retract(e164, 'legit', after);
      this.tree.observe(e164, 'nuisance', 1, after);
    } else if (call.office === 'mark-trusted') {
      this.tree.retract(e164, 'nuisance', after);
      this.tree.observe(e164, 'legit', 1, after);
    } else if (human > 0 && call.talk >= human && decision.verdict !== 'nuisance') {
      this.tree.observe(e164, 'legit', 1, after);
    }
  }

  private verdictFor(score: number): Verdict {
    const t = this.rules.thresholds;
    return score >= t.nuisance ? 'nuisance' : score >= t.suspect ? 'suspect' : 'unknown';
  }
}
