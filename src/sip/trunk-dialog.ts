/**
 * Two answered dialogs tied by crocetta as a B2BUA: the PBX's outbound call over a registration trunk
 * (outbound-b2bua.ts, the carrier's challenges answered) and a caller bridged to the PBX after the human check
 * (pbx-bridge.ts, what reaches the caller rewritten with crocetta's o= line). What one side sends in the call goes
 * to the other and its answer comes back.
 *
 * - re-INVITE (hold and resume, a=sendonly / a=inactive, session refreshes): relayed with its offer, the answer
 *   brought back. Without an offer (RFC 3261 §14.1, RFC 3264 §4) the other side's 2xx brings the offer, which goes
 *   back in ours, and the requester's ACK brings the answer, which goes on in our ACK. No ACK within 64·T1 (32 s,
 *   `pbx.ackTimeout`) ends the call on both legs (RFC 3261 §13.3.1.4: the UAS SHOULD send BYE): the other side's 2xx
 *   is ACKed first with our last SDP in its dialog (§13.2.2.4: an answer, then BYE), the exchange is released and each
 *   leg gets a BYE with `Reason: SIP ;cause=200 ;text="no ACK from the PBX to the 200 for its re-INVITE without SDP
 *   (32 s)"` (the leg that did not ACK named). Before, the exchange stayed held and every later offer got 491/500
 *   until the call ended.
 * - UPDATE with an offer (RFC 3311: a media change): relayed like a re-INVITE. Without one (a session refresh, RFC
 *   4028) it is answered here, as drachtio-srf did: drachtio-server runs each leg's session timer itself.
 * - INFO (DTMF): relayed with its body and type.
 * - OPTIONS (a keepalive some carriers, SBCs and PBXs send in a call to learn whether it still exists): relayed, and
 *   the requester gets the other side's answer (drachtio-srf answered 200 itself, so a carrier kept billing a call
 *   whose PBX had lost it).
 * - BYE: ends the other leg.
 * - The carrier may challenge any of these with 401/407 as it challenges the INVITE: the request goes again with the
 *   trunk's credentials (src/trunk/digest.ts), once, and once more when it says our nonce was stale.
 * - A 481 or 408 from the other side to any of these, or no answer at all (its dialog is gone: RFC 3261 §12.2.1.2,
 *   §14.1 for a re-INVITE: the UAC SHOULD end the dialog), ends the call: the requester gets that status (408 for no
 *   answer) and both legs a BYE, as does a request relayed towards a leg already gone. Not left to the requester: a
 *   carrier whose keepalive times out may only count the failure, and kept billing a call whose PBX had vanished.
 * - Any other failure gives the requester the other side's status (491 on glare, 486…) and the call goes on; 401/407
 *   become 403 (neither side can answer the other's challenge); a leg already gone gives 481. An offer that
 *   crosses the other side's while that one is being relayed gets 491 here (glare, RFC 3261 §14.2); a second offer
 *   from the side whose first is still being relayed gets 500 with Retry-After (RFC 3261 §14.2, RFC 3311 §5.2).
 *
 * Not drachtio-srf's Dialog.modify(): it answers no challenge, and after a re-INVITE that failed (a 491 on glare)
 * it never lets the next one out (dialog.js: `_reinvitesInProgress` is not counted down on a non-200). Requests go
 * out through in-dialog-request.ts; only 2xx answers to an INVITE are ACKed here (the stack ACKs the others).
 */
import type { Config } from '../config/schema.js';
import { durationMs } from '../config/duration.js';
import type { Logger } from '../log.js';
import type { Credentials } from '../trunk/digest.js';
import {
  answeredByStack,
  send,
  type Ack,
  type DialogChannel,
  type InDialogResponse,
  type Sent,
} from './in-dialog-request.js';
import type { SrfRequest, SrfResponse } from './srf-augment.js';

