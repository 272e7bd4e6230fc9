import { describe, expect, it } from 'vitest';
import { createLogger } from '../log.js';
import { ForwardedCalls } from './forwarded-calls.js';

function setup(limits = { maxOpen: 3, maxTalkMs: 3_600_000, maxRingMs: 600_000 }) {
  const recorded: Array<{ id: number; talkMs: number; answeredAt: number }> = [];
  const calls = new ForwardedCalls(
    {
      recordTalk: (attempt, t) =>
        void attempt.then(
          (id) => recorded.push({ id, ...t }),
          () => undefined,
        ),
    },
    createLogger('silent'),
    limits,
  );
  const settle = () => new Promise((r) => setImmediate(r));
  const answer = (callId: string, id: number, at: number) => {
    calls.forwarding(callId, at, () => undefined);
    calls.settled(callId, 200, at, Promise.resolve(id));
  };
  return { calls, recorded, settle, answer };
}

describe('forwarded calls after the proxy', () => {
  it('measures from the answer to the first stop record; the second record of the same BYE is ignored', async () => {
    const { calls, recorded, settle, answer } = setup();
    answer('c1', 7, 1_000);
    calls.ended('c1', 61_000, 'normal-release', null);
    calls.ended('c1', 61_005, 'normal-release', null);
    await settle();
    expect(recorded).toEqual([{ id: 7, talkMs: 60_000, answeredAt: 1_000 }]);
    expect(calls.openCalls).toBe(0);
  });

  it("writes one talk-time line an answered call, with the service logger's child bindings, as its info() would", () => {
    const lines: string[] = [];
    const sink = { write: (line: string) => void lines.push(line) } as unknown as NodeJS.WritableStream;
    const logger = createLogger('info', sink).child({ component: 'forwarded' });
    const calls = new ForwardedCalls({ recordTalk: () => undefined }, logger);
    calls.forwarding('c9', 1_000, () => undefined);
    calls.settled('c9', 200, 1_000, Promise.resolve(9));
    calls.ended('c9', 4_500, 'normal-release', null);
    calls.ended('c9', 4_501, 'normal-release', null);
    logger.info({ callId: 'c9', talkMs: 3_500, reason: 'normal-release' }, 'talk time');
    expect(lines).toHaveLength(2);
    const [written, expected] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(written).toEqual({ ...expected, time: written?.time });
    expect(Object.keys(written ?? {})).toEqual(Object.keys(expected ?? {}));
  });

  it('a 487 record for a call still ringing is the caller cancelling; a PBX refusal is left to the proxy', () => {
    const { calls } = setup();
    const cancelled: string[] = [];
    calls.forwarding('c2', 0, () => cancelled.push('c2'));
    calls.ended('c2', 100, 'call-rejected', 603); // the PBX declined: the proxy will say so
    expect(cancelled).toEqual([]);
    calls.ended('c2', 200, 'call-rejected', 487);
    calls.ended('c2', 201, 'call-rejected', 487);
    expect(cancelled).toEqual(['c2']);
    calls.forwarding('c3', 0, () => cancelled.push('c3'));
    calls.settled('c3', 486, 50, null); // settled by the proxy: a later record changes nothing
    calls.ended('c3', 100, 'call-rejected', 487);
    expect(cancelled).toEqual(['c2']);
    expect(calls.openCalls).toBe(0);
  });

  it('ignores calls it did not see answered, rejected branches, unanswered ones and times out of range', async () => {
    const { calls, recorded, settle, answer } = setup();
    calls.ended('unknown', 5_000, 'normal-release', null);
    answer('c4', 4, 1_000);
    calls.ended('c4', 2_000, 'call-rejected', null);
    answer('c5', 5, 10_000);
    calls.ended('c5', 9_000, 'normal-release', null); // a clock step backwards
    calls.forwarding('c6', 0, () => undefined);
    calls.settled('c6', 200, 0, null); // Record-Route off: no BYE will come
    answer('', 8, 1_000);
    await settle();
    expect(recorded).toEqual([]);
    expect(calls.openCalls).toBe(0);
  });

  it('forgets the oldest beyond its bound, and calls older than the longest ring or talk', async () => {
    const { calls, recorded, settle, answer } = setup();
    for (const [i, at] of [
      [1, 0],
      [2, 10],
      [3, 20],
      [4, 30],
    ] as const)
      answer(`c${i}`, i, at);
    expect(calls.openCalls).toBe(3);
    calls.ended('c1', 100, 'normal-release', null); // forgotten: no record
    answer('c9', 9, 4_000_000); // more than an hour after the others: they go
    expect(calls.openCalls).toBe(1);
    calls.ended('c9', 4_000_100, 'normal-release', null);
    calls.forwarding('r1', 0, () => undefined);
    calls.forwarding('r2', 700_000, () => undefined); // r1 rang for longer than any final timeout
    expect(calls.openCalls).toBe(1);
    await settle();
    expect(recorded).toEqual([{ id: 9, talkMs: 100, answeredAt: 4_000_000 }]);
  });

  it('a call whose attempt was never written records nothing and throws nothing', async () => {
    const { calls, recorded, settle } = setup();
    const failed = Promise.reject(new Error('disk full'));
    failed.catch(() => undefined);
    calls.forwarding('c7', 0, () => undefined);
    calls.settled('c7', 200, 0, failed);
    calls.ended('c7', 1_000, 'normal-release', null);
    await settle();
    expect(recorded).toEqual([]);
  });
});
