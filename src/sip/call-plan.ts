/**
 * The plan for one screened request, decided once, before anything is sent: what to send (a SipPlan from
 * verdict-to-sip.ts) and what the register row says about it (the action, the reasons, the outcome expected).
 * Nothing downstream decides again: carry-out.ts sends the plan (its executors fall back only where the plan
 * names a fallback), and the outcome is written only where it differs from what the row already says.
 */
import { readOffer, type OfferProblem } from '../media/index.js';
import { formatAction, type Action } from '../screening/policy.js';
import type { Reason } from '../screening/types.js';
import {
  NO_PBX_ACTION,
  UNROUTABLE_ACTION,
  type AttemptKind,
  type AttemptOutcome,
  type CheckResult,
  type HungUpBy,
  type NewAttempt,
} from '../store/register/types.js';
import { describeUser, type ForwardTarget } from './forward-target.js';
import type { Screening } from './screen.js';
import {
  DEFAULT_REFUSAL,
  plannedFinalStatus,
  planFor,
  TEMPORARILY_UNAVAILABLE,
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
  /** Why the policy's action could not be carried out as chosen (the human check of a MESSAGE), for the log. */
  notPossible: string | null;
  /**
   * A forward's destination, worked out with the plan (PlanInput.destination) and not asked again: the PBX's URI, or
   * null when no PBX is there to take it (the row says NO_PBX_ACTION, the caller gets 480). Absent: not a forward, or
   * not worked out here (the forward asks then).
   */
  destination?: string | null | undefined;
}

export interface PlanInput {
  kind: AttemptKind;
  screening: Screening;
  /**
   * Where a forward would go (forward-target.ts), or a function that works it out: called only for a forward (a
   * refusal, an announcement or a hang-up never reads it, and answering first it is not worked out before the answer).
   */
  target: ForwardTarget | (() => ForwardTarget);
  /** Whether announcements can be played at all (an announcer is configured). */
  canAnnounce: boolean;
  /** The request's body: an INVITE's SDP offer (the human check needs audio it can answer). */
  offer: string | null;
  /**
   * Where a forward to this routable target goes now (forward-call.ts pbxDestination): the PBX's URI, or null while
   * no PBX is registered to crocetta. Called only for a forward.
   */
  destination?: (target: ForwardTarget) => string | null;
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
  /** The human check's result and ms from our answer to it (absent: no check, or already written). */
  check?: CheckResult;
  checkMs?: number;
}

export interface Feasible {
  action: Action;
  /** Why the chosen action became `action`, in words; null when it is carried out as chosen. */
  problem: string | null;
}

const TAG: Action = Object.freeze({ kind: 'tag' });

/** Why an INVITE's offer cannot carry the human check, in words. */
const OFFER_PROBLEMS: Readonly<Record<OfferProblem, string>> = {
  'no-sdp': 'the INVITE has no SDP offer',
  unparsable: 'its SDP offer cannot be read',
  'no-audio': 'its offer has no audio',
  'no-address': 'its offer has no media address',
  'not-receiving': 'its audio does not receive',
  'no-g711': 'its offer has no G.711',
};

/**
 * The action crocetta can carry out for this request: a MESSAGE cannot hear an announcement or be answered and
 * hung up, and without media (no announcer configured) neither can a call; those get the default refusal. The
 * human check needs a call with audio crocetta can answer: a MESSAGE, or an INVITE without it, is tagged instead
 * (the check is a gate for callers nothing proves bad, so it never becomes a refusal).
 */
export function feasibleAction(
  action: Action,
  kind: AttemptKind,
  canAnnounce: boolean,
  offer: string | null = null,
): Feasible {
  if (action.kind === 'check') {
    if (kind !== 'call') return { action: TAG, problem: 'a SIP MESSAGE cannot press a key' };
    if (!canAnnounce) return { action: TAG, problem: 'media is off' };
    const read = readOffer(offer);
    return read.ok ? { action, problem: null } : { action: TAG, problem: OFFER_PROBLEMS[read.problem] };
  }
  const announces = action.kind === 'announce-early' || action.kind === 'announce-answer';
  const needsCall = announces || action.kind === 'hangup';
  if (needsCall && kind !== 'call') return { action: DEFAULT_REFUSAL, problem: 'a SIP MESSAGE cannot be answered' };
  if (announces && !canAnnounce) return { action: DEFAULT_REFUSAL, problem: 'announcements are off' };
  return { action, problem: null };
}