/** drachtio-srf's Dialog (dialog.js) as the relay uses it. */
export interface CallLeg extends DialogChannel {
  readonly srf: { removeDialog(dialog: unknown): void };
  connected: boolean;
  local: { sdp: string };
  remote: { sdp: string };
  /** A BYE ended the dialog (dialog.js): `bye.meta.source` 'application' when drachtio-server sent it itself. */
  on(event: 'destroy', listener: (bye?: { meta?: { source?: string } }, reason?: string) => void): unknown;
  on(event: 'modify' | 'update' | 'info' | 'options', listener: (req: SrfRequest, res: SrfResponse) => void): unknown;
  once(event: 'ack', listener: (req: SrfRequest) => void): unknown;
  removeListener(event: 'ack', listener: (req: SrfRequest) => void): unknown;
  removeAllListeners(): unknown;
  destroy(opts?: { headers?: Record<string, string> }): Promise<unknown>;
}

const SDP = 'application/sdp';

function bodyOf(msg: { body?: unknown }): string {
  return typeof msg.body === 'string' ? msg.body : '';
}

/** The status the requester gets for the other side's failure. */
function relayedFailure(status: number): number {
  return status === 401 || status === 407 ? 403 : status;
}

function sendFailure(err: unknown, to: CallLeg): number {
  return !to.connected || (err as { code?: unknown } | null)?.code === 'ENODIALOG' ? 481 : 500;
}

function reply(res: SrfResponse, status: number, log: Logger, sdp = ''): void {
  try {
    if (sdp === '') res.send(status);
    else res.send(status, { body: sdp, headers: { 'Content-Type': SDP } });
  } catch (err) {
    log.warn({ err, status }, 'could not answer a request in an outbound call');
  }
}

/** An SDP body for an ACK, or none. */
function sdpBody(sdp: string): Parameters<Ack>[0] {
  return sdp === '' ? undefined : { body: sdp, headers: { 'Content-Type': SDP } };
}

/** ACKs a 2xx to a relayed re-INVITE (drachtio-agent.js asserts its connection is still there). */
function ackSafely(ack: Ack, opts: Parameters<Ack>[0], log: Logger): void {
  try {
    ack(opts);
  } catch (err) {
    log.warn({ err }, 'could not ACK a relayed re-INVITE in an outbound call');
  }
}

/** RFC 3261 §14.2, RFC 3311 §5.2: 500 to an offer that cannot be taken now, with when to try again (0–10 s at random). */
function retryLater(res: SrfResponse, log: Logger): void {
  try {
    res.send(500, { headers: { 'Retry-After': String(Math.floor(Math.random() * 11)) } });
  } catch (err) {
    log.warn({ err, status: 500 }, 'could not answer a request in an outbound call');
  }
}

/** The call's offer/answer exchange in progress: the leg whose offer (re-INVITE or UPDATE) is being relayed. */
interface Exchange {
  by: CallLeg | null;
}

/** One of the two dialogs tied, and how crocetta speaks in it. */
export interface TiedLeg {
  leg: CallLeg;
  /** Its far end, in log lines ('carrier', 'PBX', 'caller'). */
  name: string;
  /** Answers its far end's 401/407 to what crocetta sends in this dialog; null: relayed as 403. */
  auth: Credentials | null;
  /** The SDP crocetta sends in this dialog for one the other side sent (default: the same SDP). */
  sdp?: (sdp: string) => string;
  /** Its far end hung up (its BYE answered), before the other leg gets ours. */
  ended?: () => void;
}

function ours(leg: TiedLeg, sdp: string): string {
  return sdp === '' || leg.sdp === undefined ? sdp : leg.sdp(sdp);
}

/**
 * Relays a re-INVITE (`method` INVITE) or an UPDATE with an offer, and brings the answer back. An offer from one side
 * while the other side's is still being relayed is glare: 491 (RFC 3261 §14.2, RFC 3311 §5.2), as the other side
 * would answer it, and neither side gets a re-INVITE while it has one of its own in progress. A second offer from the
 * side whose offer is being relayed gets 500 with Retry-After (the same sections), as its far end would answer it.
 */
