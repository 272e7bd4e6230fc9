/**
 * The PBX's outbound calls over a registration trunk: the carrier challenges every INVITE (401/407) and only
 * crocetta holds the credentials, so a stateful proxy (which hands the challenge back to the PBX) cannot carry
 * them. drachtio-srf's B2BUA does the two legs: the PBX leg gets the carrier's progress and answer, media flows
 * PBX ↔ carrier as before (the SDP is passed through), and the two dialogs are tied (trunk-dialog.ts): BYE,
 * re-INVITE, UPDATE and INFO go across, the carrier's challenges to them answered too. The challenge is answered
 * here, with the registration's digest (src/trunk/digest.ts: MD5 and SHA-256, a qop list such as
 * `"auth,auth-int"`, `stale`), not with drachtio-srf's own `auth` option, whose client knows MD5 only and sends a
 * qop list back whole: the INVITE goes again with the same Call-ID and From tag, CSeq + 1 and the credentials, as
 * RFC 3261 §22.2 asks.
 */
import type Srf from 'drachtio-srf';
import type { Logger } from '../log.js';
import { digestAnswer, pickChallenge } from '../trunk/digest.js';
import { answerEarlyUpdate, type EarlySdp } from './early-update.js';
import type { SrfRequest, SrfResponse } from './srf-augment.js';
import { tieCall, type CallLeg } from './trunk-dialog.js';

export interface B2buaTrunk {
  /** Where the INVITE goes (the dialled number as user is already in). */
  target: string;
  /** The account: From of the carrier leg. */
  aor: string;
  /** The AOR's domain, for To. */
  domain: string;
  dialled: string | null;
  auth: { username: string; password: string };
  /** Where these credentials are set (the error names them); the first account's variables when absent. */
  hint?: string;
  /** pbx.ackTimeout in ms (trunk-dialog.ts); absent: 32 s. */
  ackTimeoutMs?: number;
}

type AnyListener = (...args: unknown[]) => void;

/** drachtio-srf's Request is an EventEmitter (request.js); the typings leave these out. */
interface Listened {
  eventNames(): Array<string | symbol>;
  listeners(event: string | symbol): AnyListener[];
  on(event: string | symbol, listener: AnyListener): unknown;
  removeListener(event: string | symbol, listener: AnyListener): unknown;
  removeAllListeners(event: string | symbol): unknown;
}

/** The carrier leg's INVITE as drachtio-srf hands it over once drachtio-server has sent it (request.js). */
interface SentInvite extends Partial<Listened> {
  cancel(): void;
}

/** A provisional response of the carrier leg (drachtio-srf's Response). */
interface Provisional {
  status: number;
  body?: unknown;
}

interface B2buaCapable {
  createB2BUA(
    req: SrfRequest,
    res: SrfResponse,
    uri: string,
    opts: Record<string, unknown>,
    progress: { cbRequest: (err: unknown, sent?: SentInvite) => void },
  ): Promise<{ uas: CallLeg; uac: CallLeg }>;
}

/**
 * Answers UPDATEs before the answer here (early-update.ts) instead of drachtio-srf: `emitter` is the PBX's INVITE or
 * the carrier leg's, `answer` ours; drachtio-srf's own listeners (srf.js: createB2BUA's on the PBX's, createUAC's on
 * the carrier's) are removed. drachtio-srf emits an UPDATE that comes before the answer on the INVITE of its Call-ID
 * (drachtio-agent.js).
 */
function answerUpdatesHere(emitter: Listened, answer: AnyListener): void {
  emitter.removeAllListeners('update');
  emitter.on('update', answer);
}

/** The listeners on `emitter` now, by event. */
function listenersOf(emitter: Listened): Map<string | symbol, Set<AnyListener>> {
  const all = new Map<string | symbol, Set<AnyListener>>();
  for (const event of emitter.eventNames()) all.set(event, new Set(emitter.listeners(event)));
  return all;
}

/** Removes every listener added to `emitter` since `before` was taken. */
function removeAddedSince(emitter: Listened, before: Map<string | symbol, Set<AnyListener>>): void {
  for (const event of emitter.eventNames()) {
    const had = before.get(event);
    for (const listener of emitter.listeners(event)) if (!had?.has(listener)) emitter.removeListener(event, listener);
  }
}

