import { callerKey, calledNumber, identifyKept, type KeptCaller, type TrunkUsers } from '../callerid/index.js';
import { UNKNOWN_CALLER, type CallerIdentity, type PhoneNumber, type SipHeaderSource } from '../callerid/types.js';
import type { Classifier } from '../screening/classify.js';
import { formatAction, type Action, type ActionPolicy } from '../screening/policy.js';
import { pickAction, policyReason, withheldRefusalReason, type PolicyCall } from '../policy/rules.js';
import {
  NO_EVIDENCE,
  type CallerEvidence,
  type Decision,
  type EvidenceLookup,
  type Mark,
  type Reason,
} from '../screening/types.js';
import { applyCheckMemory, type CheckMemory } from '../screening/check-memory.js';
import type { VerdictMemo } from './verdict-memo.js';

/** The pure steps of screening one request: identify, then classify, then choose the action (policy rules first). */
export interface ScreeningSteps {
  defaultCountry: string;
  evidence: EvidenceLookup;
  classify: Classifier;
  policy: ActionPolicy;
  /** The registration trunk's accounts: calls to one's contact are its number, else P-Called-Party-ID or To. */
  trunkUsers?: TrunkUsers;
  /** Passed human checks (check.rememberDays, no second chance); absent: every `check` action checks. */
  checkMemory?: CheckMemory;
  /**
   * screenToAnswer's memo of settled refusals (verdict-memo.ts, store.verdictMemo); absent: every call is screened
   * before its answer.
   */
  memo?: VerdictMemo;
}

export interface Screening {
  identity: CallerIdentity;
  called: PhoneNumber | null;
  callerKey: string | null;
  decision: Decision;
  action: Action;
  /** Set when a fault was caught: the call is forwarded whatever the rules say. */
  fault: { stage: 'identify' | 'classify'; error: Error } | null;
  /**
   * screenToAnswer only, for a caller whose action is known before its reasons (provisional): the whole screening,
   * as screen() would have made it at the same instant (the same identity, evidence, settings and time, so the same
   * action, verdict, score and reasons). Until then `decision` is provisional: its verdict (`nuisance`, or `unknown`
   * for a caller nothing is known of) and its mark category are the whole decision's; its score and reasons are not,
   * and are never written anywhere.
   */
  complete?: () => Screening;
}

const FAIL_OPEN_DECISION: Decision = {
  verdict: 'unknown',
  score: 0,
  reasons: [
    {
      code: 'internal-error',
      text: 'not screened because of an internal error: forwarded to the PBX',
      weight: 0,
    },
  ],
};

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/** Actions a provisional screening may carry: sent without reading the decision (verdict-to-sip.ts planFor). */
function refusesWithoutDecision(action: Action): boolean {
  const k = action.kind;
  return k === 'reject' || k === 'announce-early' || k === 'announce-answer' || k === 'hangup';
}

/**
 * The provisional decision of a caller marked nuisance: the verdict and, as the only `marked-nuisance` reason, the
 * mark's category, which is all that policy rules and the global actions read of a decision whose verdict is
 * nuisance and which holds a nuisance mark (pickAction: verdictMatches reads the verdict; chooseAction:
 * isRangeRepeat is false with a `marked-nuisance` reason, markCategory reads that reason's category). One per
 * category, shared (frozen).
 */
const provisionalDecisions = new Map<string | null, Decision>();

function provisionalDecision(category: string | null): Decision {
  let decision = provisionalDecisions.get(category);
  if (decision === undefined) {
    if (provisionalDecisions.size >= 64) provisionalDecisions.clear();
    const params: Record<string, string> = {};
    if (category !== null) params['category'] = category;
    const reason: Reason = { code: 'marked-nuisance', text: '(provisional)', weight: 1, params: Object.freeze(params) };
    const provisional: Decision = { verdict: 'nuisance', score: 1, reasons: [Object.freeze(reason)] };
    Object.freeze(provisional.reasons);
    decision = Object.freeze(provisional);
    provisionalDecisions.set(category, decision);
  }
  return decision;
}