async function relayOffer(
  method: 'INVITE' | 'UPDATE',
  call: Call,
  from: TiedLeg,
  to: TiedLeg,
  req: SrfRequest,
  res: SrfResponse,
  log: Logger,
): Promise<void> {
  const { exchange } = call;
  const offer = bodyOf(req);
  if (!to.leg.connected) return reply(res, 481, log);
  if (exchange.by === to.leg) return reply(res, 491, log);
  // The same side offering again before its offer was answered (RFC 3261 §14.2: a second re-INVITE while the first
  // is pending; RFC 3311 §5.2: an UPDATE while its own offer waits): 500 with Retry-After, and the first goes on.
  if (exchange.by === from.leg) return retryLater(res, log);
  exchange.by = from.leg;
  const done = (): void => {
    if (exchange.by === from.leg) exchange.by = null;
  };
  const sentOffer = ours(to, offer);
  let sent: Sent;
  try {
    sent = await send(to.leg, method, sentOffer === '' ? {} : { 'Content-Type': SDP }, sentOffer, to.auth);
  } catch (err) {
    done();
    log.debug({ err, method }, 'could not relay a request in the call');
    return notSent(call, to, method, err, res, log);
  }
  const { res: answer, ack } = sent;
  if (answer.status >= 300) {
    done();
    log.info({ method, status: answer.status, by: to.name }, 'a change in the call was refused');
    return answerWith(call, to, method, answer, res, log);
  }
  const sdp = bodyOf(answer);
  if (offer !== '' || sdp === '') {
    done();
    if (method === 'INVITE') ackSafely(ack, undefined, log);
    if (offer !== '') {
      to.leg.local.sdp = sentOffer;
      from.leg.remote.sdp = offer;
    }
    if (sdp === '') return reply(res, answer.status, log, offer === '' ? from.leg.local.sdp : '');
    to.leg.remote.sdp = sdp;
    const back = ours(from, sdp);
    from.leg.local.sdp = back;
    return reply(res, answer.status, log, back);
  }
  // No offer: the other side's 2xx brought one; the requester answers in its ACK, and that answer goes in ours.
  const onAck = (ackReq: SrfRequest): void => {
    clearTimeout(noAck);
    done();
    const answered = bodyOf(ackReq);
    const relayed = ours(to, answered);
    ackSafely(ack, sdpBody(relayed), log);
    if (answered !== '') {
      to.leg.local.sdp = relayed;
      from.leg.remote.sdp = answered;
    }
  };
  from.leg.once('ack', onAck);
  const noAck = setTimeout(() => {
    from.leg.removeListener('ack', onAck);
    done();
    if (call.over) return;
    ackSafely(ack, sdpBody(to.leg.local.sdp), log);
    endCall(call, 200, noAckReason(from, call.ackTimeoutMs), log, { leg: from.name, method });
  }, call.ackTimeoutMs);
  noAck.unref();
  to.leg.remote.sdp = sdp;
  const back = ours(from, sdp);
  from.leg.local.sdp = back;
  reply(res, answer.status, log, back);
}

/**
 * The Reason of the BYEs when `from` never ACKed crocetta's 2xx to its re-INVITE without SDP: who, what and how long,
 * in crocetta's words (drachtio-server's "ACK timeout" names neither the leg nor the request).
 */
function noAckReason(from: TiedLeg, ackTimeoutMs: number): string {
  return `no ACK from the ${from.name} to the 200 for its re-INVITE without SDP (${ackTimeoutMs / 1000} s)`;
}

async function relayInfo(call: Call, to: TiedLeg, req: SrfRequest, res: SrfResponse, log: Logger): Promise<void> {
  if (!to.leg.connected) return reply(res, 481, log);
  const headers: Record<string, string> = {};
  for (const name of ['Content-Type', 'Info-Package']) {
    const value = req.get(name) as unknown;
    if (typeof value === 'string' && value !== '') headers[name] = value;
  }
  try {
    const { res: answer } = await send(to.leg, 'INFO', headers, bodyOf(req), to.auth);
    answerWith(call, to, 'INFO', answer, res, log);
  } catch (err) {
    log.debug({ err }, 'could not relay INFO in the call');
    notSent(call, to, 'INFO', err, res, log);
  }
}

/**
 * Why the other side's answer to a request relayed in the call means its dialog is gone, or null when the call goes
 * on. RFC 3261 §12.2.1.2 (and §14.1 for a re-INVITE): a 481 or a 408 to a request in a dialog, or no answer at all,
 * and the UAC SHOULD end the dialog. No answer is drachtio-server's own 408 (timer F or B: the PBX or carrier
 * vanished) or 503 (ICMP "port unreachable": the PBX's process is gone); any other status, a far end's 503 included,
 * only fails that request.
 */
