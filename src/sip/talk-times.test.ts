import { describe, expect, it } from 'vitest';
import { createLogger } from '../log.js';
import { TalkTimes } from './talk-times.js';

function setup(limits = { maxOpen: 3, maxTalkMs: 3_600_000 }) {
  const recorded: Array<{ id: number; talkMs: number; answeredAt: number }> = [];
  const talk = new TalkTimes({ recordTalk: (id, t) => recorded.push({ id, ...t }) }, createLogger('silent'), limits);
  const settle = () => new Promise((r) => setImmediate(r));
  return { talk, recorded, settle };
}

describe('talk times of forwarded calls', () => {
  it('measures from the answer to the first stop record; the second record of the same BYE is ignored', async () => {
    const { talk, recorded, settle } = setup();
    talk.answered('c1', Promise.resolve(7), 1_000);
    talk.ended('c1', 61_000, 'normal-release');
    talk.ended('c1', 61_005, 'normal-release');
    await settle();
    expect(recorded).toEqual([{ id: 7, talkMs: 60_000, answeredAt: 1_000 }]);
    expect(talk.openCalls).toBe(0);
  });

  it('ignores calls it did not see answered, rejected branches, and times out of range', async () => {
    const { talk, recorded, settle } = setup();
    talk.ended('unknown', 5_000, 'normal-release');
    talk.answered('c2', Promise.resolve(2), 1_000);
    talk.ended('c2', 2_000, 'call-rejected');
    talk.answered('c3', Promise.resolve(3), 10_000);
    talk.ended('c3', 9_000, 'normal-release'); // a clock step backwards
    talk.answered('', Promise.resolve(4), 1_000);
    await settle();
    expect(recorded).toEqual([]);
    expect(talk.openCalls).toBe(0);
  });

  it('forgets the oldest open call beyond its bound, and calls answered longer ago than the longest talk', async () => {
    const { talk, recorded, settle } = setup();
    for (const [i, at] of [[1, 0], [2, 10], [3, 20], [4, 30]] as const) talk.answered(`c${i}`, Promise.resolve(i), at);
    expect(talk.openCalls).toBe(3);
    talk.ended('c1', 100, 'normal-release'); // forgotten: no record
    talk.answered('c5', Promise.resolve(5), 4_000_000); // more than an hour after c2..c4: they go
    expect(talk.openCalls).toBe(1);
    talk.ended('c5', 4_000_100, 'normal-release');
    await settle();
    expect(recorded).toEqual([{ id: 5, talkMs: 100, answeredAt: 4_000_000 }]);
  });

  it('a call whose attempt was never written records nothing and throws nothing', async () => {
    const { talk, recorded, settle } = setup();
    const failed = Promise.reject(new Error('disk full'));
    failed.catch(() => undefined);
    talk.answered('c6', failed, 0);
    talk.ended('c6', 1_000, 'normal-release');
    await settle();
    expect(recorded).toEqual([]);
  });
});
