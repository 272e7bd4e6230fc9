/**
 * Keys the caller presses, as RFC 4733 telephone-events in RTP (pure: bytes in, keys out).
 *
 * An event is a run of packets with the same RTP timestamp (its start), the duration growing, the last three
 * with the E bit: one key, however many packets carry it. A key is reported at its first packet (the caller need
 * not wait for the end), once; a packet that is not an event of the negotiated payload type is ignored.
 */
import { readRtpHeader } from './rtp-packet.js';

/** RFC 4733 §3.2 event codes 0-15: the sixteen DTMF keys. */
const KEYS = '0123456789*#ABCD';

export function keyOfEvent(code: number): string | null {
  return code >= 0 && code < KEYS.length ? (KEYS[code] ?? null) : null;
}

/** Follows one RTP stream's telephone-events; `push` returns the key a packet starts, else null. */
export class TelephoneEvents {
  private last: { ssrc: number; timestamp: number } | null = null;

  constructor(private readonly payloadType: number) {}

  push(packet: Uint8Array): string | null {
    const header = readRtpHeader(packet);
    if (header === null || header.payloadType !== this.payloadType) return null;
    if (packet.length < header.payloadOffset + 4) return null;
    const key = keyOfEvent(packet[header.payloadOffset] ?? 255);
    if (key === null) return null;
    if (this.last !== null && this.last.ssrc === header.ssrc && this.last.timestamp === header.timestamp) return null;
    this.last = { ssrc: header.ssrc, timestamp: header.timestamp };
    return key;
  }
}

/** Builds one telephone-event packet (tests and the bench play the caller's side). */
export function telephoneEventPacket(e: {
  key: string;
  payloadType: number;
  sequence: number;
  timestamp: number;
  ssrc: number;
  end: boolean;
  durationSamples: number;
  marker?: boolean;
}): Buffer {
  const code = KEYS.indexOf(e.key.toUpperCase());
  if (code < 0 || e.key.length !== 1) throw new Error(`not a DTMF key: ${e.key}`);
  const p = Buffer.alloc(16);
  p[0] = 0x80;
  p[1] = (e.marker ? 0x80 : 0) | (e.payloadType & 0x7f);
  p.writeUInt16BE(e.sequence & 0xffff, 2);
  p.writeUInt32BE(e.timestamp >>> 0, 4);
  p.writeUInt32BE(e.ssrc >>> 0, 8);
  p[12] = code;
  p[13] = (e.end ? 0x80 : 0) | 10; // volume -10 dBm0
  p.writeUInt16BE(e.durationSamples & 0xffff, 14);
  return p;
}
