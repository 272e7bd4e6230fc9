import { describe, expect, it } from 'vitest';
import { baselineTimed, pacingOf, rtpTimed, streamsOf, type Timed } from '../../bench/rtp-timing.js';

/** A stream on schedule from `t0`, one packet every 20 ms, with extra delays (ms) at some packet indexes. */
function stream(key: string, t0: number, count: number, firstSeq = 100, late: Record<number, number> = {}): Timed[] {
  return Array.from({ length: count }, (_, i) => ({
    at: t0 + 20 * i + (late[i] ?? 0),
    key,
    seq: (firstSeq + i) & 0xffff,
  }));
}

function rtp(at: number, srcPort: number, ssrc: number, seq: number): { at: number; srcPort: number; payload: Buffer } {
  const payload = Buffer.alloc(172);
  payload[0] = 0x80;
  payload[1] = 8;
  payload.writeUInt16BE(seq, 2);
  payload.writeUInt32BE(ssrc, 8);
  return { at, srcPort, payload };
}

describe('bench RTP timing', () => {
  it('counts a packet 5 ms late once as lateness, twice as interval jitter', () => {
    const p = pacingOf(stream('a', 1000, 200, 100, { 50: 5 }), 20);
    expect(p).toMatchObject({ streams: 1, packets: 200, latenessP50: 0, latenessMax: 5 });
    // 199 intervals, two of them 5 ms off: p99 (the 198th sorted) is one of them; one late packet of 200 is below p99.
    expect(p.intervalJitterP99).toBeCloseTo(5);
    expect(p.latenessP99).toBe(0);
  });

  it('sees a stall and its catch-up burst as the lateness of every packet in it', () => {
    // Packets 10-14 due at 200-280 ms all leave at 290 (a 90-ms stall), then on time again.
    const late = { 10: 90, 11: 70, 12: 50, 13: 30, 14: 10 };
    const p = pacingOf(stream('a', 0, 100, 7, late), 20);
    expect(p.latenessMax).toBe(90);
    expect(p.latenessP99).toBe(90);
    // Intervals: 110 (+90), four of 0 (−20 each), then 30 (+10).
    expect(pacingOf(stream('a', 0, 15, 7, late), 20).intervalJitterP99).toBe(90);
  });

  it('reads a lost packet as a sequence step, not as jitter, across the 16-bit wrap', () => {
    const packets = stream('a', 0, 40, 65_520).filter((_, i) => i !== 20);
    const p = pacingOf(packets, 20);
    expect(p).toMatchObject({ streams: 1, packets: 39, missing: 1, intervalJitterP99: 0, latenessMax: 0 });
  });

  it("splits a port's streams by SSRC, and by a sequence that starts again (the next call on the same port)", () => {
    const first = stream('p', 0, 50, 0);
    const second = stream('p', 2000, 50, 0); // same key, sequence from 0 again 1 s after the first ended
    expect(streamsOf([...first, ...second]).map((s) => s.at.length)).toEqual([50, 50]);
    const p = pacingOf([...first, ...second], 20);
    expect(p).toMatchObject({ streams: 2, missing: 0, intervalJitterP99: 0, latenessMax: 0 });
    // Without the split the gap between the calls would be one 1,020-ms interval and a lateness of seconds.
    const timed = rtpTimed([rtp(0, 4000, 1, 5), rtp(20, 4000, 2, 9), rtp(40, 4000, 1, 7), rtp(61, 4000, 2, 11)]);
    expect(streamsOf(timed).map((s) => s.at)).toEqual([
      [0, 40],
      [20, 61],
    ]);
    expect(pacingOf(timed, 20).latenessMax).toBe(1);
  });

  it('ignores what is not RTP version 2', () => {
    const junk = { at: 5, srcPort: 4000, payload: Buffer.from('hello world, not rtp') };
    expect(rtpTimed([junk, rtp(1, 4000, 3, 1)])).toEqual([{ at: 1, key: '4000/3', seq: 1 }]);
  });

  it('reads a 1-ms sleeper as 20 streams of one deadline per 20 ms, so its figures compare with the streams', () => {
    // 400 deadlines, 1 ms apart; the thread stalls 6 ms at deadline 100 and catches up at once.
    const wakeups = Array.from({ length: 400 }, (_, k) => 1 + k + (k >= 100 && k <= 106 ? 106 - k : 0));
    const timed = baselineTimed(wakeups, 20);
    expect(streamsOf(timed)).toHaveLength(20);
    const p = pacingOf(timed, 20);
    expect(p.latenessMax).toBe(6);
    expect(p.packets).toBe(400);
    // 6 of the 400 wake-ups were late: above p99.
    expect(p.latenessP99).toBeGreaterThan(0);
  });
});
