/**
 * Policies: what each of our numbers does with each verdict, in and out of business hours. An ordered list of
 * rules; the first whose conditions all hold picks the action, else the global actions per verdict apply
 * (screening/policy.ts). Pure: the caller passes the DID (normalized like the called number) and the time.
 */
import type { CallerIdentity } from '../callerid/types.js';
import type { OpenState } from '../screening/business-hours.js';
import { chooseAction, formatAction, isRangeRepeat, type Action, type ActionPolicy } from '../screening/policy.js';
import type { Decision, Reason } from '../screening/types.js';

/** A rule's verdicts: the four verdicts, and `withheld` for withheld callers that are neither trusted nor nuisance. */
export const POLICY_VERDICTS = ['trusted', 'unknown', 'suspect', 'nuisance', 'withheld'] as const;
export type PolicyVerdict = (typeof POLICY_VERDICTS)[number];

export interface PolicyRule {
  /** 1-based position in the list, as the panel and the register name it. */
  number: number;
  /** The operator's name for it ("support line"), or ''. */
  name: string;
  /** Our numbers (E.164, or raw digits where they do not parse); null = any of our numbers. */
  dids: ReadonlySet<string> | null;
  /** null = at any time. */
  hours: 'open' | 'closed' | null;
  /** null = every verdict. */
  verdicts: ReadonlySet<PolicyVerdict> | null;
  action: Action;
}

export interface PolicyRules {
  rules: readonly PolicyRule[];
  /** The business's state at an instant (businessHours). */
  openAt: (ms: number) => OpenState;
}

/** The call a policy is asked about: which of our numbers was called (normalized), and when. */
export interface PolicyCall {
  did: string | null;
  time: number;
  /**
   * A text message (SIP MESSAGE); the classifier reads it (CallContext), the policy for a text its pace alone made
   * suspect (pickAction).
   */
  message?: boolean;
}

export interface PolicyChoice {
  action: Action;
  /** The rule that chose the action; null = the global actions per verdict. */
  rule: PolicyRule | null;
  /** The business's state at the call's time, when a rule asked for it. */
  open: OpenState | null;
  /** The global action came from `actions.rangeRepeat` (a call again after a refusal on its range alone). */
  rangeRepeat?: boolean;
}

function verdictMatches(verdicts: ReadonlySet<PolicyVerdict>, decision: Decision, identity: CallerIdentity): boolean {
  if (verdicts.has(decision.verdict)) return true;
  // As for the global withheld action: the business's trust and a nuisance verdict beat a rule about withholding.
  return (
    verdicts.has('withheld') && identity.withheld && decision.verdict !== 'trusted' && decision.verdict !== 'nuisance'
  );
}

/**
 * The action for a call: the first rule of `policy.rules` whose dids, hours and verdicts all match, else the
 * global actions (chooseAction). A call whose DID is unknown matches only rules without `dids`.
 * A text (call.message) that its pace alone makes suspect (the classifier's `text-pace` reason) is never refused or
 * checked for it, whatever the office set for suspects (textPaceChoice).
 */
export function pickAction(
  decision: Decision,
  identity: CallerIdentity,
  policy: ActionPolicy,
  call: PolicyCall,
): PolicyChoice {
  const choice = choose(decision, identity, policy, call);
  if (call.message !== true || decision.verdict !== 'suspect' || choice.rangeRepeat === true) return choice;
  const kind = choice.action.kind;
  if (kind === 'allow' || kind === 'tag' || !hasTextPace(decision)) return choice;
  return textPaceChoice(decision, identity, policy, call);
}

const TAG: Action = Object.freeze({ kind: 'tag' });

/**
 * The choice for a text that its pace alone (a burst, a sweep of our numbers, the hour) makes suspect, when the
 * office's choice for suspects would refuse it or check it (a bank's 4th one-time code within a minute, with
 * `actions.suspect: reject` or a rule refusing suspects on its line): what the same text gets as `unknown`, the
 * verdict it has without its pace, when that refuses (the office refuses such texts anyway: not for their pace);
 * else `tag` (the PBX still sees the verdict). A refused text is lost, where a refused caller rings again.
 */
function textPaceChoice(
  decision: Decision,
  identity: CallerIdentity,
  policy: ActionPolicy,
  call: PolicyCall,
): PolicyChoice {
  // Field by field, not `{ ...decision, verdict }`: no object spread on a decision's path (no-object-spread.test.ts).
  const unknown: Decision = { verdict: 'unknown', score: decision.score, reasons: decision.reasons };
  const without = choose(unknown, identity, policy, call);
  return refuses(without.action) ? without : { action: TAG, rule: null, open: without.open };
}

