/**
 * The RTP worker thread, against UDP sinks on loopback. Written to hold on a loaded machine (load 9-12 on two
 * cores): the pacer may skip frames after a stall of the worker (by design, to stay on time), so exact counts are
 * asserted on a run that had none, and a stop is judged by a marker that reaches the sink before it, not by what
 * the main thread had read from its socket when it stopped the stream.
 */
import dgram from 'node:dgram';
import { readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { RtpSinks, testStream, type RtpSink } from '../../test/support/rtp-sink.js';
import type { PlayResult } from './rtp-player.js';
import { RTP_THREAD_NICE, RTP_THREAD_REALTIME, RtpThread, type ThreadPriority } from './rtp-thread.js';
import { policyOfStat, SCHED_FIFO, type SchedPolicy } from './thread-priority.js';

const threads: RtpThread[] = [];
const sinks = new RtpSinks();

afterEach(async () => {
  for (const t of threads.splice(0)) await t.close();
  await sinks.closeAll();
});

/** Long enough that no stream ends on its own while a slow test intervenes (10 s, the streams' cap). */
const LONG = new Uint8Array(160 * 500).fill(3);

/** Frame n (0-6) of testStream's 1,000-byte pattern, as sent: 160 bytes, the last padded with A-law silence. */
function frame(n: number): number[] {
  return Array.from({ length: 160 }, (_, i) => (n * 160 + i < 1000 ? (n * 160 + i) % 251 : 0xd5));
}

/**
 * Plays testStream (7 packets) until a run sends all seven, at most three times: a stall of the worker thread
 * longer than five packets (seen at load 9-12) makes the pacer skip frames by design. Every run, complete or not,
 * must account exactly for what the sink received: each packet one of the seven frames, in order, with consecutive
 * sequence numbers and timestamps for consecutive frames, the marker on frame 0 only.
 */
async function playUntilComplete(
  rtp: RtpThread,
  sinks: RtpSinks,
): Promise<{ result: PlayResult; caller: RtpSink; port: number }> {
  for (let run = 1; ; run++) {
    const caller = await sinks.add();
    const port = await rtp.acquire();
    if (port === null) throw new Error('no port');
    const result = await port.play(testStream(caller)).done;
    port.release();
    expect(result).toMatchObject({ endedBy: 'completed', playedMs: 140, latchedTo: null });
    await caller.waitForPackets(result.packets);
    const frames = caller.packets.map((p) =>
      [0, 1, 2, 3, 4, 5, 6].find((n) => p.payload.equals(Buffer.from(frame(n)))),
    );
    expect(frames.every((n) => n !== undefined)).toBe(true);
    expect(caller.packets.map((p) => p.marker)).toEqual(frames.map((n) => n === 0));
    for (let i = 1; i < frames.length; i++) {
      const step = (frames[i] ?? 0) - (frames[i - 1] ?? 0);
      expect(step).toBeGreaterThan(0);
      expect(((caller.packets[i]?.sequence ?? 0) - (caller.packets[i - 1]?.sequence ?? 0)) & 0xffff).toBe(step);
      expect(((caller.packets[i]?.timestamp ?? 0) - (caller.packets[i - 1]?.timestamp ?? 0)) >>> 0).toBe(step * 160);
    }
    expect(caller.packets.length).toBe(result.packets);
    if (result.packets === 7 || run === 3) return { result, caller, port: port.port };
  }
}

/** A socket that sends into `sink` with no DNS look-up (connected), so send() is on the wire when it returns. */
async function markerInto(sink: RtpSink): Promise<() => void> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  await new Promise<void>((resolve) => s.connect(sink.port, '127.0.0.1', resolve));
  const marker = Buffer.alloc(12);
  marker[0] = 0x80;
  marker[1] = 99; // payload type 99: not the stream's
  return () => {
    s.send(marker);
    setTimeout(() => s.close(), 1000);
  };
}

function thread(more: Partial<ConstructorParameters<typeof RtpThread>[0]> = {}): RtpThread {
  const low = 42_000 + 2 * Math.floor(Math.random() * 4000);
  const t = new RtpThread({ range: { low, high: low + 19 }, bindAddress: '127.0.0.1', ...more });
  threads.push(t);
  return t;
}

