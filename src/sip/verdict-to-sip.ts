import type { Action } from '../screening/policy.js';
import type { Decision } from '../screening/types.js';
import type { AttemptOutcome } from '../store/register/types.js';
import { callInfoFor608, type Reject608Contact } from './jcard.js';
import { reasonPhrase } from './sip-status-codes.js';

/**
 * The only place that turns crocetta's decisions into SIP: what to send for an action, and which status codes
 * mean what. The domain returns actions and verdicts; it never knows a status code. (The one status the domain
 * carries is the operator's own choice in `reject:<code>`.)
 */

/** A final non-2xx answer: status, its standard reason phrase, and headers (the mark; Call-Info on 608). */
export interface Refusal {
  status: number;
  reason: string;
  headers: Record<string, string>;
}

/**
 * What to send, one variant per way of answering. A new way of answering is a new variant here, its case in
 * `planFor` and `plannedFinalStatus`, and its executor in `carry-out.ts` (the compiler lists each place).
 */
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
  | { kind: 'hangup'; ringMs: number; fallback: Refusal }
  /**
   * The human check (human-check.ts): 200 OK with our SDP, the prompt, the key awaited `waitSeconds` (null:
   * check.waitSeconds), then the PBX with `headers` (the tag, `check=passed`) or the NO and BYE. When the check
   * cannot run after all (no port free, too many at once) the call is forwarded with `fallbackHeaders` (the tag).
   */
  | {
      kind: 'check';
      waitSeconds: number | null;
      headers: Record<string, string>;
      fallbackHeaders: Record<string, string>;
    };

export const RINGING = { status: 180, reason: 'Ringing' } as const;
/** 183 Session Progress: early media. drachtio-srf's table says "Session in Progress"; RFC 3261 says this. */
export const SESSION_PROGRESS = { status: 183, reason: 'Session Progress' } as const;
/** 200 OK: an answered call (ours, to announce or hang up, or the PBX's). */
export const OK = 200;
/** 302 Moved Temporarily: the redirect forward mode. */
export const REDIRECT = 302;
/** 403 Forbidden: a request to the registered contact from outside the carrier's addresses. */
export const FORBIDDEN = 403;
/** 404 Not Found: a request with no called number crocetta can forward (src/sip/forward-target.ts). */
export const NOT_FOUND = 404;
/** 408 Request Timeout: drachtio-server's own answer when the PBX never gave a final one (Timer B or C). */
export const REQUEST_TIMEOUT = 408;
/** 414 Request-URI Too Long (RFC 3261 21.4.12): one drachtio-server's proxy cannot rewrite. */
export const URI_TOO_LONG = 414;
/** 480 Temporarily Unavailable: no PBX registered to crocetta to take an allowed call. */
export const TEMPORARILY_UNAVAILABLE = 480;
/** 487 Request Terminated: the caller's CANCEL ended the INVITE. */
export const REQUEST_TERMINATED = { status: 487, reason: 'Request Terminated' } as const;
/** 500 Server Internal Error. */
export const SERVER_ERROR = 500;
/** RFC 8197: the called party's judgement that the call is unwanted. crocetta's default refusal. */
export const UNWANTED = 607;
/** RFC 8688: rejected by an intermediary (an analytics engine), with whom to contact in Call-Info. */
export const REJECTED = 608;

/** The final status recorded for a request the caller cancelled. */
export const CANCELLED = REQUEST_TERMINATED.status;

export interface TagSettings {
  header: string;
}

export interface PlanSettings {
  tag: TagSettings;
  /**
   * Mark the refusals crocetta sends itself (sip.markRefusals, REFUSAL_MARK); a RefusalMark: the request's, read by the
   * first refusal that carries it (a forward never reads it).
   */
  markRefusals: boolean | RefusalMark;
  /** Ring this long before any refusal, announcement or hang-up (ms). */
  ringDelayMs: number;
  reject608: Reject608Contact;
}

/** What a refusal's headers depend on: the mark and the 608's contact. */
export type RefusalSettings = Pick<PlanSettings, 'reject608' | 'markRefusals'>;

export function verdictHeaderValue(decision: Decision): string {
  return `${decision.verdict}; score=${decision.score.toFixed(2)}`;
}

/**
 * crocetta's mark on every final refusal it sends itself while sip.markRefusals is on (off by default: the header
 * names the product to the carrier, and only a proxy in front reads it) or the request asked for it (FRONT_ASKS_MARK),
 * the refused status its value:
 * `X-Crocetta-Refusal: 503`.
 * A proxy in front tells by it crocetta's own refusal (`reject:503`, `reject:408`) from a pair to route around:
 * drachtio-server's own 503 while no crocetta is connected, and a proxy's own 408 for a pair that never answered,
 * carry no such header (docs/pbx/kamailio-front.cfg fails over only on an unmarked 408 or 503, and strips the mark
 * before the carrier; docs/pbx/kamailio-front.md says why a header of its own rather than RFC 3326's Reason).
 * Unmarked: what crocetta only relays (the PBX's answers through drachtio-server's proxy, drachtio-server's 408 and
 * 487), its 2xx and 3xx, and its answers to REGISTER.
 */
