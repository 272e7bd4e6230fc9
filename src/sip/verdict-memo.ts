import type { CallerIdentity, PhoneNumber } from '../callerid/types.js';
import type { Classifier } from '../screening/classify.js';
import type { Action, ActionPolicy } from '../screening/policy.js';
import type { Decision } from '../screening/types.js';

/**
 * Verdict memo (answering first, store.verdictMemo): the settled refusal of a caller marked nuisance, kept so that
 * its next call is refused without looking up its evidence or choosing its action again. What such a refusal reads
 * (screen.ts actionBeforeReasons, classify.ts isMarkedNuisance, rules.ts pickAction): the caller's identity and the
 * called number (each a pure function of the request's header values, and the caller-ID caches hand one frozen
 * object to every request with the same values: the memo is keyed by those objects), the caller's mark and "let the
 * next call through" override (the index's verdictVersion counts every change of either), the classifier (its
 * thresholds and safety nets) and the policy (the panel's settings swap both objects: compared by identity), and the
 * time only when a rule with hours was asked (such a choice is never kept). Attempts, refusals, talks, friends'
 * reports and prefix evidence do not change a marked caller's verdict nor its action (only its reasons and score,
 * which the whole screening after the answer writes): they are not part of the key. An entry whose state is not the
 * current one is a miss (and dropped).
 */
export interface MemoState {
  classify: Classifier;
  policy: ActionPolicy;
  /** The evidence's verdictVersion when the refusal was chosen. */
  version: number;
}

interface Entry {
  called: PhoneNumber | null;
  classify: Classifier;
  policy: ActionPolicy;
  version: number;
  decision: Decision;
  action: Action;
}

/** The memo's answer: the provisional decision and the action chosen for the same identity, number and state. */
export interface MemoHit {
  decision: Decision;
  action: Action;
}

export class VerdictMemo {
  /** Keyed by the caller-ID cache's identity (frozen, shared): an identity the cache drops takes its entry with it. */
  private entries = new WeakMap<CallerIdentity, Entry>();
  private held = 0;

  /** At most this many entries are made before the memo starts afresh (a WeakMap cannot be counted or trimmed). */
  constructor(private readonly limit = 20_000) {}

  /**
   * Whether the memo may hold `identity`: only a shared (frozen) one, which the caller-ID cache hands to every request
   * with the same values; an identity of one request only (a caller heard for the first time) is never kept (set), so
   * screen.ts does not look for it.
   */
  mayHold(identity: CallerIdentity): boolean {
    return Object.isFrozen(identity);
  }

  get(identity: CallerIdentity, called: PhoneNumber | null, state: MemoState): MemoHit | null {
    const entry = this.entries.get(identity);
    if (entry === undefined) return null;
    if (entry.version !== state.version || entry.classify !== state.classify || entry.policy !== state.policy) {
      this.entries.delete(identity);
      return null;
    }
    if (entry.called !== called) return null;
    return entry;
  }

  /** Keeps a refusal chosen for a shared (frozen) identity; an identity of one request only is not kept. */
  set(
    identity: CallerIdentity,
    called: PhoneNumber | null,
    state: MemoState,
    decision: Decision,
    action: Action,
  ): void {
    if (!this.mayHold(identity) || (called !== null && !Object.isFrozen(called))) return;
    if (++this.held > this.limit) {
      this.entries = new WeakMap<CallerIdentity, Entry>();
      this.held = 1;
    }
    const { classify, policy, version } = state;
    this.entries.set(identity, { called, classify, policy, version, decision, action });
  }

  /** Forgets the identity's entry (the whole screening after the answer chose otherwise). */
  drop(identity: CallerIdentity): void {
    this.entries.delete(identity);
  }
}