export function planCall(input: PlanInput, settings: CallPlanSettings): CallPlan {
  const { screening, target } = input;
  const { action, problem } = feasibleAction(screening.action, input.kind, input.canAnnounce, input.offer);
  // A check that became a tag says so in the register: the office sees why this suspect was not checked.
  const reasons =
    screening.action.kind === 'check' && problem !== null
      ? [...screening.decision.reasons, checkNotPossibleReason(problem)]
      : screening.decision.reasons;
  const send = planFor(action, screening.decision, settings);
  const forwardTo = send.kind === 'forward' ? (typeof target === 'function' ? target() : target) : null;
  if (forwardTo !== null && !forwardTo.routable) {
    // A forward needs a Request-URI user crocetta can vouch for (forward-target.ts); without any, a 404 (or 414).
    const refusal = unroutablePlan(settings, forwardTo.tooLong);
    return {
      action,
      send: refusal,
      row: {
        action: UNROUTABLE_ACTION,
        reasons: [...reasons, unroutableReason(forwardTo.received)],
        outcome: 'rejected',
        finalStatus: plannedFinalStatus(refusal),
      },
      sent: sentWords(refusal, action, settings),
      notPossible: problem,
    };
  }
  // Where a forward goes, asked once, here: none (no PBX registered) is said by the row's action, written once and
  // never updated, so that the dashboard counts it apart from the calls that passed; the forward answers 480.
  const destination = forwardTo !== null && input.destination !== undefined ? input.destination(forwardTo) : undefined;
  const noPbx = destination === null;
  return {
    action,
    send,
    row: {
      action: noPbx ? NO_PBX_ACTION : formatAction(action),
      reasons,
      // A check's outcome is known only once the caller pressed a key (or did not): written then.
      outcome: noPbx
        ? 'failed'
        : send.kind === 'forward'
          ? 'forwarded'
          : send.kind === 'check'
            ? 'pending'
            : 'rejected',
      finalStatus: noPbx ? TEMPORARILY_UNAVAILABLE : plannedFinalStatus(send),
    },
    sent: sentWords(send, action, settings),
    notPossible: problem,
    destination,
  };
}

/** The plan when the register failed before we acted: forward unscreened, untagged (fail open). */
export function failOpenPlan(plan: CallPlan): CallPlan {
  const { action, row, notPossible, destination } = plan;
  const send: SipPlan = { kind: 'forward', headers: {} };
  return { action, send, row, sent: 'forward (register fault)', notPossible, destination };
}

/**
 * Whether how the request ended counts as a refusal of the caller for the repeat rule: the office's PBX refused it
 * (one of pbx.refusalCodes), or the caller failed the human check. (Refusing actions count from the row itself.)
 */
export function refusesCaller(done: CallOutcome, refusalCodes: readonly number[]): boolean {
  if (done.check === 'no-digit' || done.check === 'wrong-digit') return true;
  return done.finalStatus !== null && done.outcome === 'declined' && refusalCodes.includes(done.finalStatus);
}

/** Whether what was done is what the row already says (nothing to write). */
export function asRecorded(row: PlannedRow, done: CallOutcome): boolean {
  return (
    done.outcome === row.outcome &&
    done.finalStatus === row.finalStatus &&
    done.playedMs === null &&
    done.check === undefined
  );
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
    case 'check':
      return formatAction(action);
  }
}

function checkNotPossibleReason(problem: string): Reason {
  return { code: 'check-not-possible', text: `human check not possible (${problem}): tagged instead`, weight: 0 };
}

function unroutableReason(received: string): Reason {
  return {
    code: 'unroutable-called-number',
    text: `the number called could not be read (Request-URI user ${describeUser(received)}): not forwarded`,
    weight: 0,
  };
}
