import type { Action } from '../screening/policy.js';
import type { Decision } from '../screening/types.js';
import type { AttemptKind } from '../store/register/types.js';
import { callInfoFor608, type Reject608Contact } from './jcard.js';
import { reasonPhrase } from './sip-status-codes.js';

/**
 * The only place that turns crocetta's decisions into SIP: what to send for an action.
 * The domain returns actions and verdicts; it never knows a status code.
 */

/** A final non-2xx answer: status, its standard reason phrase, and headers (Call-Info on 608). */
export interface Refusal {
  status: number;
  reason: string;
  headers: Record<string, string>;
}

export type SipPlan =
  | { kind: 'forward'; headers: Record<string, string> }
  /** Ring `ringMs` (180), then refuse. */
  | { kind: 'refuse'; refusal: Refusal; ringMs: number }
  /**
   * The recorded message. early: 183 with SDP, RTP, then `after` (607); answer: 200 with SDP, RTP, then BYE.
   * `fallback` when the announcement cannot be played (offer without G.711, no SDP, too many at once).
   */
  | { kind: 'announce'; mode: 'early' | 'answer'; ringMs: number; after: Refusal | null; fallback: Refusal }
  /** 200 OK (SDP answer, no media) and BYE at once; `fallback` when the offer cannot be answered. */
  | { kind: 'hangup'; ringMs: number; fallback: Refusal };

/** RFC 8197: the called party's judgement that the call is unwanted. crocetta's default refusal. */
export const UNWANTED = 607;
/** RFC 8688: rejected by an intermediary (an analytics engine), with whom to contact in Call-Info. */
export const REJECTED = 608;
/** 183 Session Progress: early media. drachtio-srf's table says "Session in Progress"; RFC 3261 says this. */
export const SESSION_PROGRESS = { status: 183, reason: 'Session Progress' } as const;
export const RINGING = { status: 180, reason: 'Ringing' } as const;

export interface TagSettings {
  header: string;
}

export interface PlanSettings {
  tag: TagSettings;
  /** Ring this long before any refusal, announcement or hang-up (ms). */
  ringDelayMs: number;
  reject608: Reject608Contact;
}

export function verdictHeaderValue(decision: Decision): string {
  return `${decision.verdict}; score=${decision.score.toFixed(2)}`;
}

/**
 * The action crocetta can carry out for this request: a MESSAGE cannot hear an announcement or be answered and
 * hung up, and without media (no announcer configured) neither can a call; those get the default refusal.
 */
export function effectiveAction(action: Action, kind: AttemptKind = 'call', canAnnounce = true): Action {
  const needsCall = action.kind === 'announce-early' || action.kind === 'announce-answer' || action.kind === 'hangup';
  if (needsCall && kind !== 'call') return { kind: 'reject', status: UNWANTED };
  if ((action.kind === 'announce-early' || action.kind === 'announce-answer') && !canAnnounce) return { kind: 'reject', status: UNWANTED };
  return action;
}

export function refusalFor(status: number, settings: Pick<PlanSettings, 'reject608'>): Refusal {
  const headers: Record<string, string> = {};
  if (status === REJECTED) {
    const callInfo = callInfoFor608(settings.reject608);
    if (callInfo !== null) headers['Call-Info'] = callInfo;
  }
  return { status, reason: reasonPhrase(status), headers };
}

export function planFor(action: Action, decision: Decision, settings: PlanSettings): SipPlan {
  const ringMs = settings.ringDelayMs;
  const unwanted = (): Refusal => refusalFor(UNWANTED, settings);
  switch (action.kind) {
    case 'allow':
      return { kind: 'forward', headers: {} };
    case 'tag':
      return { kind: 'forward', headers: { [settings.tag.header]: verdictHeaderValue(decision) } };
    case 'reject':
      return { kind: 'refuse', refusal: refusalFor(action.status, settings), ringMs };
    case 'announce-early':
      return { kind: 'announce', mode: 'early', ringMs, after: unwanted(), fallback: unwanted() };
    case 'announce-answer':
      return { kind: 'announce', mode: 'answer', ringMs, after: null, fallback: unwanted() };
    case 'hangup':
      return { kind: 'hangup', ringMs, fallback: unwanted() };
  }
}

/** The final status an attempt row records before acting (what we are about to send). */
export function plannedFinalStatus(plan: SipPlan): number | null {
  switch (plan.kind) {
    case 'forward':
      return null;
    case 'refuse':
      return plan.refusal.status;
    case 'announce':
      return plan.after?.status ?? 200;
    case 'hangup':
      return 200;
  }
}

/** 302 Moved Temporarily: the redirect forward mode. */
export const REDIRECT = 302;

/** 404 Not Found: a request with no called number crocetta can forward (src/sip/forward-target.ts). */
export const NOT_FOUND = 404;
/** 414 Request-URI Too Long (RFC 3261 21.4.12): one drachtio-server's proxy cannot rewrite. */
export const URI_TOO_LONG = 414;

/**
 * What a request gets that crocetta would forward but cannot route: at once 404, as a PBX answers an unknown DID,
 * or 414 when the Request-URI itself is too long to be rewritten.
 */
export function unroutablePlan(reject608: Reject608Contact, tooLong: boolean): SipPlan {
  return { kind: 'refuse', refusal: refusalFor(tooLong ? URI_TOO_LONG : NOT_FOUND, { reject608 }), ringMs: 0 };
}
