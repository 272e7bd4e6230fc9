import { describe, expect, it } from 'vitest';
import { EvidenceIndex, MAX_TIMES_PER_CALLER } from './evidence-index.js';
import { MAX_PER_CALLER } from './learned-index.js';

const DAY = 86_400_000;
const T0 = Date.parse('2026-11-10T10:00:00Z');

function index(now = { t: T0 }) {
  return { now, idx: new EvidenceIndex({ lookbackDays: 30, clock: { now: () => now.t } }) };
}

const nuisance = (callerKey: string, at = T0) => ({
  callerKey,
  label: 'nuisance' as const,
  at,
  company: null,
  category: null,
});

describe('learned index', () => {
  it('a block with no known member, asked again, counts a member marked since (its memo is dropped)', () => {
    const { idx } = index();
    idx.setMark(nuisance('+390299999990'));
    for (let i = 0; i < 3; i++) expect(idx.learned.blockCounts('+390287176919')).toBeNull();
    idx.setMark(nuisance('+390287176950'));
    expect(idx.learned.blockCounts('+390287176919')).toMatchObject({ largeNuisance: 1, smallNuisance: 0 });
    idx.learned.addCalledByUs('+390211111119', T0);
    expect(idx.learned.blockCounts('+390211111110')).toMatchObject({ largeTrusted: 1 });
  });

  it('keeps block counts on every mark change, without a scan', () => {
    const { idx } = index();
    for (const n of ['+390287176910', '+390287176911', '+390287176912', '+390287176915']) idx.setMark(nuisance(n));
    const b = idx.evidenceFor('+390287176919').block;
    expect(b).toMatchObject({ small: '39028717691', smallNuisance: 4, largeNuisance: 4, smallTrusted: 0 });
    expect(b?.tens[1]).toBe(4);
    idx.setMark({ ...nuisance('+390287176912'), label: 'trusted' });
    expect(idx.evidenceFor('+390287176919').block).toMatchObject({
      smallNuisance: 3,
      smallTrusted: 1,
      largeTrusted: 1,
    });
    idx.setMark({ ...nuisance('+390287176912'), label: 'none' });
    expect(idx.evidenceFor('+390287176919').block).toMatchObject({ smallNuisance: 3, smallTrusted: 0 });
    expect(idx.evidenceFor('+390299999999').block).toBeUndefined();
  });

  it('hands a caller that comes back the same frozen block counts (from its second look-up) until any count changes', () => {
    const { idx } = index();
    idx.setMark(nuisance('+390287176910'));
    const once = idx.evidenceFor('+390287176919').block;
    const first = idx.evidenceFor('+390287176919').block;
    expect(first).toEqual(once);
    expect(idx.evidenceFor('+390287176919').block).toBe(first);
    expect(Object.isFrozen(once)).toBe(true);
    expect(Object.isFrozen(first)).toBe(true);
    idx.learned.addLearnedMember('+390287176913', T0);
    expect(idx.evidenceFor('+390287176919').block).toMatchObject({ smallNuisance: 2, smallMarked: 1 });
    idx.setMark(nuisance('+390287176921'));
    expect(idx.evidenceFor('+390287176919').block).toMatchObject({ largeNuisance: 3, smallNuisance: 2 });
  });

  it('a number marked twice counts once', () => {
    const { idx } = index();
    idx.setMark(nuisance('+390287176910'));
    idx.setMark(nuisance('+390287176910', T0 + 1));
    expect(idx.evidenceFor('+390287176911').block?.smallNuisance).toBe(1);
  });

  it('numbers we called count as trusted members and are trusted themselves', () => {
    const { idx } = index();
    idx.learned.addCalledByUs('+390287176913', T0 - DAY);
    expect(idx.evidenceFor('+390287176913').calledByUs).toBe(T0 - DAY);
    expect(idx.evidenceFor('+390287176919').block?.smallTrusted).toBe(1);
  });

  it('learned members expire with the look-back; a mark takes over', () => {
    const clock = { t: T0 };
    const { idx } = index(clock);
    idx.learned.addLearnedMember('+390287176910', T0);
    idx.learned.addLearnedMember('+390287176911', T0);
    expect(idx.evidenceFor('+390287176919').block?.smallNuisance).toBe(2);
    idx.setMark(nuisance('+390287176911'));
    expect(idx.evidenceFor('+390287176919').block?.smallNuisance).toBe(2);
    clock.t = T0 + 31 * DAY;
    idx.prune();
    expect(idx.evidenceFor('+390287176919').block?.smallNuisance).toBe(1);
  });

  it('tells the office’s marks apart from learned members, per block and per block of ten', () => {
    const clock = { t: T0 };
    const { idx } = index(clock);
    idx.setMark(nuisance('+390287176910'));
    idx.setMark(nuisance('+390287176935'));
    idx.learned.addLearnedMember('+390287176911', T0);
    idx.learned.addLearnedMember('+390287176955', T0);
    const b = idx.evidenceFor('+390287176919').block;
    expect(b).toMatchObject({ smallNuisance: 2, smallMarked: 1, largeNuisance: 4, largeMarked: 2 });
    expect(b?.tens).toEqual([0, 2, 0, 1, 0, 1, 0, 0, 0, 0]);
    expect(b?.tensMarked).toEqual([0, 1, 0, 1, 0, 0, 0, 0, 0, 0]);
    idx.setMark(nuisance('+390287176911')); // the mark takes over the learned member
    expect(idx.evidenceFor('+390287176919').block).toMatchObject({ smallNuisance: 2, smallMarked: 2, largeMarked: 3 });
    clock.t = T0 + 31 * DAY;
    idx.prune();
    expect(idx.evidenceFor('+390287176919').block).toMatchObject({
      largeNuisance: 3,
      largeMarked: 3,
      tensMarked: [0, 2, 0, 1, 0, 0, 0, 0, 0, 0],
    });
  });

  it('marks loaded in bulk at start are all office marks', () => {
    const { idx } = index();
    idx.learned.loadBlocks(new Float64Array([39028717691, 39028717691, 39028717693]), new Float64Array(0));
    expect(idx.evidenceFor('+390287176919').block).toMatchObject({ smallNuisance: 2, smallMarked: 2, largeMarked: 3 });
  });

  it('keeps DIDs, talks and the override of active callers', () => {
    const clock = { t: T0 };
    const { idx } = index(clock);
    idx.learned.addCall('+390212345678', T0 - 60_000, '+390255550100');
    idx.learned.addTalk('+390212345678', T0 - 60_000, 4);
    idx.learned.setAllowNext('+390212345678', T0);
    const e = idx.evidenceFor('+390212345678');
    expect([...(e.calls ?? [])]).toEqual([{ at: T0 - 60_000, did: '+390255550100' }]);
    expect([...(e.talks ?? [])]).toEqual([{ at: T0 - 60_000, seconds: 4 }]);
    expect(e.allowNext).toBe(T0);
    expect(idx.learned.consumeAllowNext('+390212345678')).toBe(true);
    expect(idx.evidenceFor('+390212345678').allowNext).toBeUndefined();
    clock.t = T0 + 31 * DAY;
    idx.prune();
    expect(idx.evidenceFor('+390212345678').calls).toBeUndefined();
  });

  it(`a caller that rings every minute stops growing the index: at most ${MAX_PER_CALLER} calls and talks, ${MAX_TIMES_PER_CALLER} attempt and refusal times`, () => {
    // bench:soak's callers (a few thousand numbers at 150 calls/s) ring every minute or so; their history is the
    // heap the soak sees growing until these bounds are reached (README, Soak).
    const clock = { t: T0 };
    const { idx } = index(clock);
    const key = '+393471000042';
    const rings = 2 * MAX_TIMES_PER_CALLER + 10;
    for (let i = 0; i < rings; i++) {
      clock.t = T0 + i * 60_000;
      idx.addAttempt(key, clock.t);
      idx.addRefusal(key, clock.t);
      idx.learned.addCall(key, clock.t, '0612345001');
      idx.learned.addTalk(key, clock.t, 10);
    }
    const e = idx.evidenceFor(key);
    expect(e.attempts).toHaveLength(MAX_TIMES_PER_CALLER);
    expect(e.refusals).toHaveLength(MAX_TIMES_PER_CALLER);
    expect(e.calls).toHaveLength(MAX_PER_CALLER);
    expect(e.talks).toHaveLength(MAX_PER_CALLER);
    // the most recent ones
    expect(e.calls?.atOf(MAX_PER_CALLER - 1)).toBe(clock.t);
    expect(e.calls?.atOf(0)).toBe(clock.t - (MAX_PER_CALLER - 1) * 60_000);
    expect(e.talks?.atOf(0)).toBe(clock.t - (MAX_PER_CALLER - 1) * 60_000);
    expect(e.attempts[0]).toBe(clock.t - (MAX_TIMES_PER_CALLER - 1) * 60_000);
  });
});
