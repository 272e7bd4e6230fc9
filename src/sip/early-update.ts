/**
 * An UPDATE (RFC 3311) that reaches the PBX's outbound call before the answer: a carrier's session refresh (RFC 4028)
 * or early-media change, a PBX's refresh. It cannot be carried to the other side: drachtio-server 0.9.10 keeps no
 * dialog towards the PBX before its INVITE is answered (sip-dialog-controller.cpp adds the UAS dialog on the 200), so
 * the carrier's UPDATE has nowhere to go; and the PBX gets the carrier's 18x unreliably (no 100rel), so RFC 3311 §5.1
 * gives it no early dialog to send an offer in. So crocetta answers it, as RFC 3311 §5.2 asks of a UAS:
 *
 * - no offer (a refresh): 200 without a body. drachtio-srf answered with an SDP (the PBX's offer, or the carrier's
 *   early SDP): an answer to no offer.
 * - the same session again (its `o=` line unchanged: nothing changed, RFC 3311 §5.2's version check): 200 with the SDP
 *   that side already has from crocetta.
 * - a new offer: 488 with a Warning saying why, and the session stays as it was (RFC 3311 §5.2: the UAS rejects an
 *   offer it cannot take with 488; RFC 3261 §14.1: a refused offer leaves the session unchanged). drachtio-srf
 *   answered 200 with the old SDP: the requester believed its change taken while the other side never heard of it.
 */
import type { Logger } from '../log.js';
import type { SrfRequest, SrfResponse } from './srf-augment.js';

/** The SDPs of one side's early dialog with crocetta. */
export interface EarlySdp {
  /** What that side last sent crocetta ('' none). */
  theirs: string;
  /** What crocetta last sent that side ('' none). */
  ours: string;
}

function bodyOf(msg: { body?: unknown }): string {
  return typeof msg.body === 'string' ? msg.body : '';
}

/** An SDP's origin line (`o=` with its session version), or null. */
function originOf(sdp: string): string | null {
  return /^o=.*$/m.exec(sdp)?.[0].trim() ?? null;
}

/** The Warning of the 488 (RFC 3261 §20.43: 399, miscellaneous). */
export function earlyOfferWarning(to: string): string {
  return `399 crocetta "an offer in an UPDATE cannot be carried to the ${to} before the call is answered"`;
}

/**
 * Answers an UPDATE `from` sent before the answer (`sdp`: its early dialog's SDPs; `to`: the other side, for the
 * Warning and the log).
 */
export function answerEarlyUpdate(
  req: SrfRequest,
  res: SrfResponse,
  sdp: EarlySdp,
  from: string,
  to: string,
  log: Logger,
): void {
  const offer = bodyOf(req);
  try {
    if (offer === '') {
      res.send(200);
      return;
    }
    const origin = originOf(offer);
    if (sdp.ours !== '' && origin !== null && origin === originOf(sdp.theirs)) {
      res.send(200, { body: sdp.ours, headers: { 'Content-Type': 'application/sdp' } });
      return;
    }
    log.info({ by: from }, `an offer in an UPDATE before the answer refused (488): it cannot reach the ${to} yet`);
    res.send(488, { headers: { Warning: earlyOfferWarning(to) } });
  } catch (err) {
    log.warn({ err }, 'could not answer an UPDATE before the answer');
  }
}
