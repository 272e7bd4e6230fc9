/**
 * The plan for one screened request, decided once, before anything is sent: what to send (a SipPlan from
 * verdict-to-sip.ts) and what the register row says about it (the action, the reasons, the outcome expected).
 * Nothing downstream decides again: carry-out.ts sends the plan (its executors fall back only where the plan
 * names a fallback), and the outcome is written only where it differs from what the row already says.
 */
import { formatAction, type Action } from '../screening/policy.js';
import type { Reason } from '../screening/types.js';
import type { AttemptKind, AttemptOutcome, HungUpBy, NewAttempt } from '../store/register/types.js';
import { describeUser, type ForwardTarget } from './forward-target.js';
import type { Screening } from './screen.js';
import {
  DEFAULT_REFUSAL,
  plannedFinalStatus,
  planFor,
  unroutablePlan,
  type PlanSettings,
  type SipPlan,
} from './verdict-to-sip.js';

/** What the register row says before acting. */
export type PlannedRow = Pick<NewAttempt, 'action' | 'reasons' | 'outcome' | 'finalStatus'>;

export interface CallPlan {
  /** The action carried out: the policy's, or the refusal it became where it cannot be carried out here. */
  action: Action;
  /** What to send. */
  send: SipPlan;
  /** What the attempt row says before acting. */
  row: PlannedRow;
  /** What is sent, in words, for the decision log line. */
  sent: string;
}

export interface PlanInput {
  kind: AttemptKind;
  screening: Screening;
  /** Where a forward would go (forward-target.ts). */
  target: ForwardTarget;
  /** Whether announcements can be played at all (an announcer is configured). */
  canAnnounce: boolean;
}

export interface CallPlanSettings extends PlanSettings {
  forwardMode: 'proxy' | 'redirect';
}

/** How a request ended, as carried out; compared with the plan's row to know whether to write it. */
export interface CallOutcome {
  outcome: AttemptOutcome;
  finalStatus: number | null;
  /** Milliseconds of announcement sent (null when no announcement played). */
  playedMs: number | null;
  hungUpBy: HungUpBy | null;
  /** What was sent, in words, for the "action done" log line; null for forwards (the decision line says it). */
  sent: string | null;
}

/**
 * The action crocetta can carry out for this request: a MESSAGE cannot hear an announcement or be answered and
 * hung up, and without media (no announcer configured) neither can a call; those get the default refusal.
 */
export function feasibleAction(action: Action, kind: AttemptKind, canAnnounce: boolean): Action {
  const announces = action.kind === 'announce-early' || action.kind === 'announce-answer';
  const needsCall = announces || action.kind === 'hangup';
  if (needsCall && kind !== 'call') return DEFAULT_REFUSAL;
  if (announces && !canAnnounce) return DEFAULT_REFUSAL;
  return action;
}

export function planCall(input: PlanInput, settings: CallPlanSettings): CallPlan {
  const { screening, target } = input;
  const action = feasibleAction(screening.action, input.kind, input.canAnnounce);
  const send = planFor(action, screening.decision, settings);
  if (send.kind === 'forward' && !target.routable) {
    // A forward needs a Request-URI user crocetta can vouch for (forward-target.ts); without any, a 404 (or 414).
    const refusal = unroutablePlan(settings.reject608, target.tooLong);
    return {
      action,
      send: refusal,
      row: {
        action: 'unroutable',
        reasons: [...screening.decision.reasons, unroutableReason(target.received)],
        outcome: 'rejected',
        finalStatus: plannedFinalStatus(refusal),
      },
      sent: sentWords(refusal, action, settings),
    };
  }
  return {
    action,
    send,
    row: {
      action: formatAction(action),
      reasons: screening.decision.reasons,
      outcome: send.kind === 'forward' ? 'forwarded' : 'rejected',
      finalStatus: plannedFinalStatus(send),
    },
    sent: sentWords(send, action, settings),
  };
}

/** The plan when the register failed before we acted: forward unscreened, untagged (fail open). */
export function failOpenPlan(plan: CallPlan): CallPlan {
  return { ...plan, send: { kind: 'forward', headers: {} }, sent: 'forward (register fault)' };
}

/** Whether what was done is what the row already says (nothing to write). */
export function asRecorded(row: PlannedRow, done: CallOutcome): boolean {
  return done.outcome === row.outcome && done.finalStatus === row.finalStatus && done.playedMs === null;
}

function sentWords(send: SipPlan, action: Action, settings: CallPlanSettings): string {
  switch (send.kind) {
    case 'forward':
      return settings.forwardMode === 'redirect' ? 'redirect' : 'forward';
    case 'refuse':
      return `reject ${send.refusal.status}`;
    case 'announce':
    case 'hangup':
      return action.kind;
  }
}

function unroutableReason(received: string): Reason {
  return {
    code: 'unroutable-called-number',
    text: `the number called could not be read (Request-URI user ${describeUser(received)}): not forwarded`,
    weight: 0,
  };
}