function goneBecause(res: InDialogResponse, to: TiedLeg, method: string): string | null {
  if (answeredByStack(res) && (res.status === 408 || res.status === 503))
    return `no answer from the ${to.name} to ${method} (${res.status})`;
  if (res.status === 481 || res.status === 408) return `the ${to.name}'s leg is gone (${res.status} to ${method})`;
  return null;
}

/**
 * Gives the requester the other side's final answer to a relayed request (401/407 as 403; no answer at all as 408, as
 * the requester's own transaction would end: drachtio-server's 503 would say that crocetta is unavailable, and a proxy
 * on the way turns a 503 into 500, RFC 3261 §16.7). When that answer says the other side's dialog is gone, crocetta
 * ends the call on both legs, so the side still up stops paying for (and holding) a call nobody is in; the BYEs'
 * Reason carries the status crocetta got.
 */
function answerWith(
  call: Call,
  to: TiedLeg,
  method: string,
  answer: InDialogResponse,
  res: SrfResponse,
  log: Logger,
): void {
  const gone = goneBecause(answer, to, method);
  reply(res, gone !== null && answeredByStack(answer) ? 408 : relayedFailure(answer.status), log);
  if (gone !== null) endCall(call, answer.status, gone, log, { leg: to.name, method });
}

/** A request that could not be sent in the other side's dialog: 481, and the call ended, when that dialog is gone. */
function notSent(call: Call, to: TiedLeg, method: string, err: unknown, res: SrfResponse, log: Logger): void {
  const status = sendFailure(err, to.leg);
  reply(res, status, log);
  if (status === 481)
    endCall(call, 481, `the ${to.name}'s leg is gone (481 to ${method})`, log, { leg: to.name, method });
}

/**
 * Relays an OPTIONS sent in the call (a keepalive) and gives the requester the other side's answer: a keepalive's
 * very purpose is to learn whether the call still exists there, and a 481, a 408 or no answer says it does not
 * (answerWith ends the call).
 */
async function relayOptions(call: Call, to: TiedLeg, req: SrfRequest, res: SrfResponse, log: Logger): Promise<void> {
  if (!to.leg.connected) return notSent(call, to, 'OPTIONS', null, res, log);
  const headers: Record<string, string> = {};
  const accept = req.get('Accept') as unknown;
  if (typeof accept === 'string' && accept !== '') headers.Accept = accept;
  try {
    const { res: answer } = await send(to.leg, 'OPTIONS', headers, '', to.auth);
    answerWith(call, to, 'OPTIONS', answer, res, log);
  } catch (err) {
    log.debug({ err }, 'could not relay OPTIONS in the call');
    notSent(call, to, 'OPTIONS', err, res, log);
  }
}

/** drachtio-srf forgets a dialog it sent BYE in (dialog.js destroy(): removeDialog). */
function forget(leg: CallLeg): void {
  leg.connected = false;
  leg.srf.removeDialog(leg);
  leg.removeAllListeners();
}

/**
 * Ends `to`'s dialog with a BYE (`headers`: a Reason, when crocetta ends the call). Where its far end may challenge
 * (`auth` given) a BYE it challenges goes again with credentials: drachtio-server keeps the dialog after a 401/407 to
 * a BYE (sip-dialog-controller.cpp), drachtio-srf's Dialog.destroy() does not (it forgets the dialog on any answer),
 * so the carrier's leg stayed up.
 */
function hangUp(to: TiedLeg, log: Logger, headers: Record<string, string> = {}): void {
  const failed = (err: unknown): void => log.debug({ err }, `BYE towards the ${to.name} failed`);
  if (to.auth === null) {
    to.leg.destroy({ headers }).catch(failed);
    return;
  }
  const leg = to.leg;
  leg.connected = false;
  send(leg, 'BYE', headers, '', to.auth)
    .then(({ res }) => {
      if (res.status >= 300) log.info({ status: res.status }, `the ${to.name} refused our BYE`);
    }, failed)
    .finally(() => forget(leg));
}

/**
 * crocetta ends the call itself: a BYE on each leg still up, with `reason` in a Reason header (RFC 3326), and the
 * call's owner told (`endedHere`: its log line, the register's talk time). Once: the far ends' own BYEs that cross ours are answered by
 * drachtio-srf and end nothing more.
 */
