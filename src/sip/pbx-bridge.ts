/**
 * After a caller passed the human check: crocetta calls the PBX and moves the caller's media onto it, third-party
 * call control (RFC 3725 §4.2, "flow II" order): the PBX gets the caller's own offer in our INVITE, so it sees the
 * caller's SDP; its answer goes to the caller as our new offer in a re-INVITE (the o= line ours, next version), and
 * the caller's answer, if it moved its media, goes back to the PBX in a re-INVITE. crocetta stays in both dialogs
 * (it is a B2BUA for signalling, never for media): BYE, re-INVITE, UPDATE and INFO pass across (trunk-dialog.ts),
 * and the caller hanging up while the PBX rings CANCELs the PBX's INVITE.
 */
import { performance } from 'node:perf_hooks';
import type Srf from 'drachtio-srf';
import type { Logger } from '../log.js';
import { asOurOffer, readOffer } from '../media/index.js';
import type { AttemptOutcome, HungUpBy } from '../store/register/types.js';
import type { Leg, SrfRequest } from './srf-augment.js';
import { tieDialogs, type CallLeg } from './trunk-dialog.js';
import { CANCELLED, OK, TEMPORARILY_UNAVAILABLE } from './verdict-to-sip.js';

interface UacCapable {
  createUAC(
    uri: string,
    opts: { localSdp: string; headers: Record<string, string> },
    progress: { cbRequest: (req: { cancel(): void }) => void },
  ): Promise<Leg>;
}

export interface BridgeRequest {
  srf: Omit<Srf, 'connect'>;
  /** The caller's INVITE: its offer goes to the PBX, its From/To/identity headers too. */
  req: SrfRequest;
  /** Our dialog with the caller (answered by crocetta for the check). */
  caller: Leg;
  /** Our SDP origin in the caller's dialog (session id, address) and its last version. */
  origin: { sessionId: number; address: string; version: number };
  /** The PBX's URI with the DID as its user (forward-call.ts#pbxDestination); null while no PBX is registered. */
  target: string | null;
  /** Extra headers for the PBX (the tag, with check=passed). */
  headers: Record<string, string>;
  log: Logger;
  /** How long the ACK of a relayed re-INVITE without SDP may take (pbx.ackTimeout), ms; absent: 32 s. */
  ackTimeoutMs?: number;
  /** Told once when a connected call ends (a BYE from either side, or crocetta's), with the ms since the PBX answered. */
  onEnd(talkMs: number): void;
}

export interface BridgeResult {
  outcome: AttemptOutcome;
  finalStatus: number | null;
  /** Who ended the call when it did not connect; null while connected. */
  hungUpBy: HungUpBy | null;
  sent: string;
}

/** Headers of the caller's INVITE the PBX should see as in a proxied call (caller ID, privacy, diversion). */
const PASSED_HEADERS = ['P-Asserted-Identity', 'Remote-Party-ID', 'Privacy', 'Diversion', 'User-Agent'];