export const REFUSAL_MARK = 'X-Crocetta-Refusal';

/**
 * How a proxy in front asks for the mark (REFUSAL_MARK) on a request's refusals whatever sip.markRefusals says: the
 * front that reads the mark asks for it, so it cannot be forgotten in crocetta's settings, and without a front nothing
 * asks (a caller that asks anyway gets the mark back, nothing more).
 * The Kamailio front (docs/pbx/kamailio-front.cfg) names the pair in a Route it puts first on every request it sends
 * one, with this URI parameter: `Route: <sip:10.0.0.21:5060;lr;crocetta-front>`. drachtio-server removes the first
 * Route of a request it proxies, so the request crocetta forwards reaches the PBX without it; a header could not be
 * removed (drachtio-server relays the request as it came and only adds the proxy command's headers: an empty
 * `X-Crocetta-Front` was added beside the front's, kamailio-front-real.test.ts saw both at the PBX).
 */
export const FRONT_ROUTE_PARAM = 'crocetta-front';

/**
 * The header session 30's front put on every request it sent a pair (`X-Crocetta-Front: mark`), still read, any
 * value, for a front configured from that recipe: it reaches the PBX on every call crocetta forwards by proxy.
 */
export const FRONT_ASKS_MARK = 'X-Crocetta-Front';

/** The first Route entry (the one drachtio-server removes) carries FRONT_ROUTE_PARAM, as a flag or with a value. */
const FRONT_ROUTE = new RegExp(`^[^,>]*;${FRONT_ROUTE_PARAM}(?:[;=>]|$)`, 'i');

/** Whether a request's refusals carry the mark: always with sip.markRefusals, else when the front asked for it. */
export function marksRefusals(headers: { header(name: string): readonly string[] }, always: boolean): boolean {
  if (always) return true;
  const route = headers.header('Route')[0];
  return (route !== undefined && FRONT_ROUTE.test(route)) || headers.header(FRONT_ASKS_MARK).length > 0;
}

/**
 * A request's marksRefusals, read from its headers at the first refusal that asks (`marks()`), once: a request that is
 * forwarded never reads them (the Route header is read from drachtio-srf's table, not a slot: request-headers.ts),
 * so the forward of a caller crocetta lets through goes without that work before it.
 */
export class RefusalMark {
  private known: boolean | null = null;

  constructor(
    private readonly headers: { header(name: string): readonly string[] },
    private readonly always: boolean,
  ) {}

  marks(): boolean {
    return (this.known ??= marksRefusals(this.headers, this.always));
  }
}

/** A mark given as it is known (a boolean) or as the request's RefusalMark: whether the refusal carries it. */
export function marks(mark: boolean | RefusalMark): boolean {
  return typeof mark === 'boolean' ? mark : mark.marks();
}

/**
 * The headers of a refusal crocetta sends itself with `status`: its mark when `mark` (sip.markRefusals), else none
 * (a new object either way, for more to be added).
 */
export function markedHeaders(status: number, mark: boolean | RefusalMark): Record<string, string> {
  return marks(mark) ? { [REFUSAL_MARK]: String(status) } : {};
}

/** The refusal crocetta falls back to when an action cannot be carried out: 607 Unwanted. */
export const DEFAULT_REFUSAL: Action = Object.freeze({ kind: 'reject', status: UNWANTED });

export function refusalFor(status: number, settings: RefusalSettings): Refusal {
  const headers = markedHeaders(status, settings.markRefusals);
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
    case 'check': {
      const tag = verdictHeaderValue(decision);
      return {
        kind: 'check',
        waitSeconds: action.waitSeconds,
        headers: { [settings.tag.header]: `${tag}; check=passed` },
        fallbackHeaders: { [settings.tag.header]: tag },
      };
    }
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
      return plan.after?.status ?? OK;
    case 'hangup':
      return OK;
    case 'check':
      return null;
  }
}

/**
 * What a request gets that crocetta would forward but cannot route: at once 404, as a PBX answers an unknown DID,
 * or 414 when the Request-URI itself is too long to be rewritten.
 */
export function unroutablePlan(settings: RefusalSettings, tooLong: boolean): SipPlan {
  return { kind: 'refuse', refusal: refusalFor(tooLong ? URI_TOO_LONG : NOT_FOUND, settings), ringMs: 0 };
}

/**
 * How a forward ended, from the PBX's final status as drachtio-server's proxy reports it. No status: the PBX
 * never answered and drachtio-server answered the caller 408 itself (Timer B or C).
 */
export function outcomeOfPbxAnswer(status: number | undefined): { outcome: AttemptOutcome; finalStatus: number } {
  if (status === undefined) return { outcome: 'timeout', finalStatus: REQUEST_TIMEOUT };
  if (status >= 200 && status < 300) return { outcome: 'answered', finalStatus: status };
  if (status === CANCELLED) return { outcome: 'cancelled', finalStatus: status };
  return { outcome: 'declined', finalStatus: status };
}

/** A final answer (2xx-6xx), as opposed to a provisional one. */
export function isFinal(status: number): boolean {
  return status >= 200;
}

/** A 2xx: the call was answered. */
export function isAnswered(status: number): boolean {
  return status >= 200 && status < 300;
}
