import type { CallerIdentity } from '../callerid/types.js';
import type { PolicyRules } from '../policy/rules.js';
import { neighbourhoodOnly } from './prefix-evidence.js';
import type { Decision } from './types.js';

/**
 * What to do with a call, independent of SIP: `sip/` turns these into responses and media.
 * `reject.status` is the one SIP detail the operator chooses (607 Unwanted by default, 608, 433, 486...).
 */
export type Action =
  | { kind: 'allow' }
  | { kind: 'tag' }
  | { kind: 'reject'; status: number }
  | { kind: 'announce-early' }
  | { kind: 'announce-answer' }
  | { kind: 'hangup' }
  /** The human check: answer, ask for a digit, connect to the PBX on the right one (src/sip/human-check.ts). */
  | { kind: 'check'; waitSeconds: number | null };

/** Longest wait for the digit `check:<seconds>` accepts (s). */
export const MAX_CHECK_WAIT_SECONDS = 60;

export interface ActionPolicy {
  trusted: Action;
  unknown: Action;
  suspect: Action;
  nuisance: Action;
  /** Action for withheld callers unless other evidence makes them nuisance; null: withheld callers follow their verdict. */
  withheld: Action | null;
  /** Nuisance callers whose mark has one of these categories (lower case) get its action instead of `nuisance`. */
  byCategory?: Readonly<Record<string, Action>>;
  /**
   * For a caller who calls again after a refusal that rested on its country's or destination code's evidence alone,
   * with nothing else against its number (prefix-evidence.ts#neighbourhoodOnly `range-again`): this action instead
   * of the verdict's (`check`: a customer or supplier abroad presses 1, where the NO would refuse them for good;
   * call centres abroad show a fresh number nearly every call). `suspect` is the classifier's suspect threshold.
   */
  rangeRepeat?: { action: Action; suspect: number } | null;
  /** Rules per called number, opening hours and verdict, tried before all of the above (src/policy). */
  rules?: PolicyRules;
}

/** Whether policy.rangeRepeat applies to this decision (the register then says why: policy/rules.ts). */
export function isRangeRepeat(decision: Decision, policy: ActionPolicy): boolean {
  const r = policy.rangeRepeat;
  return r !== undefined && r !== null && neighbourhoodOnly(decision, r) === 'range-again';
}

/** The category of the business's nuisance mark behind a decision (lower case), if any. */
export function markCategory(decision: Decision): string | null {
  for (const reason of decision.reasons) {
    const category = reason.code === 'marked-nuisance' ? reason.params?.['category'] : undefined;
    if (typeof category === 'string' && category.trim() !== '') return category.trim().toLowerCase();
  }
  return null;
}

/** RFC 8197 607 Unwanted: the called party's own judgement. */
export const DEFAULT_REJECT_STATUS = 607;

export const DEFAULT_ACTION_POLICY: ActionPolicy = Object.freeze<ActionPolicy>({
  trusted: { kind: 'allow' },
  unknown: { kind: 'allow' },
  suspect: { kind: 'tag' },
  nuisance: { kind: 'reject', status: DEFAULT_REJECT_STATUS },
  withheld: null,
});

/**
 * The verdict's action, except
 * - for a caller calling again after a refusal on its range's evidence alone, when policy.rangeRepeat is set: that
 *   action;
 * - for nuisance callers whose mark's category has its own action (policy.byCategory): that action;
 * - for withheld callers when policy.withheld is set:
 *   - nuisance by other evidence (e.g. a nuisance mark on the number behind Privacy: id) → the nuisance action;
 *   - trusted (marked trusted by the business, number known despite the privacy request) → the trusted action:
 *     the business's own trust beats a blanket rule about withholding;
 *   - otherwise → policy.withheld.
 */
export function chooseAction(decision: Decision, identity: CallerIdentity, policy: ActionPolicy): Action {
  if (policy.rangeRepeat && isRangeRepeat(decision, policy)) return policy.rangeRepeat.action;
  if (decision.verdict === 'nuisance' && policy.byCategory) {
    const category = markCategory(decision);
    const byCategory =
      category !== null && Object.hasOwn(policy.byCategory, category) ? policy.byCategory[category] : undefined;
    if (byCategory) return byCategory;
  }
  if (
    identity.withheld &&
    policy.withheld !== null &&
    decision.verdict !== 'nuisance' &&
    decision.verdict !== 'trusted'
  ) {
    return policy.withheld;
  }
  return verdictAction(policy, decision.verdict);
}

/**
 * `policy[verdict]`, without a keyed load whose key changes from call to call (V8 then looks it up in its
 * megamorphic cache; classify.ts's floorOf likewise).
 */
function verdictAction(policy: ActionPolicy, verdict: Decision['verdict']): Action {
  if (verdict === 'nuisance') return policy.nuisance;
  if (verdict === 'suspect') return policy.suspect;
  if (verdict === 'unknown') return policy.unknown;
  return policy.trusted;
}

const SIMPLE: Readonly<Record<string, Action>> = Object.freeze({
  allow: { kind: 'allow' },
  tag: { kind: 'tag' },
  reject: { kind: 'reject', status: DEFAULT_REJECT_STATUS },
  'announce-early': { kind: 'announce-early' },
  'announce-answer': { kind: 'announce-answer' },
  hangup: { kind: 'hangup' },
});

const EXPECTED = 'allow, tag, reject, reject:<400-699>, announce-early, announce-answer, hangup, check, check:<1-60>';

/**
 * Parses an action as written in config and in ACTION_* variables. Surrounding spaces and letter case are ignored.
 * Throws an Error naming the bad value.
 */
export function parseAction(text: string): Action {
  const value = text.trim().toLowerCase();
  const simple = Object.hasOwn(SIMPLE, value) ? SIMPLE[value] : undefined;
  if (simple !== undefined) return Object.assign({}, simple);
  if (value === 'check') return { kind: 'check', waitSeconds: null };
  if (value.startsWith('check:')) {
    const seconds = /^[0-9]{1,2}$/.test(value.slice('check:'.length).trim())
      ? Number(value.slice('check:'.length))
      : NaN;
    if (!(seconds >= 1 && seconds <= MAX_CHECK_WAIT_SECONDS)) {
      throw new Error(
        `invalid action "${text}": the wait after "check:" must be a whole number of seconds from 1 to ${MAX_CHECK_WAIT_SECONDS}`,
      );
    }
    return { kind: 'check', waitSeconds: seconds };
  }
  if (value.startsWith('reject:')) {
    const code = value.slice('reject:'.length).trim();
    const status = /^[0-9]{3}$/.test(code) ? Number(code) : NaN;
    if (!(status >= 400 && status <= 699)) {
      throw new Error(
        `invalid action "${text}": the SIP status after "reject:" must be a whole number from 400 to 699`,
      );
    }
    return { kind: 'reject', status };
  }
  throw new Error(`unknown action "${text}": expected one of ${EXPECTED}`);
}

/** The inverse of parseAction: `reject:607`, `tag`, ... */
export function formatAction(action: Action): string {
  if (action.kind === 'check') return action.waitSeconds === null ? 'check' : `check:${action.waitSeconds}`;
  return action.kind === 'reject' ? `reject:${action.status}` : action.kind;
}