/** Headers the PBX may set that the carrier should see (the caller ID it wants to present, withheld or not). */
const PASSED_HEADERS = ['P-Asserted-Identity', 'P-Preferred-Identity', 'Privacy', 'Diversion'];

function statusOf(err: unknown): number | null {
  const status = (err as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : null;
}

/** What a failed carrier leg's error carries of the response: its headers (drachtio-srf's SipError). */
interface FailedLeg {
  res?: { get(name: string): unknown };
}

/**
 * The headers of the same INVITE sent again with credentials for `err`'s 401/407 (and whether the carrier said our
 * last nonce was stale), or null when it cannot be answered.
 */
function credentialled(
  err: unknown,
  req: SrfRequest,
  trunk: B2buaTrunk,
  headers: Record<string, string>,
): { headers: Record<string, string>; stale: boolean } | null {
  const status = statusOf(err);
  const res = (err as FailedLeg | null)?.res;
  if ((status !== 401 && status !== 407) || res === undefined) return null;
  const text = (name: string): string => {
    const v = res.get(name);
    return typeof v === 'string' ? v : '';
  };
  const challenge = pickChallenge([text(status === 401 ? 'WWW-Authenticate' : 'Proxy-Authenticate')]);
  const seq = Number.parseInt(text('CSeq'), 10);
  if (challenge === null || !Number.isSafeInteger(seq) || !text('Call-ID') || !text('From')) return null;
  const body = typeof req.body === 'string' ? req.body : '';
  const answer = digestAnswer(challenge, trunk.auth, { method: 'INVITE', uri: trunk.target, body });
  const again = {
    ...headers,
    From: text('From'),
    'Call-ID': text('Call-ID'),
    CSeq: `${seq + 1} INVITE`,
    [status === 401 ? 'Authorization' : 'Proxy-Authorization']: answer,
  };
  return { headers: again, stale: challenge.stale };
}

/**
 * Connects the PBX's INVITE to the carrier; resolves with the final status the PBX got. Never rejects.
 *
 * Each createB2BUA call adds its own listeners to the PBX's request once the carrier's INVITE is sent (srf.js
 * handleUACSent: 'cancel' answers the PBX 487 and CANCELs that INVITE; 'update'), and leaves them there when the
 * INVITE fails. Those of an attempt the carrier challenged are removed before the next one: else the PBX's CANCEL
 * also CANCELled the challenged INVITE, already ended by its 401/407 (and a PBX UPDATE got two answers). drachtio-srf
 * emits the PBX's CANCEL once; while no attempt has its listener on (from a challenge until drachtio-server says the
 * next INVITE went out, or before the first did), this function's own listener takes it: the PBX gets its 487 and
 * the INVITE is CANCELled as soon as it is known, or not sent again.
 */
export async function bridgeToCarrier(
  srf: Omit<Srf, 'connect'>,
  req: SrfRequest,
  res: SrfResponse,
  trunk: B2buaTrunk,
  log: Logger,
): Promise<number | null> {
  let headers: Record<string, string> = {
    From: `<${trunk.aor}>`,
    To: `<sip:${trunk.dialled ?? ''}@${trunk.domain}>`,
  };
  const pbxRequest = req as unknown as Listened;
  // UPDATEs before the answer (RFC 3311: a carrier's session refresh or early-media change, a PBX's refresh): the
  // SDPs each early dialog has (the carrier's early SDP, relayed to the PBX as it is, is each side's answer).
  const pbxEarly: EarlySdp = { theirs: typeof req.body === 'string' ? req.body : '', ours: '' };
  const carrierEarly: EarlySdp = { theirs: '', ours: pbxEarly.theirs };
  const onPbxUpdate = (update: SrfRequest, updateRes: SrfResponse): void =>
    answerEarlyUpdate(update, updateRes, pbxEarly, 'PBX', 'carrier', log);
  const onCarrierUpdate = (update: SrfRequest, updateRes: SrfResponse): void =>
    answerEarlyUpdate(update, updateRes, carrierEarly, 'carrier', 'PBX', log);
  const provisional = (progress: Provisional): void => {
    const sdp = typeof progress.body === 'string' ? progress.body : '';
    if (progress.status <= 100 || progress.status >= 200 || sdp === '') return;
    carrierEarly.theirs = sdp;
    pbxEarly.ours = sdp;
  };
  let cancelled = false;
  /** The current attempt's INVITE is sent and drachtio-srf's own 'cancel' listener for it is on. */
  let attemptListening = false;
  const onCancel = (): void => {
    cancelled = true;
    if (attemptListening || res.finalResponseSent) return;
    try {
      res.send(487);
    } catch (err) {
      log.warn({ err }, 'could not answer the PBX');
    }
  };
  const sent = (err: unknown, invite?: SentInvite): void => {
    if (err !== null && err !== undefined) return;
    attemptListening = true;
    // createB2BUA put its UPDATE listener on the PBX's INVITE just before telling us; createUAC puts its own on the
    // carrier leg's just after, in the same turn (srf.js), hence the microtask.
    answerUpdatesHere(pbxRequest, onPbxUpdate as AnyListener);
    const carrierInvite = invite;
    if (carrierInvite?.removeAllListeners !== undefined && carrierInvite.on !== undefined) {
      // Its provisional responses, for their SDP: createB2BUA's cbProvisional is not called for one with a body.
      carrierInvite.on('response', provisional as AnyListener);
      queueMicrotask(() => answerUpdatesHere(carrierInvite as Listened, onCarrierUpdate as AnyListener));
    }
    if (!cancelled || invite === undefined) return;
    // The PBX cancelled before drachtio-server said this INVITE went out: nobody else will CANCEL it.
    try {
      invite.cancel();
    } catch (cancelErr) {
      log.warn({ err: cancelErr }, 'could not cancel the carrier leg');
    }
  };
  pbxRequest.on('cancel', onCancel);
  answerUpdatesHere(pbxRequest, onPbxUpdate as AnyListener);
  try {
    for (let answers = 0; ; answers++) {
      const before = listenersOf(pbxRequest);
      try {
        const { uas, uac } = await (srf as unknown as B2buaCapable).createB2BUA(
          req,
          res,
          trunk.target,
          {
            headers,
            proxyRequestHeaders: PASSED_HEADERS,
            // Failures are answered here: a carrier that still challenges after our credentials must not make the PBX
            // try its own (it has none); it gets 403 and the log says why.
            passFailure: false,
          },
          { cbRequest: sent },
        );
        tieCall(uas, uac, trunk.auth, log, trunk.ackTimeoutMs);
        return 200;
      } catch (err) {
        attemptListening = false;
        removeAddedSince(pbxRequest, before);
        if (cancelled) {
          // The PBX's 487 is sent; an answer that crossed the CANCEL was hung up by drachtio-srf (BYE).
          log.info({ status: statusOf(err) }, 'outbound call cancelled by the PBX');
          return 487;
        }
        // One answer to the carrier's challenge; one more only when it says our nonce was stale, not our password wrong.
        const again = answers < 2 ? credentialled(err, req, trunk, headers) : null;
        if (again !== null && (answers === 0 || again.stale)) {
          headers = again.headers;
          continue;
        }
        return failed(err, res, answers, log, trunk.hint);
      }
    }
  } finally {
    pbxRequest.removeListener('cancel', onCancel);
    pbxRequest.removeListener('update', onPbxUpdate as AnyListener);
  }
}

/** Answers the PBX for a carrier leg that failed (unless the PBX cancelled), says why, and returns the status. */
function failed(
  err: unknown,
  res: SrfResponse,
  answers: number,
  log: Logger,
  hint = 'TRUNK_USERNAME, TRUNK_AUTH_USERNAME and TRUNK_PASSWORD',
): number | null {
  const status = statusOf(err);
  if (status === 401 || status === 407) {
    log.error(
      { status, answered: answers },
      answers === 0
        ? 'the carrier asked for credentials crocetta cannot give (no digest challenge it can answer) for an outbound call'
        : `the carrier refused the trunk credentials for an outbound call: check ${hint}`,
    );
  } else {
    log.info({ status, err: status === null ? err : undefined }, 'outbound call not connected');
  }
  const answer = status === 401 || status === 407 ? 403 : status === 487 ? null : (status ?? 503);
  if (answer !== null && !res.finalResponseSent) {
    try {
      res.send(answer);
    } catch (sendErr) {
      log.warn({ err: sendErr }, 'could not answer the PBX');
    }
  }
  return status;
}
