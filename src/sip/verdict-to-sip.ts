import type { Action } from '../screening/policy.js';
import type { Decision } from '../screening/types.js';
import { reasonPhrase } from './sip-status-codes.js';

/**
 * The only place that turns crocetta's decisions into SIP: what to send for an action.
 * The domain returns actions and verdicts; it never knows a status code.
 */
export type SipPlan =
  | { kind: 'forward'; headers: Record<string, string> }
  | { kind: 'refuse'; status: number; reason: string };

/** RFC 8197: the called party's judgement that the call is unwanted. crocetta's default refusal. */
export const UNWANTED = 607;

/** Announcements and hang-up are not offered yet: they fall back to the default refusal (logged at start). */
export const ACTIONS_NOT_YET_AVAILABLE: ReadonlySet<Action['kind']> = new Set(['announce-early', 'announce-answer', 'hangup']);

export interface TagSettings {
  header: string;
}

export function verdictHeaderValue(decision: Decision): string {
  return `${decision.verdict}; score=${decision.score.toFixed(2)}`;
}

/** The action crocetta can carry out for `action` today (announcements fall back to the default refusal). */
export function effectiveAction(action: Action): Action {
  return ACTIONS_NOT_YET_AVAILABLE.has(action.kind) ? { kind: 'reject', status: UNWANTED } : action;
}

export function planFor(requested: Action, decision: Decision, tag: TagSettings): SipPlan {
  const action = effectiveAction(requested);
  switch (action.kind) {
    case 'allow':
      return { kind: 'forward', headers: {} };
    case 'tag':
      return { kind: 'forward', headers: { [tag.header]: verdictHeaderValue(decision) } };
    case 'reject':
      return { kind: 'refuse', status: action.status, reason: reasonPhrase(action.status) };
    default:
      return { kind: 'refuse', status: UNWANTED, reason: reasonPhrase(UNWANTED) };
  }
}

/** 302 Moved Temporarily: the redirect forward mode. */
export const REDIRECT = 302;
