import { describe, expect, it } from 'vitest';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
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

  it('follows a call while a stop record can end it: ringing, then answered until its first record', () => {
    const { calls, answer } = setup();
    expect(calls.follows('refused-by-us')).toBe(false); // never forwarded: its one record is dropped unread
    calls.forwarding('c1', 0, () => undefined);
    expect(calls.follows('c1')).toBe(true);
    calls.ended('c1', 10, 'call-rejected', 603); // a PBX refusal's record: the proxy will settle it
    expect(calls.follows('c1')).toBe(true);
    calls.settled('c1', 603, 20, null);
    expect(calls.follows('c1')).toBe(false);
    answer('c2', 2, 1_000);
    expect(calls.follows('c2')).toBe(true);
    calls.ended('c2', 2_000, 'normal-release', null);
    expect(calls.follows('c2')).toBe(false); // the BYE's second record: dropped unread
    expect(calls.follows('')).toBe(false);
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

/**
 * The Map-based ForwardedCalls this module had before its oldest entries were read from a queue (a Map's iterator
 * walks every deleted entry's hole from the table's start): the reference the generated runs compare against.
 */
class MapReference {
  private readonly ringing = new Map<string, { since: number; onCancelled: () => void }>();
  private readonly answered = new Map<string, { attempt: Promise<number>; answeredAt: number }>();
  constructor(
    private readonly sink: { recordTalk(attempt: Promise<number>, talk: { talkMs: number; answeredAt: number }): void },
    private readonly log: string[],
    private readonly limits: { maxOpen: number; maxTalkMs: number; maxRingMs: number },
  ) {}
  get openCalls(): number {
    return this.ringing.size + this.answered.size;
  }
  forwarding(callId: string, at: number, onCancelled: () => void): void {
    if (callId === '') return;
    forgetByMap(this.ringing, at - this.limits.maxRingMs, (c) => c.since, this.limits.maxOpen);
    this.ringing.set(callId, { since: at, onCancelled });
  }
  settled(callId: string, finalStatus: number | null, at: number, attempt: Promise<number> | null): void {
    this.ringing.delete(callId);
    if (callId === '' || attempt === null || finalStatus === null || finalStatus < 200 || finalStatus >= 300) return;
    forgetByMap(this.answered, at - this.limits.maxTalkMs, (c) => c.answeredAt, this.limits.maxOpen);
    this.answered.set(callId, { attempt, answeredAt: at });
  }
  ended(callId: string, at: number, reason: string, status: number | null): void {
    const ringing = this.ringing.get(callId);
    if (ringing !== undefined) {
      if (status !== 487) return;
      this.ringing.delete(callId);
      ringing.onCancelled();
      return;
    }
    const call = this.answered.get(callId);
    if (call === undefined) return;
    this.answered.delete(callId);
    if (reason === 'call-rejected' || reason === 'call-canceled') return;
    const talkMs = at - call.answeredAt;
    if (!(talkMs >= 0 && talkMs <= this.limits.maxTalkMs)) {
      this.log.push(`warn ${JSON.stringify({ callId, talkMs, reason })} talk time out of range ignored`);
      return;
    }
    this.sink.recordTalk(call.attempt, { talkMs, answeredAt: call.answeredAt });
    this.log.push(`info ${JSON.stringify({ callId, talkMs, reason })} talk time`);
  }
}

function forgetByMap<T>(map: Map<string, T>, cutoff: number, timeOf: (entry: T) => number, max: number): void {
  for (const [key, entry] of map) {
    if (timeOf(entry) >= cutoff) break;
    map.delete(key);
  }
  if (map.size >= max) {
    const oldest = map.keys().next().value;
    if (oldest !== undefined) map.delete(oldest);
  }
}

/** A deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('forwarded calls, oldest first without iterating a Map', () => {
  it('forgets, cancels, times and logs as the Map-based version did, over generated runs', () => {
    const events = new Map<string, number>();
    for (let run = 0; run < 60; run++) {
      const rnd = random(run + 1);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
      // Small bounds so that every path runs often: the cap, both expiries, re-used Call-IDs, a clock going back;
      // Call-IDs from a pool as small as 3 or as large as 400 (the queue's compaction).
      const limits = {
        maxOpen: 1 + Math.floor(rnd() * (run % 3 === 0 ? 300 : 12)),
        maxTalkMs: 1 + Math.floor(rnd() * 80),
        maxRingMs: 1 + Math.floor(rnd() * 80),
      };
      const pool = pick([3, 10, 40, 400]);
      const ids = Array.from({ length: pool }, (_, i) => (i === 0 && run % 2 === 0 ? '' : `c${i}`));
      const attempts = Array.from({ length: 8 }, (_, i) => Promise.resolve(i));
      const seen = { actual: [] as string[], expected: [] as string[] };
      const sinkOf = (out: string[]) => ({
        recordTalk: (attempt: Promise<number>, talk: { talkMs: number; answeredAt: number }) =>
          void out.push(`talk ${attempts.indexOf(attempt)} ${talk.talkMs} ${talk.answeredAt}`),
      });
      const lines: string[] = [];
      const logger = createLogger('info', {
        write: (line: string) => {
          const { callId, talkMs, reason, msg, level } = JSON.parse(line) as Record<string, unknown>;
          lines.push(`${level === 40 ? 'warn' : 'info'} ${JSON.stringify({ callId, talkMs, reason })} ${String(msg)}`);
        },
      } as unknown as NodeJS.WritableStream);
      const actual = new ForwardedCalls(sinkOf(seen.actual), logger, limits);
      const expected = new MapReference(sinkOf(seen.expected), seen.expected, limits);
      let at = 0;
      for (let step = 0; step < 3_000; step++) {
        at += rnd() < 0.03 ? -Math.floor(rnd() * 30) : Math.floor(rnd() * 4);
        const id = pick(ids);
        const op = rnd();
        if (op < 0.35) {
          const tag = `cancel ${id} ${step}`;
          actual.forwarding(id, at, () => void seen.actual.push(tag));
          expected.forwarding(id, at, () => void seen.expected.push(tag));
        } else if (op < 0.7) {
          const status = pick([200, 200, 200, 486, 180, null]);
          const attempt = rnd() < 0.85 ? pick(attempts) : null;
          actual.settled(id, status, at, attempt);
          expected.settled(id, status, at, attempt);
        } else {
          const reason = pick(['normal-release', 'normal-release', 'call-rejected', 'call-canceled']);
          const status = pick([null, 487, 487, 603]);
          // As cdr-stop.ts hands records over: only when follows() says the Call-ID can end a call; the reference
          // is given every record, so a record dropped unread must have changed nothing.
          if (actual.follows(id)) actual.ended(id, at, reason, status);
          expected.ended(id, at, reason, status);
        }
        seen.actual.push(...lines.splice(0));
        expect(actual.openCalls, `run ${run} step ${step}`).toBe(expected.openCalls);
      }
      expect(seen.actual, `run ${run}`).toEqual(seen.expected);
      for (const e of seen.expected) {
        const kind = e.split(' ', 1)[0] as string;
        events.set(kind, (events.get(kind) ?? 0) + 1);
      }
    }
    // Every kind of outcome came up many times: cancels, talk times with their lines, times out of range.
    expect([...events.keys()].sort()).toEqual(['cancel', 'info', 'talk', 'warn']);
    for (const count of events.values()) expect(count).toBeGreaterThan(200);
  });
});

describe('forwarded calls: what is kept for the oldest-first reading', () => {
  it('stays within twice the open calls, whether a long call holds the head or calls overlap', () => {
    const { calls } = setup({ maxOpen: 20_000, maxTalkMs: 3_600_000, maxRingMs: 600_000 });
    const queues = calls as unknown as Record<'ringing' | 'answered', { queue: unknown[] }>;
    let longest = 0;
    const call = (i: number): void => {
      calls.forwarding(`c${i}`, i, () => undefined);
      calls.forwarding(`c${i + 1}`, i, () => undefined); // the next one rings before this one is answered
      calls.settled(`c${i}`, 200, i, Promise.resolve(i));
      if (i > 0) calls.ended(`c${i - 1}`, i, 'normal-release', null); // the previous one ends after
      longest = Math.max(longest, queues.ringing.queue.length, queues.answered.queue.length);
    };
    for (let i = 0; i < 50_000; i++) call(i); // always one call open: the queues' heads move on
    expect(calls.openCalls).toBe(2);
    calls.forwarding('long', 60_000, () => undefined);
    calls.settled('long', 200, 60_000, Promise.resolve(1)); // stays answered: the answered queue's head stays
    for (let i = 60_000; i < 110_000; i++) call(i);
    expect(calls.openCalls).toBe(5); // c49999 answered, c50000 ringing, long, c109999 answered, c110000 ringing
    expect(longest).toBeLessThanOrEqual(2 * 5 + 256);
  });
});

describe('forwarded calls: what a followed call keeps of its request', () => {
  // A full GC on demand (the test process runs without --expose-gc).
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const MESSAGE = 1 << 20;
  /** Call `i`'s Call-ID: 20 characters, as `slice` the start of its own 1 MiB message (drachtio-srf's header values are slices of the INVITE). */
  const callIdOf = (i: number, slice: boolean): string => {
    const id = `${String(i).padStart(8, '0')}@host:mmmmmm`;
    return slice ? `${id}${'m'.repeat(MESSAGE)}`.slice(0, id.length) : id;
  };

  it("keeps no slice of the INVITE's text, ringing or answered: the Call-ID is held as a copy", async () => {
    const { calls, settle } = setup({ maxOpen: 100, maxTalkMs: 3_600_000, maxRingMs: 600_000 });
    const n = 8;
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < n; i++) {
      calls.forwarding(callIdOf(i, true), 1_000, () => undefined);
      if (i % 2 === 0) calls.settled(callIdOf(i, true), 200, 1_000, Promise.resolve(i)); // answered, talking
    }
    await settle();
    gc();
    expect(calls.openCalls).toBe(n);
    // Before: each followed call's key kept its whole message (~12 MiB: the ringing one's, then the answer's).
    expect(process.memoryUsage().heapUsed - before).toBeLessThan((n * MESSAGE) / 4);
    for (let i = 0; i < n; i++)
      if (i % 2 === 0) calls.ended(callIdOf(i, false), 61_000, 'normal-release', null);
      else calls.ended(callIdOf(i, false), 2_000, 'call-rejected', 487);
    expect(calls.openCalls).toBe(0);
  });
});
