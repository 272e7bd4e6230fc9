import { describe, expect, it } from 'vitest';
import { TelephoneEvents, keyOfEvent, telephoneEventPacket } from './dtmf.js';
import { writeRtpHeader } from './rtp-packet.js';

const event = (key: string, ts: number, end = false, pt = 101, ssrc = 7, seq = 1) =>
  telephoneEventPacket({ key, payloadType: pt, sequence: seq, timestamp: ts, ssrc, end, durationSamples: 160 });

describe('RFC 4733 telephone-events', () => {
  it('reports a key once per event, however many packets (and end retransmissions) carry it', () => {
    const te = new TelephoneEvents(101);
    const keys = [
      event('1', 1000),
      event('1', 1000),
      event('1', 1000, true),
      event('1', 1000, true),
      event('1', 1000, true),
    ].map((p) => te.push(p));
    expect(keys).toEqual(['1', null, null, null, null]);
  });

  it('the same key pressed twice is two events (new timestamp)', () => {
    const te = new TelephoneEvents(101);
    expect([te.push(event('5', 1000)), te.push(event('5', 1000, true)), te.push(event('5', 3000))]).toEqual([
      '5',
      null,
      '5',
    ]);
  });

  it('ignores audio, other payload types, short packets and non-RTP', () => {
    const te = new TelephoneEvents(101);
    const audio = Buffer.alloc(172);
    writeRtpHeader(audio, { marker: false, payloadType: 8, sequence: 1, timestamp: 1, ssrc: 1 });
    expect(te.push(audio)).toBeNull();
    expect(te.push(event('1', 1000, false, 96))).toBeNull();
    expect(te.push(event('1', 1000).subarray(0, 14))).toBeNull();
    expect(te.push(Buffer.from('not rtp at all'))).toBeNull();
  });

  it('maps the sixteen event codes and nothing else', () => {
    expect([0, 9, 10, 11, 12, 15].map(keyOfEvent)).toEqual(['0', '9', '*', '#', 'A', 'D']);
    expect(keyOfEvent(16)).toBeNull();
  });

  it('reads the sipp pcap framing: event * and #', () => {
    const te = new TelephoneEvents(96);
    expect(te.push(event('*', 10, false, 96))).toBe('*');
    expect(te.push(event('#', 20, false, 96))).toBe('#');
  });
});