function statusOf(err: unknown): number | null {
  const status = (err as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : null;
}

const withoutTag = (nameAddr: string): string => nameAddr.replace(/;\s*tag=[^;>\s]*/i, '');

/** The media a side will send to and receive on: a change needs telling the other side. */
function mediaOf(sdp: string | undefined): string | null {
  const read = readOffer(sdp);
  return read.ok ? `${read.offer.address}:${read.offer.port}/${read.offer.payloadType}/${read.offer.direction}` : null;
}

export async function connectToPbx(b: BridgeRequest): Promise<BridgeResult> {
  const target = b.target;
  if (target === null) {
    b.log.warn('the caller passed the check but no PBX is registered to crocetta: hung up');
    await b.caller.destroy().catch(() => undefined);
    return {
      outcome: 'failed',
      finalStatus: TEMPORARILY_UNAVAILABLE,
      hungUpBy: 'crocetta',
      sent: 'check passed, no PBX registered',
    };
  }
  const headers: Record<string, string> = { ...b.headers };
  const from = b.req.get('From') as string | undefined;
  const to = b.req.get('To') as string | undefined;
  if (from) headers['From'] = withoutTag(from);
  if (to) headers['To'] = withoutTag(to);
  for (const name of PASSED_HEADERS) {
    const value = b.req.get(name) as string | undefined;
    if (value) headers[name] = value;
  }

  // The caller may hang up while the PBX rings: CANCEL the PBX's INVITE.
  let inviteSent: { cancel(): void } | null = null;
  let callerGone = false;
  b.caller.removeAllListeners('destroy');
  b.caller.on('destroy', () => {
    callerGone = true;
    try {
      inviteSent?.cancel();
    } catch (err) {
      b.log.debug({ err }, 'CANCEL towards the PBX failed');
    }
  });

  let pbx: Leg;
  try {
    pbx = await (b.srf as unknown as UacCapable).createUAC(
      target,
      { localSdp: b.req.body, headers },
      { cbRequest: (sent) => (inviteSent = sent) },
    );
  } catch (err) {
    const status = statusOf(err);
    if (callerGone)
      return {
        outcome: 'cancelled',
        finalStatus: CANCELLED,
        hungUpBy: 'caller',
        sent: 'check passed, caller hung up while the PBX rang',
      };
    b.log.info(
      { status, err: status === null ? err : undefined, target },
      'the PBX did not take the checked call: hanging up',
    );
    await b.caller.destroy().catch(() => undefined);
    return {
      outcome: status === null ? 'failed' : 'declined',
      finalStatus: status,
      hungUpBy: 'crocetta',
      sent: `check passed, PBX answered ${status ?? 'nothing'}`,
    };
  }
  const pbxAnsweredAt = performance.now();
  if (callerGone || !b.caller.connected) {
    await pbx.destroy().catch(() => undefined);
    return {
      outcome: 'cancelled',
      finalStatus: CANCELLED,
      hungUpBy: 'caller',
      sent: 'check passed, caller hung up as the PBX answered',
    };
  }

  // The caller onto the PBX's media: the PBX's answer, as our next offer.
  b.origin.version += 1;
  let callerAnswer: string;
  try {
    callerAnswer = await b.caller.modify(asOurOffer(pbx.remote.sdp, b.origin));
  } catch (err) {
    b.log.warn({ err }, 'the caller refused the re-INVITE onto the PBX: both legs ended');
    await Promise.all([pbx.destroy().catch(() => undefined), b.caller.destroy().catch(() => undefined)]);
    return {
      outcome: 'failed',
      finalStatus: statusOf(err),
      hungUpBy: 'crocetta',
      sent: 'check passed, re-INVITE refused',
    };
  }
  if (mediaOf(callerAnswer) !== mediaOf(b.req.body)) {
    // The caller answered from other media than it first offered: the PBX must send there.
    await pbx
      .modify(callerAnswer)
      .catch((err: unknown) => b.log.warn({ err }, "re-INVITE towards the PBX with the caller's new media failed"));
  }
  b.caller.removeAllListeners('destroy');
  let ended = false;
  const end = (by: 'caller' | 'pbx' | 'crocetta', reason?: string): void => {
    if (ended) return;
    ended = true;
    const talkMs = Math.round(performance.now() - pbxAnsweredAt);
    b.log.info({ by, reason, talkMs }, 'checked call ended');
    b.onEnd(talkMs);
  };
  // Each side's requests in the call go across (trunk-dialog.ts); what goes to the caller carries our o= line, next
  // version, as its dialog has known crocetta's SDP since the check.
  const toCaller = (sdp: string): string => asOurOffer(sdp, { ...b.origin, version: ++b.origin.version });
  tieDialogs(
    { leg: b.caller as unknown as CallLeg, name: 'caller', auth: null, sdp: toCaller, ended: () => end('caller') },
    { leg: pbx as unknown as CallLeg, name: 'PBX', auth: null, ended: () => end('pbx') },
    b.log,
    { ackTimeoutMs: b.ackTimeoutMs, endedHere: (reason) => end('crocetta', reason) },
  );
  return { outcome: 'answered', finalStatus: OK, hungUpBy: null, sent: 'check passed, connected to the PBX' };
}
