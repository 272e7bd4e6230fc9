/**
 * The 12-byte RTP fixed header (RFC 3550 §5.1), by hand: version 2, no padding, no extension, no CSRC.
 */
export const RTP_HEADER_BYTES = 12;

export interface RtpHeader {
  marker: boolean;
  payloadType: number;
  /** 16 bits, wraps. */
  sequence: number;
  /** 32 bits, wraps; in samples (8000 Hz for G.711). */
  timestamp: number;
  ssrc: number;
}

/** Writes the header into the first 12 bytes of `into`. */
export function writeRtpHeader(into: Uint8Array, h: RtpHeader): void {
  into[0] = 0x80;
  into[1] = (h.marker ? 0x80 : 0) | (h.payloadType & 0x7f);
  into[2] = (h.sequence >>> 8) & 0xff;
  into[3] = h.sequence & 0xff;
  writeU32(into, 4, h.timestamp);
  writeU32(into, 8, h.ssrc);
}

function writeU32(into: Uint8Array, at: number, value: number): void {
  const v = value >>> 0;
  into[at] = v >>> 24;
  into[at + 1] = (v >>> 16) & 0xff;
  into[at + 2] = (v >>> 8) & 0xff;
  into[at + 3] = v & 0xff;
}

function readU32(from: Uint8Array, at: number): number {
  return (
    (((from[at] ?? 0) << 24) | ((from[at + 1] ?? 0) << 16) | ((from[at + 2] ?? 0) << 8) | (from[at + 3] ?? 0)) >>> 0
  );
}

/** Parses a packet's fixed header; null when it is not RTP version 2 (e.g. STUN, garbage). */
export function readRtpHeader(packet: Uint8Array): (RtpHeader & { payloadOffset: number }) | null {
  if (packet.length < RTP_HEADER_BYTES) return null;
  const b0 = packet[0] ?? 0;
  if (b0 >>> 6 !== 2) return null;
  const csrc = b0 & 0x0f;
  let offset = RTP_HEADER_BYTES + 4 * csrc;
  if (b0 & 0x10) {
    const words = ((packet[offset + 2] ?? 0) << 8) | (packet[offset + 3] ?? 0);
    offset += 4 + 4 * words;
  }
  if (offset > packet.length) return null;
  const b1 = packet[1] ?? 0;
  return {
    marker: (b1 & 0x80) !== 0,
    payloadType: b1 & 0x7f,
    sequence: ((packet[2] ?? 0) << 8) | (packet[3] ?? 0),
    timestamp: readU32(packet, 4),
    ssrc: readU32(packet, 8),
    payloadOffset: offset,
  };
}