/** Nice value of each thread of this process (Linux: field 19 of /proc/self/task/<tid>/stat), by thread id. */
function nicePerThread(): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // from field 3 (state) on
    out.set(Number(tid), Number(fields[16]));
  }
  return out;
}

/** Scheduling class and real-time priority of each thread of this process (fields 41 and 40), by thread id. */
function policyPerThread(): Map<number, SchedPolicy> {
  const out = new Map<number, SchedPolicy>();
  for (const tid of readdirSync('/proc/self/task'))
    out.set(Number(tid), policyOfStat(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8')));
  return out;
}

describe('RTP worker thread', () => {
  it.runIf(process.platform === 'linux')(
    "asks the kernel for RTP_THREAD_NICE for the worker's thread alone, and says what it got",
    async () => {
      const before = nicePerThread();
      const got: ThreadPriority[] = [];
      const rtp = thread({ onPriority: (p) => got.push(p) });
      rtp.start();
      await expect.poll(() => got.length, { timeout: 30_000 }).toBe(1); // the worker loads its .ts through tsx: slow under load
      const p = got[0]!;
      expect(p.asked).toBe(RTP_THREAD_NICE);
      const after = nicePerThread();
      const changed = [...after].filter(([tid, nice]) => nice !== (before.get(tid) ?? getPriority()));
      if (p.refused === null) {
        // Allowed (root or CAP_SYS_NICE): exactly one new thread runs at the nice asked, the process keeps its own.
        expect(p.nice).toBe(RTP_THREAD_NICE);
        expect(changed.map(([, nice]) => nice)).toEqual([RTP_THREAD_NICE]);
        expect(before.has(changed[0]![0])).toBe(false);
      } else {
        // Not allowed: said why, and no thread changed.
        expect(p.refused).toMatch(/^E[A-Z]+$/); // EACCES or EPERM
        expect(changed).toEqual([]);
      }
      expect(getPriority()).toBe(getPriority(process.pid));
      expect(after.get(process.pid)).toBe(before.get(process.pid));
    },
  );

  it.runIf(process.platform === 'linux')(
    "asks for SCHED_FIFO at RTP_THREAD_REALTIME (the default) for the worker's thread alone (chrt), and says what it got",
    async () => {
      const before = policyPerThread();
      const got: ThreadPriority[] = [];
      thread({ onPriority: (p) => got.push(p) }).start(); // the default
      await expect.poll(() => got.length, { timeout: 30_000 }).toBe(1); // the worker loads its .ts through tsx: slow under load
      const p = got[0]!;
      expect(p.realtimeAsked).toBe(RTP_THREAD_REALTIME);
      const after = policyPerThread();
      const fifo = [...after].filter(([, pol]) => pol.policy === SCHED_FIFO);
      expect([...before].filter(([, pol]) => pol.policy === SCHED_FIFO)).toEqual([]);
      if (p.realtimeRefused === null) {
        // Allowed (root, CAP_SYS_NICE or `ulimit -r`) with chrt installed: one new thread, in SCHED_FIFO at 1.
        expect(p.realtime).toBe(RTP_THREAD_REALTIME);
        expect(fifo.map(([, pol]) => pol.priority)).toEqual([RTP_THREAD_REALTIME]);
        expect(before.has(fifo[0]![0])).toBe(false);
      } else {
        // Refused (no permission, no chrt): said why, no thread changed class, the nice still asked.
        expect(p.realtime).toBeNull();
        expect(fifo).toEqual([]);
        expect(p.asked).toBe(RTP_THREAD_NICE);
      }
      expect(after.get(process.pid)?.policy).toBe(0);
    },
  );

  it('leaves the priority alone when told to (nice: null, realtime: null)', async () => {
    const got: ThreadPriority[] = [];
    thread({ nice: null, realtime: null, onPriority: (p) => got.push(p) }).start();
    await expect.poll(() => got.length, { timeout: 30_000 }).toBe(1); // the worker loads its .ts through tsx: slow under load
    expect(got[0]).toEqual({
      asked: null,
      nice: null,
      refused: null,
      realtimeAsked: null,
      realtime: null,
      realtimeRefused: null,
    });
  });

  it('binds the port in the worker, plays the message from it and accounts for it as the in-process pacer does', async () => {
    const rtp = thread();
    const port = await rtp.acquire();
    if (port === null) throw new Error('no port');
    expect(port.port % 2).toBe(0);
    expect(rtp.inUse).toBe(1);
    port.release();
    port.release();
    expect(rtp.inUse).toBe(0);
    const { result, caller, port: from } = await playUntilComplete(rtp, sinks);
    expect(result).toMatchObject({ endedBy: 'completed', packets: 7, playedMs: 140, latchedTo: null });
    expect(caller.packets.map((p) => p.payload.length)).toEqual([160, 160, 160, 160, 160, 160, 160]);
    expect(caller.packets.map((p) => p.marker)).toEqual([true, false, false, false, false, false, false]);
    expect(caller.packets.every((p) => p.from.port === from)).toBe(true); // symmetric RTP
    expect([...caller.packets[6]!.payload.subarray(40)].every((b) => b === 0xd5)).toBe(true);
    expect(rtp.inUse).toBe(0);
  });

  it('stops at once from the main thread: the stream ends with the reason given, and nothing follows', async () => {
    const [rtp, caller] = [thread(), await sinks.add()];
    const port = await rtp.acquire();
    if (port === null) throw new Error('no port');
    const stream = port.play(testStream(caller, { audio: LONG }));
    const mark = await markerInto(caller);
    await caller.waitForPackets(5);
    // The marker is in the sink's queue before stop() runs; packets sent after stop() would queue behind it. What the
    // main thread had read at that instant says nothing under load: packets already sent may still wait in the kernel.
    mark();
    stream.stop('caller');
    const result = await stream.done;
    expect(result.endedBy).toBe('caller');
    expect(result.packets).toBeLessThan(500);
    await caller.waitForPackets(result.packets + 1);
    await new Promise((r) => setTimeout(r, 100));
    const ours = caller.packets.filter((p) => p.payloadType === 8);
    expect(ours.length).toBe(result.packets); // nothing beyond what the worker counted
    const afterMarker = caller.packets.slice(caller.packets.findIndex((p) => p.payloadType === 99) + 1);
    expect(afterMarker.length).toBeLessThanOrEqual(1); // at most the packet leaving between the marker and stop()
    port.release();
  });

  it('latches to the source of the first RTP packet the caller sends (NAT), from the worker', async () => {
    const [rtp, advertised, real] = [thread(), await sinks.add(), await sinks.add()];
    const port = await rtp.acquire();
    if (port === null) throw new Error('no port');
    const stream = port.play(testStream(advertised, { audio: LONG }));
    await advertised.waitForPackets(2);
    await real.sendTo({ address: '127.0.0.1', port: port.port });
    await real.waitForPackets(3);
    stream.stop('caller');
    expect((await stream.done).latchedTo).toEqual({ address: '127.0.0.1', port: real.port });
    port.release();
  });

  it('gives the ports back when the range is exhausted and released, and stops every stream on stopAll', async () => {
    const [rtp, caller] = [thread(), await sinks.add()];
    const ports = [];
    for (let i = 0; i < 10; i++) ports.push(await rtp.acquire());
    expect(ports.every((p) => p !== null)).toBe(true);
    expect(await rtp.acquire()).toBeNull();
    const streams = ports.slice(0, 3).map((p) => p!.play(testStream(caller, { audio: LONG })));
    await caller.waitForPackets(6);
    rtp.stopAll();
    expect((await Promise.all(streams.map((s) => s.done))).map((r) => r.endedBy)).toEqual([
      'shutdown',
      'shutdown',
      'shutdown',
    ]);
    for (const p of ports) p!.release();
    expect(rtp.inUse).toBe(0);
    const again = await rtp.acquire();
    expect(again).not.toBeNull();
    again?.release();
  });

  it('survives the worker dying: its streams end with error, the next announcement starts a new worker', async () => {
    const [rtp, caller] = [thread(), await sinks.add()];
    const port = await rtp.acquire();
    if (port === null) throw new Error('no port');
    const stream = port.play(testStream(caller, { audio: LONG }));
    await caller.waitForPackets(2);
    await (rtp as unknown as { worker: Worker }).worker.terminate();
    expect((await stream.done).endedBy).toBe('error');
    expect(rtp.inUse).toBe(0);
    port.release(); // a lease of the dead worker: harmless
    const { result } = await playUntilComplete(rtp, sinks); // on a new worker
    expect(result).toMatchObject({ endedBy: 'completed', packets: 7 });
  });
});