function hasTextPace(decision: Decision): boolean {
  for (const reason of decision.reasons) if (reason.code === 'text-pace') return true;
  return false;
}

function choose(decision: Decision, identity: CallerIdentity, policy: ActionPolicy, call: PolicyCall): PolicyChoice {
  const rules = policy.rules;
  let open: OpenState | null = null;
  if (rules !== undefined) {
    for (const rule of rules.rules) {
      if (rule.dids !== null && (call.did === null || !rule.dids.has(call.did))) continue;
      if (rule.verdicts !== null && !verdictMatches(rule.verdicts, decision, identity)) continue;
      if (rule.hours !== null) {
        open ??= rules.openAt(call.time);
        if (open.open !== (rule.hours === 'open')) continue;
      }
      return { action: rule.action, rule, open };
    }
  }
  const action = chooseAction(decision, identity, policy);
  return isRangeRepeat(decision, policy)
    ? { action, rule: null, open, rangeRepeat: true }
    : { action, rule: null, open };
}

/** Whether an action refuses the caller: `reject`, an announcement, `hangup` (store/register/refusal.ts alike). */
export function refuses(action: Action): boolean {
  const k = action.kind;
  return k === 'reject' || k === 'announce-early' || k === 'announce-answer' || k === 'hangup';
}

/** The caller as it would be had it shown its number: the same number, name and attestation, not withheld. */
export function shownCaller(identity: CallerIdentity): CallerIdentity {
  return Object.assign({}, identity, { withheld: false, withheldReason: null });
}

/**
 * The reason of a refusal that rested on the withholding alone, or null: a withheld caller with a number (its
 * P-Asserted-Identity), not found nuisance, refused by the office's policy about hidden numbers (`actions.withheld`,
 * a rule's `withheld` verdict, a rule refusing suspects where the withholding alone made it suspect), which the same
 * call with that number shown would not be (`decideShown` decides it: the classifier on the same evidence, at the
 * same time, and the same policy). Counted as a refusal of the number, the repeat rule refused the same hospital
 * calling back with its number shown on its 3rd call, on any line (session 49). The register keeps it refused, with
 * this reason (weight 0); the evidence index does not count it (store/register/refusal.ts countsForRepeat). A
 * nuisance verdict is crocetta's judgement of the caller, its withholding weighed in (`screening.withheld`): its
 * refusal counts as ever, so the repeat rule still catches a call centre that hides its number.
 */
export function withheldRefusalReason(
  identity: CallerIdentity,
  decision: Decision,
  action: Action,
  policy: ActionPolicy,
  call: PolicyCall,
  decideShown: (shown: CallerIdentity) => Decision,
): Reason | null {
  if (!identity.withheld || identity.number === null || identity.number.e164 === null) return null;
  if (decision.verdict === 'nuisance' || !refuses(action)) return null;
  const shown = shownCaller(identity);
  const shownAction = pickAction(decideShown(shown), shown, policy, call).action;
  if (refuses(shownAction)) return null;
  return {
    code: 'withheld-refusal',
    text: `refused only for withholding its number (with it shown: ${formatAction(shownAction)}): not counted as a refusal of the number`,
    weight: 0,
    params: { action: formatAction(shownAction) },
  };
}

/** "closed (Ferragosto)", "open", "closed (2026-08-10..2026-08-21)": the business's state in words. */
export function describeOpen(state: OpenState): string {
  if (state.open) return 'open';
  if (state.why === 'holiday') return `closed (${state.holiday})`;
  if (state.why === 'closed-day') return `closed (${state.day})`;
  return 'closed';
}

/** `rule 2 "support line"`. */
export function ruleLabel(rule: PolicyRule): string {
  return rule.name === '' ? `rule ${rule.number}` : `rule ${rule.number} "${rule.name}"`;
}

/** The register's line for a call a rule decided: `policy rule 2 "support line" (closed (Ferragosto)): tag`. */
export function policyReason(choice: PolicyChoice): Reason | null {
  const rule = choice.rule;
  if (rule === null && choice.rangeRepeat === true) {
    return {
      code: 'range-repeat',
      text: `called again after a refusal that rested on its country's or operator range's evidence alone, nothing else against this number: ${formatAction(choice.action)} instead (actions.rangeRepeat)`,
      weight: 0,
      params: { action: formatAction(choice.action) },
    };
  }
  if (rule === null) return null;
  const when = rule.hours !== null && choice.open !== null ? ` (${describeOpen(choice.open)})` : '';
  return {
    code: 'policy-rule',
    text: `policy ${ruleLabel(rule)}${when}: ${formatAction(rule.action)}`,
    weight: 0,
    params: { rule: rule.number, name: rule.name, action: formatAction(rule.action) },
  };
}
