/**
 * The SDP side of an announcement: read the caller's offer, pick G.711 in the caller's order, write our answer.
 * Pure (sdp-transform only): no sockets, no SIP.
 */
import { parse, parsePayloads, write, type MediaDescription, type SessionDescription } from 'sdp-transform';

export type G711 = 'PCMA' | 'PCMU';

/** RFC 3551 static payload types of G.711. */
const STATIC_G711: Readonly<Record<number, G711>> = { 0: 'PCMU', 8: 'PCMA' };

export const DEFAULT_PTIME_MS = 20;
export const MIN_PTIME_MS = 10;
export const MAX_PTIME_MS = 60;

export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

/** What we need from an offer to play to the caller. */
export interface AudioOffer {
  /** Where the caller wants our RTP (media-level c= wins over session-level). */
  address: string;
  ipVersion: 4 | 6;
  port: number;
  codec: G711;
  payloadType: number;
  /** Packet duration in ms, 10-60 (the caller's a=ptime when in range, else 20). */
  ptimeMs: number;
  /** The caller's direction for the stream. */
  direction: Direction;
  /**
   * RFC 4733 telephone-event at 8 kHz as the caller offered it (its dynamic payload type and fmtp, e.g. `0-16`),
   * null when not offered: the human check answers with the same payload type so the caller sends its keys in RTP.
   */
  telephoneEvent: { payloadType: number; fmtp: string | null } | null;
}

/** Why an offer cannot be served: each falls back to the configured refusal. */
export type OfferProblem = 'no-sdp' | 'unparsable' | 'no-audio' | 'no-g711' | 'no-address' | 'not-receiving';

export type OfferResult = { ok: true; offer: AudioOffer } | { ok: false; problem: OfferProblem };

function codecOf(media: MediaDescription, pt: number): G711 | null {
  const map = media.rtp.find((r) => r.payload === pt);
  if (map) {
    const name = map.codec.toUpperCase();
    return (name === 'PCMA' || name === 'PCMU') && (map.rate === undefined || map.rate === 8000) ? name : null;
  }
  return STATIC_G711[pt] ?? null;
}

function directionOf(session: SessionDescription, media: MediaDescription): Direction {
  return media.direction ?? session.direction ?? 'sendrecv';
}

function ptimeOf(media: MediaDescription): number {
  const p = media.ptime;
  if (p === undefined || !Number.isFinite(p)) return DEFAULT_PTIME_MS;
  const ms = Math.round(p / 10) * 10;
  return ms >= MIN_PTIME_MS && ms <= MAX_PTIME_MS ? ms : DEFAULT_PTIME_MS;
}

/**
 * Reads an offer: the first active `m=audio` stream with G.711 (PCMA or PCMU, whichever the caller lists first).
 * An empty body (late offer), no audio, only other codecs, or a caller that will not receive is a problem.
 */
export function readOffer(body: string | null | undefined): OfferResult {
  if (body === null || body === undefined || body.trim() === '') return { ok: false, problem: 'no-sdp' };
  let session: SessionDescription;
  try {
    session = parse(body);
  } catch {
    return { ok: false, problem: 'unparsable' };
  }
  if (!Array.isArray(session.media) || session.media.length === 0 || session.version === undefined) {
    return { ok: false, problem: 'unparsable' };
  }
  const audio = session.media.filter((m) => m.type === 'audio' && m.port > 0 && /^RTP\/AVP/i.test(m.protocol));
  if (audio.length === 0) return { ok: false, problem: 'no-audio' };
  for (const media of audio) {
    const payloads = parsePayloads(media.payloads ?? '');
    const pt = payloads.find((p) => codecOf(media, p) !== null);
    if (pt === undefined) continue;
    const codec = codecOf(media, pt) as G711;
    const conn = media.connection ?? session.connection;
    const address = conn?.ip.split('/')[0] ?? '';
    if (address === '' || address === '0.0.0.0') return { ok: false, problem: 'no-address' };
    const direction = directionOf(session, media);
    if (direction === 'sendonly' || direction === 'inactive') return { ok: false, problem: 'not-receiving' };
    return {
      ok: true,
      offer: {
        address,
        ipVersion: conn?.version === 6 ? 6 : 4,
        port: media.port,
        codec,
        payloadType: pt,
        ptimeMs: ptimeOf(media),
        direction,
        telephoneEvent: telephoneEventOf(media, payloads),
      },
    };
  }
  return { ok: false, problem: 'no-g711' };
}

function telephoneEventOf(media: MediaDescription, payloads: number[]): AudioOffer['telephoneEvent'] {
  const map = media.rtp.find(
    (r) =>
      payloads.includes(r.payload) &&
      r.codec.toLowerCase() === 'telephone-event' &&
      (r.rate === undefined || r.rate === 8000),
  );
  if (!map) return null;
  const fmtp = media.fmtp.find((f) => f.payload === map.payload)?.config ?? null;
  return { payloadType: map.payload, fmtp };
}

export interface AnswerParams {
  /** The address the caller must send to and expect our RTP from (MEDIA_ADDRESS). */
  address: string;
  port: number;
  /** o= session id (a random number per call is fine). */
  sessionId: number;
  /** Override the answer's direction (e.g. `inactive` for a call answered only to hang up). */
  direction?: Direction;
  /** Accept the caller's telephone-event payload type (RFC 4733 keys in RTP), when it offered one. */
  events?: boolean;
}

/** Our answer: one audio stream, the chosen codec only, the caller's ptime, direction mirrored. */
export function writeAnswer(offer: AudioOffer, params: AnswerParams): string {
  const ipVer = params.address.includes(':') ? 6 : 4;
  const direction: Direction = params.direction ?? (offer.direction === 'recvonly' ? 'sendonly' : 'sendrecv');
  const te = params.events === true ? offer.telephoneEvent : null;
  const rtp: Array<{ payload: number; codec: string; rate: number }> = [
    { payload: offer.payloadType, codec: offer.codec, rate: 8000 },
  ];
  const fmtp: Array<{ payload: number; config: string }> = [];
  if (te !== null) {
    rtp.push({ payload: te.payloadType, codec: 'telephone-event', rate: 8000 });
    fmtp.push({ payload: te.payloadType, config: te.fmtp ?? '0-15' });
  }
  const session: SessionDescription = {
    version: 0,
    origin: {
      username: 'crocetta',
      sessionId: params.sessionId,
      sessionVersion: 1,
      netType: 'IN',
      ipVer,
      address: params.address,
    },
    name: 'crocetta',
    connection: { version: ipVer, ip: params.address },
    timing: { start: 0, stop: 0 },
    media: [
      {
        type: 'audio',
        port: params.port,
        protocol: 'RTP/AVP',
        payloads: te === null ? String(offer.payloadType) : `${offer.payloadType} ${te.payloadType}`,
        rtp,
        fmtp,
        ptime: offer.ptimeMs,
        direction,
      },
    ],
  };
  return write(session);
}

/**
 * Another party's SDP offered to the caller as ours (the human check's re-INVITE onto the PBX's media, RFC 3725):
 * the o= line becomes crocetta's own (same user, session id, address) with the next version, as RFC 3264 §8 asks of
 * every new offer in a dialog; everything else is passed as it is.
 */
export function asOurOffer(sdp: string, origin: { sessionId: number; version: number; address: string }): string {
  const ipVer = origin.address.includes(':') ? 'IP6' : 'IP4';
  const line = `o=crocetta ${origin.sessionId} ${origin.version} IN ${ipVer} ${origin.address}`;
  return /^o=.*$/m.test(sdp) ? sdp.replace(/^o=.*$/m, line) : sdp;
}
