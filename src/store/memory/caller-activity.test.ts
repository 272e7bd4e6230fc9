import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../test/support/manual-clock.js';
import { said } from '../../../test/support/evidence-said.js';
import { mulberry32 } from '../../../test/support/prng.js';
import { EvidenceIndex, MAX_TIMES_PER_CALLER } from './evidence-index.js';
import { MAX_PER_CALLER } from './learned-index.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 5, 10);
const LOOKBACK_DAYS = 3;

/**
 * The layout replaced: a caller's attempts and refusals in one index's Map and its calls and talks in another's,
 * each record dropped on its own. Two indexes stand for it, each given one kind of write only (and every mark, so
 * their number blocks are the same): `times` keeps attempts and refusals, `calls` calls and talks.
 */
function apart(clock: ManualClock) {
  const times = new EvidenceIndex({ lookbackDays: LOOKBACK_DAYS, clock });
  const calls = new EvidenceIndex({ lookbackDays: LOOKBACK_DAYS, clock });
  return {
    times,
    calls,
    evidenceFor(key: string) {
      const t = said(times.evidenceFor(key));
      const c = said(calls.evidenceFor(key));
      return { ...t, calls: c.calls, talks: c.talks };
    },
  };
}

describe('one record per caller (caller-activity.ts)', () => {
  it('gives every caller the evidence the two Maps gave, over generated writes, reads, prunes and a clock moving on', () => {
    const rand = mulberry32(26);
    const keys = Array.from({ length: 14 }, (_, i) => `+3902123456${String(i + 70)}`);
    const dids = ['+390612345670', '+390612345671', '+390612345672', null];
    let checked = 0;
    let withBoth = 0;
    for (let run = 0; run < 60; run++) {
      const clock = new ManualClock(T0);
      const one = new EvidenceIndex({ lookbackDays: LOOKBACK_DAYS, clock });
      const two = apart(clock);
      const pick = () => keys[Math.floor(rand() * keys.length)]!;
      // A time within the look-back as a rule, now and then just before it (not kept) or out of order.
      const when = () => clock.now() - Math.floor(rand() * rand() * (LOOKBACK_DAYS + 0.3) * DAY);
      for (let step = 0; step < 400; step++) {
        const r = rand();
        const key = pick();
        if (r < 0.2) {
          const t = when();
          one.addAttempt(key, t);
          two.times.addAttempt(key, t);
        } else if (r < 0.3) {
          const t = when();
          one.addRefusal(key, t);
          two.times.addRefusal(key, t);
        } else if (r < 0.45) {
          const t = when();
          const did = dids[Math.floor(rand() * dids.length)]!;
          one.learned.addCall(key, t, did);
          two.calls.learned.addCall(key, t, did);
        } else if (r < 0.52) {
          const t = when();
          const seconds = Math.floor(rand() * 30);
          one.addTalk(key, t, seconds);
          two.calls.addTalk(key, t, seconds);
        } else if (r < 0.54) {
          // A caller that rings without a pause: its lists reach their bounds.
          const n = MAX_TIMES_PER_CALLER + Math.floor(rand() * 20);
          for (let i = 0; i < n; i++) {
            const t = clock.now() - n * 1000 + i * 1000;
            one.addAttempt(key, t);
            two.times.addAttempt(key, t);
            if (i % 2 === 0) {
              one.addRefusal(key, t);
              two.times.addRefusal(key, t);
            }
            if (i > n - MAX_PER_CALLER - 10) {
              one.learned.addCall(key, t, dids[i % 3]!);
              two.calls.learned.addCall(key, t, dids[i % 3]!);
            }
          }
        } else if (r < 0.58) {
          const label = (['nuisance', 'trusted', 'none'] as const)[Math.floor(rand() * 3)]!;
          const mark = { callerKey: key, label, at: clock.now(), company: null, category: null };
          for (const ix of [one, two.times, two.calls]) ix.setMark(mark);
        } else if (r < 0.66) {
          clock.advance(Math.floor(rand() * rand() * 2 * DAY));
        } else if (r < 0.7) {
          expect(one.prune()).toBe(two.times.prune());
          two.calls.prune();
        } else {
          const e = one.evidenceFor(key);
          expect(said(e)).toEqual(two.evidenceFor(key));
          // The learned index asked alone (its own look-up) says the same.
          const learned = one.learned.evidence(key);
          const learnedApart = two.calls.learned.evidence(key);
          expect(learned === null ? null : [...(learned.calls ?? [])]).toEqual(
            learnedApart === null ? null : [...(learnedApart.calls ?? [])],
          );
          checked++;
          if (e.attempts.length > 0 && e.calls !== undefined) withBoth++;
        }
        expect(one.activeCallers).toBe(two.times.activeCallers);
      }
      // Everything leaves the window: every record goes.
      clock.advance((LOOKBACK_DAYS + 1) * DAY);
      expect(one.prune()).toBe(two.times.prune());
      expect(one.callerRecords).toBe(0);
      for (const key of keys) expect(said(one.evidenceFor(key))).toEqual(two.evidenceFor(key));
    }
    // Reads of callers with times and calls both, and of callers with one kind only, were exercised.
    expect(checked).toBeGreaterThan(5000);
    expect(withBoth).toBeGreaterThan(500);
    expect(checked - withBoth).toBeGreaterThan(500);
  });

  it('keeps one record for a caller with attempts, refusals, calls and talks, and drops it once nothing is left', () => {
    const clock = new ManualClock(T0);
    const ix = new EvidenceIndex({ lookbackDays: LOOKBACK_DAYS, clock });
    const key = '+390212345678';
    ix.addAttempt(key, T0 - DAY);
    ix.addRefusal(key, T0 - DAY);
    ix.learned.addCall(key, T0 - DAY, '+390612345670');
    ix.addTalk(key, T0 - DAY / 2, 4);
    ix.learned.addCall('+390212345679', T0 - DAY, null); // calls only
    expect(ix.callerRecords).toBe(2);
    expect(ix.activeCallers).toBe(1);
    // The times leave the window, the calls' record stays until the prune drops the calls too.
    clock.advance(LOOKBACK_DAYS * DAY);
    expect(ix.evidenceFor(key).attempts).toEqual([]);
    expect(ix.activeCallers).toBe(0);
    expect(ix.callerRecords).toBe(2);
    expect(ix.prune()).toBe(0);
    expect(ix.callerRecords).toBe(0);
    // A caller heard again starts afresh.
    ix.learned.addCall(key, clock.now(), '+390612345671');
    ix.addAttempt(key, clock.now());
    const e = ix.evidenceFor(key);
    expect(e.attempts).toEqual([clock.now()]);
    expect([...(e.calls ?? [])]).toEqual([{ at: clock.now(), did: '+390612345671' }]);
    expect(ix.callerRecords).toBe(1);
  });
});