/**
 * The provisional decision of a caller nothing is known of (the classifier's surelyUnknown): its verdict, which is
 * the whole decision's; no reason (policy rules and the global actions read only the verdict of an `unknown`
 * decision: isRangeRepeat is false for it, markCategory is read for nuisance only). Frozen, shared.
 */
const PROVISIONAL_UNKNOWN: Decision = Object.freeze({
  verdict: 'unknown',
  score: 0,
  reasons: Object.freeze([]) as never,
});

/**
 * The evidence as it is now, kept for a classification after the answer: the index writes a caller's lists in place
 * (a CallerEvidence is good until its caller's next write, evidence-index.ts), and that write may come before the
 * classification does (another call of the same caller, an outcome, a CDR). The lists are copied; the rest are
 * values or objects replaced, not changed, on a write (marks, block counts, friends' reports).
 */
function heldEvidence(evidence: CallerEvidence): CallerEvidence {
  // The index's answer for a caller it knows nothing of: shared, never written (a first write makes new lists).
  if (evidence === NO_EVIDENCE) return evidence;
  const held: CallerEvidence = Object.assign({}, evidence);
  if (evidence.attempts.length > 0) held.attempts = evidence.attempts.slice();
  if (evidence.refusals.length > 0) held.refusals = evidence.refusals.slice();
  if (evidence.calls !== undefined) held.calls = evidence.calls.slice();
  if (evidence.talks !== undefined) held.talks = evidence.talks.slice();
  return held;
}

/**
 * screen() for a call answered before its attempt is recorded (store.durableBeforeAnswer false): the same, except
 * for a caller the business marked nuisance whose action is a refusal (reject, an announcement, hang-up), and for a
 * caller nothing is known of whose action is a forward untagged or a refusal: its action is chosen from the verdict
 * (and the mark's category), the called number and the time (the policy reads nothing else of such a decision), and
 * its classification (reasons with their texts, dates and parameters) is left to `complete()`, for after the answer.
 * Any fault in the shortcut falls back to screen()'s way.
 */
export function screenToAnswer(
  headers: SipHeaderSource,
  steps: ScreeningSteps,
  now: number,
  message = false,
): Screening {
  return screenWith(headers, steps, now, true, message);
}

/**
 * Runs identify → classify → policy. Never throws: a fault at any step gives the fail-open screening
 * (verdict unknown, action allow) with the fault attached, so the caller forwards the call and counts it.
 */
export function screen(headers: SipHeaderSource, steps: ScreeningSteps, now: number, message = false): Screening {
  return screenWith(headers, steps, now, false, message);
}

/**
 * screen(), and with `answerFirst` screenToAnswer(): one path, the refusal before its reasons its only branch.
 * `message`: the request is a text message (SIP MESSAGE), which the classifier reads (CallContext.message).
 */
function screenWith(
  headers: SipHeaderSource,
  steps: ScreeningSteps,
  now: number,
  answerFirst: boolean,
  message: boolean,
): Screening {
  let identity: CallerIdentity = UNKNOWN_CALLER;
  let called: PhoneNumber | null = null;
  let key: string | null = null;
  let kept: KeptCaller;
  try {
    kept = identifyKept(headers, { defaultCountry: steps.defaultCountry });
    identity = kept.identity;
    called = calledNumber(headers, { defaultCountry: steps.defaultCountry, trunkUsers: steps.trunkUsers });
    key = callerKey(identity);
  } catch (err) {
    return faultScreening('identify', identity, called, key, err);
  }
  // A caller heard for the first time, whose identity is this request's alone, is never in the memo (mayHold).
  if (answerFirst) {
    const settled = memoScreening(identity, called, key, steps, now, message);
    if (settled !== null) return settled;
  }
  let evidence: CallerEvidence;
  try {
    // The caller's slot in the caller-ID cache: the index keeps the way to the caller's record there.
    evidence = key === null ? NO_EVIDENCE : steps.evidence.evidenceFor(key, kept);
  } catch (err) {
    return faultScreening('classify', identity, called, key, err);
  }
  if (answerFirst) {
    const early = actionBeforeReasons(identity, called, key, evidence, steps, now, message);
    if (early !== null) return early;
  }
  return classified(identity, called, key, evidence, steps.classify, steps.policy, steps.checkMemory, now, message);
}

