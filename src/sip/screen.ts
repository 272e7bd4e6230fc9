import { callerKey, calledNumber, identifyCaller } from '../callerid/index.js';
import { UNKNOWN_CALLER, type CallerIdentity, type PhoneNumber, type SipHeaderSource } from '../callerid/types.js';
import type { Classifier } from '../screening/classify.js';
import type { Action, ActionPolicy } from '../screening/policy.js';
import { pickAction, policyReason } from '../policy/rules.js';
import { NO_EVIDENCE, type Decision, type EvidenceLookup } from '../screening/types.js';
import { applyCheckMemory, type CheckMemory } from '../screening/check-memory.js';

/** The pure steps of screening one request: identify, then classify, then choose the action (policy rules first). */
export interface ScreeningSteps {
  defaultCountry: string;
  evidence: EvidenceLookup;
  classify: Classifier;
  policy: ActionPolicy;
  /** The registration trunk's user name: calls to it carry the DID in P-Called-Party-ID or To. '' = none. */
  trunkUsername?: string;
  /** Passed human checks (check.rememberDays, no second chance); absent: every `check` action checks. */
  checkMemory?: CheckMemory;
}

export interface Screening {
  identity: CallerIdentity;
  called: PhoneNumber | null;
  callerKey: string | null;
  decision: Decision;
  action: Action;
  /** Set when a fault was caught: the call is forwarded whatever the rules say. */
  fault: { stage: 'identify' | 'classify'; error: Error } | null;
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

/**
 * Runs identify → classify → policy. Never throws: a fault at any step gives the fail-open screening
 * (verdict unknown, action allow) with the fault attached, so the caller forwards the call and counts it.
 */
export function screen(headers: SipHeaderSource, steps: ScreeningSteps, now: number): Screening {
  let identity: CallerIdentity = UNKNOWN_CALLER;
  let called: PhoneNumber | null = null;
  let key: string | null = null;
  try {
    identity = identifyCaller(headers, { defaultCountry: steps.defaultCountry });
    called = calledNumber(headers, { defaultCountry: steps.defaultCountry, trunkUsername: steps.trunkUsername ?? '' });
    key = callerKey(identity);
  } catch (err) {
    return {
      identity,
      called,
      callerKey: key,
      decision: FAIL_OPEN_DECISION,
      action: { kind: 'allow' },
      fault: { stage: 'identify', error: asError(err) },
    };
  }
  try {
    const evidence = key === null ? NO_EVIDENCE : steps.evidence.evidenceFor(key);
    const did = called ? (called.e164 ?? called.raw) : null;
    const classified = steps.classify(identity, evidence, now, { did });
    const choice = pickAction(classified, identity, steps.policy, { did, time: now });
    const ruleReason = policyReason(choice);
    // Field by field, not `{ ...classified, reasons }`: no object spread on the call's path (no-object-spread.test.ts).
    const withRule: Decision =
      ruleReason === null
        ? classified
        : { verdict: classified.verdict, score: classified.score, reasons: [...classified.reasons, ruleReason] };
    const { decision, action } = applyCheckMemory(choice.action, withRule, key, now, steps.checkMemory);
    return { identity, called, callerKey: key, decision, action, fault: null };
  } catch (err) {
    return {
      identity,
      called,
      callerKey: key,
      decision: FAIL_OPEN_DECISION,
      action: { kind: 'allow' },
      fault: { stage: 'classify', error: asError(err) },
    };
  }
}
