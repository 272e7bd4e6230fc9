import { describe, expect, it } from 'vitest';
import { readRtpHeader, writeRtpHeader } from './rtp-packet.js';

describe('RTP header', () => {
  it('round-trips the fields at their wrap-around edges', () => {
    const buf = new Uint8Array(12);
    writeRtpHeader(buf, { marker: true, payloadType: 8, sequence: 0xffff, timestamp: 0xffffffff, ssrc: 0x80000001 });
    expect([...buf.subarray(0, 4)]).toEqual([0x80, 0x88, 0xff, 0xff]);
    expect(readRtpHeader(buf)).toEqual({
      marker: true,
      payloadType: 8,
      sequence: 0xffff,
      timestamp: 0xffffffff,
      ssrc: 0x80000001,
      payloadOffset: 12,
    });
  });

  it('skips CSRCs and a header extension, and refuses what is not RTP v2', () => {
    const pkt = new Uint8Array([
      0x91, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4, 0xbe, 0xde, 0, 1, 9, 9, 9, 9, 0xd5,
    ]);
    expect(readRtpHeader(pkt)?.payloadOffset).toBe(24);
    expect(readRtpHeader(new Uint8Array([0x00, 0x01, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]))).toBeNull();
    expect(readRtpHeader(new Uint8Array(5))).toBeNull();
  });
});