/**
 * screenToAnswer's shortcut: the provisional screening of a caller whose action is known before its reasons, its
 * whole classification in `complete()` on the settings in force now (the panel may change them before it runs):
 * - a caller marked nuisance (the classifier's markedNuisance) whose action is a refusal;
 * - a caller nothing is known of (the classifier's surelyUnknown: verdict `unknown` whatever else) whose action reads
 *   nothing of the decision: a forward untagged (`allow`), or a refusal.
 * null for any other caller, or on any fault (screen()'s way then).
 */
function actionBeforeReasons(
  identity: CallerIdentity,
  called: PhoneNumber | null,
  key: string | null,
  evidence: CallerEvidence,
  steps: ScreeningSteps,
  now: number,
  message: boolean,
): Screening | null {
  const classify = steps.classify;
  const marked = classify.markedNuisance;
  const unknown = classify.surelyUnknown;
  const policy = steps.policy;
  const checkMemory = steps.checkMemory;
  try {
    const call: PolicyCall = { did: called ? (called.e164 ?? called.raw) : null, time: now, message };
    let decision: Decision;
    if (marked !== undefined && marked(identity, evidence)) {
      decision = provisionalDecision((evidence.mark as Mark).category);
    } else if (unknown !== undefined && unknown(identity, evidence, call)) {
      decision = PROVISIONAL_UNKNOWN;
    } else {
      return null;
    }
    const choice = pickAction(decision, identity, policy, call);
    const action = choice.action;
    if (!refusesWithoutDecision(action) && !(decision === PROVISIONAL_UNKNOWN && action.kind === 'allow')) return null;
    // A marked caller's refusal that no rule with hours had a say in (choice.open null: the time was not read) is
    // the same for the next request with the same identity, number and state: kept (verdict-memo.ts).
    // The evidence's version is read only then: an unknown caller's forward never files, and the getter goes through
    // the stores to the index (~2 µs of a forward's time before its proxy, caches cold).
    const memo = steps.memo;
    if (memo !== undefined && decision !== PROVISIONAL_UNKNOWN && choice.open === null) {
      const version = steps.evidence.verdictVersion;
      if (version !== undefined) memo.set(identity, called, { classify, policy, version }, decision, action);
    }
    const held = heldEvidence(evidence);
    return {
      identity,
      called,
      callerKey: key,
      decision,
      action,
      fault: null,
      complete: () => classified(identity, called, key, held, classify, policy, checkMemory, now, message),
    };
  } catch {
    return null;
  }
}

/**
 * The verdict memo's answer for an identity and called number found before the request was read (the front,
 * front-memo.ts): what screenToAnswer answers from the memo for them, or null (no memo, an identity it may not hold,
 * a miss, a fault).
 */
export function memoScreening(
  identity: CallerIdentity,
  called: PhoneNumber | null,
  key: string | null,
  steps: ScreeningSteps,
  now: number,
  message = false,
): Screening | null {
  const memo = steps.memo;
  if (memo === undefined || !memo.mayHold(identity)) return null;
  return memoized(identity, called, key, steps, memo, now, message);
}

/**
 * screenToAnswer's answer from the verdict memo: the refusal kept for this identity and called number (the same
 * frozen objects the caller-ID caches gave) while the marks, overrides, classifier and policy are those it was chosen
 * on (verdict-memo.ts); its whole screening, after the answer, reads the caller's evidence then. A whole screening
 * that does not refuse the same way (it must not; a mark changed in between) drops the entry, and handle-request.ts
 * logs the difference. null on a miss or any fault (the usual way then).
 */
