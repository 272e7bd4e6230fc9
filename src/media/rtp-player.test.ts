import dgram from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { RtpSinks, testStream, type RtpSink } from '../../test/support/rtp-sink.js';
import { GRID_MS, preciseSleep, RtpPacer, type StreamSpec } from './rtp-player.js';

const sockets: dgram.Socket[] = [];
const sinks = new RtpSinks();

async function sender(): Promise<dgram.Socket> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  sockets.push(s);
  return s;
}

afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  await sinks.closeAll();
});

function spec(socket: dgram.Socket, to: RtpSink, over: Partial<StreamSpec> = {}): StreamSpec {
  return { socket, ...testStream(to), ...over };
}

describe('RTP player', () => {
  it('sends 20 ms frames of 160 bytes, marker on the first only, contiguous sequence and timestamps, last frame padded with silence', async () => {
    // The clock by hand (as below): on the real clock a stall past MAX_BURST frames skips one, as it should.
    const [out, caller] = [await sender(), await sinks.add()];
    let now = 1000;
    const stream = new RtpPacer(() => now).play(spec(out, caller));
    for (let frame = 1; frame <= 8; frame++) {
      now = 1000 + 20 * frame;
      stream.pump(now);
    }
    const result = await stream.done;
    expect(result).toMatchObject({ endedBy: 'completed', packets: 7, playedMs: 140 });
    const p = caller.packets;
    await caller.waitForPackets(7);
    expect(p.map((x) => x.payload.length)).toEqual([160, 160, 160, 160, 160, 160, 160]);
    expect(p.map((x) => x.marker)).toEqual([true, false, false, false, false, false, false]);
    expect(new Set(p.map((x) => x.ssrc)).size).toBe(1);
    p.forEach((x, i) => {
      expect(x.sequence).toBe((p[0]!.sequence + i) & 0xffff);
      expect(x.timestamp).toBe((p[0]!.timestamp + 160 * i) >>> 0);
      expect(x.payloadType).toBe(8);
    });
    const last = p[6]!.payload;
    expect([...last.subarray(0, 40)]).toEqual(Array.from({ length: 40 }, (_, i) => (960 + i) % 251));
    expect([...last.subarray(40)].every((b) => b === 0xd5)).toBe(true);
  });

  it('keeps to the timeline from its start (no drift): a late wake-up catches up, the next due time does not move', async () => {
    const [out, caller] = [await sender(), await sinks.add()];
    let now = 1000;
    const pacer = new RtpPacer(() => now);
    const stream = pacer.play(spec(out, caller, { ptimeMs: 30, audio: new Uint8Array(240 * 20).fill(1) }));
    expect(stream.packetsSent).toBe(1); // packet 0 at 1000
    now = 1065; // woken 5 ms after packet 2 was due (1060)
    stream.pump(now);
    expect(stream.packetsSent).toBe(3);
    expect(stream.nextDue).toBe(1090); // start + 3 × 30, not 1065 + 30
    now = 1089.97; // within the allowance for a sleep that wakes a hair early
    stream.pump(now);
    expect(stream.packetsSent).toBe(4);
    now = 1000 + 30 * 1000; // a long stall: skips ahead instead of bursting the whole backlog
    stream.pump(now);
    stream.stop();
    expect((await stream.done).packets).toBeLessThan(12);
    await caller.waitForPackets(4);
    expect(caller.packets.every((x) => x.payload.length === 240)).toBe(true);
  });

  it('sends each frame of a catch-up burst as itself (a late wake-up sends up to MAX_BURST + 1 frames at once)', async () => {
    // dgram's send to an address defers the copy into the kernel to the next tick (the address lookup): a burst that
    // reused a ring buffer before then sent the later frame's bytes twice and the earlier frame never (seen as a
    // sequence 4 ahead in a loaded test run).
    const [out, caller] = [await sender(), await sinks.add()];
    let now = 1000;
    const pacer = new RtpPacer(() => now);
    const stream = pacer.play(spec(out, caller, { audio: new Uint8Array(160 * 20).fill(1) }));
    now = 1000 + 20 * 5; // woken 100 ms late: frames 1-5 are due, and frame 5 at this very instant
    stream.pump(now);
    expect(stream.packetsSent).toBe(6);
    stream.stop();
    await caller.waitForPackets(6);
    const first = caller.packets[0]!.sequence;
    expect(caller.packets.map((x) => (x.sequence - first) & 0xffff)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(caller.packets.map((x) => (x.timestamp - caller.packets[0]!.timestamp) >>> 0)).toEqual([
      0, 160, 320, 480, 640, 800,
    ]);
  });

  it('repeats with silence between plays and stops at the maximum duration', async () => {
    // The clock by hand, each frame's wake-up on time: on the real clock a loaded suite stalled the event loop past
    // MAX_BURST frames and the pacer skipped one, as it should (6 packets, a fresh-clone CI run in session 47).
    const [out, caller] = [await sender(), await sinks.add()];
    let now = 1000;
    const stream = new RtpPacer(() => now).play(
      spec(out, caller, { audio: new Uint8Array(320).fill(7), repeat: 3, gapMs: 40, maxMs: 150 }),
    );
    for (let frame = 1; frame <= 8; frame++) {
      now = 1000 + 20 * frame;
      stream.pump(now);
    }
    const result = await stream.done;
    expect(result).toMatchObject({ endedBy: 'max-duration', packets: 7, playedMs: 140 });
    await caller.waitForPackets(7);
    expect(caller.packets.map((x) => x.payload[0])).toEqual([7, 7, 0xd5, 0xd5, 7, 7, 0xd5]);
  });

  it('stops at once: nothing is sent after stop() returns', async () => {
    const [out, caller] = [await sender(), await sinks.add()];
    const pacer = new RtpPacer();
    const stream = pacer.play(spec(out, caller, { audio: new Uint8Array(160 * 100).fill(3) }));
    await caller.waitForPackets(5);
    stream.stop('caller');
    const sent = stream.packetsSent;
    const result = await stream.done;
    await new Promise((r) => setTimeout(r, 80));
    expect(result.endedBy).toBe('caller');
    expect(caller.packets.length).toBe(sent);
    expect(pacer.active).toBe(0);
  });

  it('sends from its own socket and latches to the source of the first RTP packet from the caller', async () => {
    const [out, advertised, real] = [await sender(), await sinks.add(), await sinks.add()];
    const stream = new RtpPacer().play(spec(out, advertised, { audio: new Uint8Array(160 * 30).fill(3) }));
    await advertised.waitForPackets(2);
    expect(advertised.packets[0]!.from.port).toBe(out.address().port);
    await real.sendTo({ address: '127.0.0.1', port: out.address().port });
    await real.waitForPackets(3);
    stream.stop();
    const result = await stream.done;
    expect(result.latchedTo).toEqual({ address: '127.0.0.1', port: real.port });
  });

  it('starts every stream on the shared grid, so streams of the same ptime fall due together', async () => {
    const [out1, out2, caller] = [await sender(), await sender(), await sinks.add()];
    let now = 5000;
    const pacer = new RtpPacer(() => now);
    const audio = new Uint8Array(160 * 50).fill(2);
    const first = pacer.play(spec(out1, caller, { audio }));
    expect(first.packetsSent).toBe(1); // the first stream sets the grid: it starts at once
    now = 5003;
    const second = pacer.play(spec(out2, caller, { audio }));
    expect(second.packetsSent).toBe(0); // waits for the next grid point
    expect(second.nextDue).toBe(5000 + GRID_MS);
    now = 5020;
    first.pump(now);
    second.pump(now);
    expect([first.nextDue, second.nextDue]).toEqual([5040, 5030]);
    now = 5040; // with a ptime of 20 both are due at the grid points 5040, 5050, ... : one wake-up each
    second.pump(now);
    first.pump(now);
    expect([first.nextDue, second.nextDue]).toEqual([5060, 5050]);
    pacer.stopAll();
    // Once idle, the next stream starts a new grid at once.
    now = 9001.3;
    const third = pacer.play(spec(out1, caller, { audio }));
    expect(third.packetsSent).toBe(1);
    third.stop();
  });

  it('wakes its timer early and sleeps the rest precisely, never longer than a few milliseconds', async () => {
    const [out, caller] = [await sender(), await sinks.add()];
    const sleeps: number[] = [];
    const pacer = new RtpPacer({
      now: () => performance.now(),
      sleep: (ms) => {
        sleeps.push(ms);
        preciseSleep(ms);
      },
    });
    const result = await pacer.play(spec(out, caller, { audio: new Uint8Array(160 * 10).fill(5) })).done;
    expect(result).toMatchObject({ endedBy: 'completed', packets: 10 });
    expect(sleeps.length).toBeGreaterThan(0);
    expect(Math.max(...sleeps)).toBeLessThanOrEqual(4);
    expect(Math.min(...sleeps)).toBeGreaterThan(0);
  });
});
