import type { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { RtpSinks, testStream } from '../../test/support/rtp-sink.js';
import { RtpThread } from './rtp-thread.js';

const threads: RtpThread[] = [];
const sinks = new RtpSinks();

afterEach(async () => {
  for (const t of threads.splice(0)) await t.close();
  await sinks.closeAll();
});

function thread(): RtpThread {
  const low = 42_000 + 2 * Math.floor(Math.random() * 4000);
  const t = new RtpThread({ range: { low, high: low + 19 }, bindAddress: '127.0.0.1' });
  threads.push(t);
  return t;
}

describe('RTP worker thread', () => {
  it('binds the port in the worker, plays the message from it and accounts for it as the in-process pacer does', async () => {
    const [rtp, caller] = [thread(), await sinks.add()];
    const port = await rtp.acquire();
    if (port === null) throw new Error('no port');
    expect(port.port % 2).toBe(0);
    expect(rtp.inUse).toBe(1);
    const result = await port.play(testStream(caller)).done;
    expect(result).toMatchObject({ endedBy: 'completed', packets: 7, playedMs: 140, latchedTo: null });
    await caller.waitForPackets(7);
    expect(caller.packets.map((p) => p.payload.length)).toEqual([160, 160, 160, 160, 160, 160, 160]);
    expect(caller.packets.map((p) => p.marker)).toEqual([true, false, false, false, false, false, false]);
    expect(caller.packets.every((p) => p.from.port === port.port)).toBe(true); // symmetric RTP
    expect([...caller.packets[6]!.payload.subarray(40)].every((b) => b === 0xd5)).toBe(true);
    port.release();
    port.release();
    expect(rtp.inUse).toBe(0);
  });

  it('stops at once from the main thread: the stream ends with the reason given, and nothing follows', async () => {
    const [rtp, caller] = [thread(), await sinks.add()];
    const port = await rtp.acquire();
    if (port === null) throw new Error('no port');
    const stream = port.play(testStream(caller, { audio: new Uint8Array(160 * 200).fill(3) }));
    await caller.waitForPackets(5);
    stream.stop('caller');
    const atStop = caller.packets.length;
    const result = await stream.done;
    await new Promise((r) => setTimeout(r, 100));
    expect(result.endedBy).toBe('caller');
    expect(caller.packets.length).toBe(result.packets);
    expect(caller.packets.length - atStop).toBeLessThanOrEqual(1); // at most the packet in flight at that instant
    port.release();
  });

  it('latches to the source of the first RTP packet the caller sends (NAT), from the worker', async () => {
    const [rtp, advertised, real] = [thread(), await sinks.add(), await sinks.add()];
    const port = await rtp.acquire();
    if (port === null) throw new Error('no port');
    const stream = port.play(testStream(advertised, { audio: new Uint8Array(160 * 50).fill(3) }));
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
    const streams = ports
      .slice(0, 3)
      .map((p) => p!.play(testStream(caller, { audio: new Uint8Array(160 * 100).fill(1) })));
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
    const stream = port.play(testStream(caller, { audio: new Uint8Array(160 * 100).fill(1) }));
    await caller.waitForPackets(2);
    await (rtp as unknown as { worker: Worker }).worker.terminate();
    expect((await stream.done).endedBy).toBe('error');
    expect(rtp.inUse).toBe(0);
    port.release(); // a lease of the dead worker: harmless
    const next = await rtp.acquire();
    if (next === null) throw new Error('no port after the restart');
    const result = await next.play(testStream(caller)).done;
    expect(result).toMatchObject({ endedBy: 'completed', packets: 7 });
    next.release();
  });
});