function memoized(
  identity: CallerIdentity,
  called: PhoneNumber | null,
  key: string | null,
  steps: ScreeningSteps,
  memo: VerdictMemo,
  now: number,
  message: boolean,
): Screening | null {
  try {
    const version = steps.evidence.verdictVersion;
    if (version === undefined || key === null) return null;
    const classify = steps.classify;
    const policy = steps.policy;
    const hit = memo.get(identity, called, { classify, policy, version });
    if (hit === null) return null;
    const { decision, action } = hit;
    const evidence = steps.evidence;
    const checkMemory = steps.checkMemory;
    const complete = (): Screening => {
      let whole: Screening;
      try {
        whole = classified(
          identity,
          called,
          key,
          evidence.evidenceFor(key),
          classify,
          policy,
          checkMemory,
          now,
          message,
        );
      } catch (err) {
        whole = faultScreening('classify', identity, called, key, err);
      }
      if (
        whole.fault !== null ||
        whole.decision.verdict !== 'nuisance' ||
        formatAction(whole.action) !== formatAction(action)
      ) {
        memo.drop(identity);
      }
      return whole;
    };
    return { identity, called, callerKey: key, decision, action, fault: null, complete };
  } catch {
    return null;
  }
}

/** The fail-open screening of a fault caught at `stage`: verdict unknown, action allow, the fault attached. */
function faultScreening(
  stage: 'identify' | 'classify',
  identity: CallerIdentity,
  called: PhoneNumber | null,
  key: string | null,
  err: unknown,
): Screening {
  return {
    identity,
    called,
    callerKey: key,
    decision: FAIL_OPEN_DECISION,
    action: { kind: 'allow' },
    fault: { stage, error: asError(err) },
  };
}

/** `reasons` and the policy's own reasons after them (a new list). */
function withAdded(reasons: readonly Reason[], rule: Reason | null, hiding: Reason | null): Reason[] {
  const out = reasons.slice();
  if (rule !== null) out.push(rule);
  if (hiding !== null) out.push(hiding);
  return out;
}

/** classify → policy → check memory, on the caller's evidence (fails open with the fault, as screen() does). */
function classified(
  identity: CallerIdentity,
  called: PhoneNumber | null,
  key: string | null,
  evidence: CallerEvidence,
  classify: Classifier,
  policy: ActionPolicy,
  checkMemory: CheckMemory | undefined,
  now: number,
  message: boolean,
): Screening {
  try {
    // One object for both: the classifier reads the call's DID and kind of it (a CallContext), the policy its DID and
    // time.
    const call: PolicyCall = { did: called ? (called.e164 ?? called.raw) : null, time: now, message };
    const classified = classify(identity, evidence, now, call);
    const choice = pickAction(classified, identity, policy, call);
    const ruleReason = policyReason(choice);
    // A withheld caller refused for the withholding alone (decided again as if shown: withheld refusals only).
    const hiding = identity.withheld
      ? withheldRefusalReason(identity, classified, choice.action, policy, call, (shown) =>
          classify(shown, evidence, now, call),
        )
      : null;
    // Field by field, not `{ ...classified, reasons }`: no object spread on the call's path (no-object-spread.test.ts).
    const withRule: Decision =
      ruleReason === null && hiding === null
        ? classified
        : {
            verdict: classified.verdict,
            score: classified.score,
            reasons: withAdded(classified.reasons, ruleReason, hiding),
          };
    // Only a check has a memory to ask (applyCheckMemory gives any other action and its decision back as they are,
    // in an object of its own: ~40 bytes a decision).
    if (choice.action.kind !== 'check') {
      return { identity, called, callerKey: key, decision: withRule, action: choice.action, fault: null };
    }
    const { decision, action } = applyCheckMemory(choice.action, withRule, key, now, checkMemory);
    return { identity, called, callerKey: key, decision, action, fault: null };
  } catch (err) {
    return faultScreening('classify', identity, called, key, err);
  }
}