function endCall(call: Call, cause: number, reason: string, log: Logger, detail: Record<string, string> = {}): void {
  if (call.over) return;
  call.over = true;
  const headers = { Reason: `SIP ;cause=${cause} ;text="${reason}"` };
  for (const side of [call.a, call.b]) if (side.leg.connected) hangUp(side, log, headers);
  call.endedHere?.(reason, detail);
}

function tie(call: Call, from: TiedLeg, to: TiedLeg, log: Logger): void {
  const failed = (err: unknown): void => log.warn({ err }, 'relaying a request in the call failed');
  from.leg.on('destroy', (bye, reason) => {
    if (call.over) return;
    // drachtio-server ended this leg itself and says why in its BYE's Reason: no ACK for the call's first 200 within
    // its timer H ("ACK timeout"), a CANCEL that crossed that 200 ("CANCEL after 200 OK"). The call ends as when
    // crocetta ends it: the other leg's BYE carries that Reason, the log says who and why.
    if (bye?.meta?.source === 'application')
      return endCall(call, 200, reason ?? 'ended by drachtio-server', log, { leg: from.name });
    call.over = true;
    from.ended?.();
    if (to.leg.connected) hangUp(to, log);
  });
  from.leg.on('modify', (req, res) => {
    relayOffer('INVITE', call, from, to, req, res, log).catch(failed);
  });
  from.leg.on('update', (req, res) => {
    // A session refresh (no offer): answered here; each leg's session timer is drachtio-server's own.
    if (bodyOf(req) === '') return reply(res, 200, log);
    relayOffer('UPDATE', call, from, to, req, res, log).catch(failed);
  });
  from.leg.on('info', (req, res) => {
    relayInfo(call, to, req, res, log).catch(failed);
  });
  from.leg.on('options', (req, res) => {
    relayOptions(call, to, req, res, log).catch(failed);
  });
}

/** crocetta ended the call on both legs (BYEs sent), for `reason` (`detail`: the leg at issue, the request). */
export type EndedHere = (reason: string, detail: Record<string, string>) => void;

/** How long an ACK may take, and who hears when crocetta itself ends a tied call. */
export interface TieOptions {
  /** RFC 3261 §13.3.1.4's 64·T1 for the ACK of a relayed re-INVITE without SDP (pbx.ackTimeout); default 32 s. */
  ackTimeoutMs?: number;
  /** Its owner logs and records the end. */
  endedHere?: EndedHere;
}

/** The two dialogs tied and what they share. */
interface Call {
  a: TiedLeg;
  b: TiedLeg;
  exchange: Exchange;
  /** Ended: a far end hung up, or crocetta did. */
  over: boolean;
  ackTimeoutMs: number;
  endedHere?: EndedHere;
}

/** 64·T1 with T1 = 500 ms (RFC 3261 §17.1.1.1, §13.3.1.4). */
export const ACK_TIMEOUT_MS = 32_000;

/** `pbx.ackTimeout` in ms, as every tie of this process takes it (the outbound calls' and the checked calls'). */
export function ackTimeoutMsOf(config: Pick<Config, 'pbx'>): number {
  return durationMs(config.pbx.ackTimeout) ?? ACK_TIMEOUT_MS;
}

/** Ties two answered dialogs: what one side sends in the call goes to the other, its answer comes back. */
export function tieDialogs(a: TiedLeg, b: TiedLeg, log: Logger, opts: TieOptions = {}): void {
  const call: Call = {
    a,
    b,
    exchange: { by: null },
    over: false,
    ackTimeoutMs: opts.ackTimeoutMs ?? ACK_TIMEOUT_MS,
    endedHere: opts.endedHere,
  };
  tie(call, a, b, log);
  tie(call, b, a, log);
}

/** Ties the PBX's dialog (`uas`) to the carrier's (`uac`); `auth` answers the carrier's challenges. */
export function tieCall(uas: CallLeg, uac: CallLeg, auth: Credentials, log: Logger, ackTimeoutMs?: number): void {
  tieDialogs(
    { leg: uas, name: 'PBX', auth: null, ended: () => log.info({ by: 'pbx' }, 'outbound call ended') },
    { leg: uac, name: 'carrier', auth, ended: () => log.info({ by: 'carrier' }, 'outbound call ended') },
    log,
    {
      ackTimeoutMs,
      endedHere: (reason, detail) => log.info({ ...detail, by: 'crocetta', reason }, 'outbound call ended'),
    },
  );
}
