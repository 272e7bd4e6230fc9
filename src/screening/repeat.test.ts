import { describe, expect, it } from 'vitest';
import { classify } from './classify.js';
import { ATTEMPT_AFTER_REFUSAL, findRepeat, latestConversation, ordinal, refusalSpan } from './repeat.js';
import { TalkRecord } from './call-list.js';
import type { Decision } from './types.js';
import { at, caller, DAY, evidence, HOUR, rules } from './test-fixtures.js';

const REFUSED = at('2026-11-03T09:00:00Z'); // 3 Nov, 10:00 in Rome
const WEEK = 7 * DAY;

/** Repeat rule with N = 3 attempts within D = 5 days. */
function decide(attempts: number[], refusals: number[], now: number, attemptsN = 3, withinDays = 5): Decision {
  return classify({
    identity: caller('+393471234567'),
    evidence: evidence({ attempts, refusals }),
    now,
    rules: rules({ repeat: { enabled: true, attempts: attemptsN, withinDays } }),
  });
}

describe('findRepeat', () => {
  it('counts attempts strictly after the refusal plus the current one', () => {
    const attempts = [REFUSED - HOUR, REFUSED, REFUSED + HOUR, REFUSED + DAY];
    expect(findRepeat([REFUSED], attempts, REFUSED + 2 * DAY, WEEK)).toEqual({ count: 3, refusedAt: REFUSED, days: 2 });
  });

  it('counts from the earliest refusal within the window: a later refusal does not start the count again', () => {
    const first = REFUSED - 3 * DAY;
    const attempts = [first + HOUR, first + DAY, REFUSED + HOUR];
    expect(findRepeat([first, REFUSED], attempts, REFUSED + DAY, WEEK)).toEqual({
      count: 4,
      refusedAt: first,
      days: 4,
    });
    // A refusal older than the window is passed over for the next one inside it.
    const old = REFUSED - WEEK - HOUR;
    expect(findRepeat([old, first, REFUSED], attempts, REFUSED + DAY, WEEK)).toMatchObject({
      count: 4,
      refusedAt: first,
    });
    expect(findRepeat([old, REFUSED], [old + HOUR, REFUSED + HOUR], REFUSED + DAY, WEEK)).toMatchObject({
      count: 2,
      refusedAt: REFUSED,
    });
  });

  it('counts no refusal at or before `since` (a conversation with the office), nor the attempts before the next', () => {
    const first = REFUSED - 3 * DAY;
    const attempts = [first + HOUR, first + DAY, REFUSED - HOUR, REFUSED + HOUR];
    const now = REFUSED + DAY;
    expect(findRepeat([first, REFUSED], attempts, now, WEEK, first)).toEqual({ count: 2, refusedAt: REFUSED, days: 1 });
    expect(findRepeat([first, REFUSED], attempts, now, WEEK, REFUSED - HOUR)).toMatchObject({ count: 2 });
    expect(findRepeat([first, REFUSED], attempts, now, WEEK, first - 1)).toMatchObject({ count: 5, refusedAt: first });
    expect(findRepeat([first, REFUSED], attempts, now, WEEK, REFUSED)).toBeNull();
  });

  it('ignores refusals after now (clock skew) and attempts later than now', () => {
    const now = REFUSED + DAY;
    expect(findRepeat([REFUSED, now + HOUR], [REFUSED + HOUR, now + 2 * HOUR], now, WEEK)).toMatchObject({
      count: 2,
      refusedAt: REFUSED,
    });
  });

  it('rounds days up, at least 1', () => {
    expect(findRepeat([REFUSED], [], REFUSED, WEEK)?.days).toBe(1);
    expect(findRepeat([REFUSED], [], REFUSED + 60_000, WEEK)?.days).toBe(1);
    expect(findRepeat([REFUSED], [], REFUSED + DAY, WEEK)?.days).toBe(1);
    expect(findRepeat([REFUSED], [], REFUSED + DAY + 1, WEEK)?.days).toBe(2);
  });

  it('writes its finding into the object it is given, the same as a new one', () => {
    const into = { count: -1, refusedAt: Number.NaN, days: -1 };
    const attempts = [REFUSED - HOUR, REFUSED, REFUSED + HOUR, REFUSED + DAY];
    for (let now = REFUSED; now < REFUSED + 2 * WEEK; now += 5 * HOUR) {
      const fresh = findRepeat([REFUSED], attempts, now, WEEK);
      const written = findRepeat([REFUSED], attempts, now, WEEK, undefined, into);
      expect(written).toEqual(fresh);
      if (fresh !== null) expect(written).toBe(into);
    }
    expect(findRepeat([REFUSED], attempts, REFUSED + 2 * DAY, WEEK, undefined, into)).toBe(into);
    expect(into).toEqual({ count: 3, refusedAt: REFUSED, days: 2 });
  });

  it('returns null without refusals or when the last refusal is older than the window', () => {
    expect(findRepeat([], [REFUSED], REFUSED + DAY, WEEK)).toBeNull();
    expect(findRepeat([REFUSED], [], REFUSED + WEEK + 1, WEEK)).toBeNull();
  });
});

describe('findRepeat against its definition', () => {
  it('finds what a plain filter of both lists finds, over generated lists, windows and conversations', () => {
    let seed = 38;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const times = (n: number) =>
      Array.from({ length: n }, () => REFUSED + Math.floor(random() * 10) * HOUR).sort((a, b) => a - b);
    for (let run = 0; run < 2000; run++) {
      const refusals = times(Math.floor(random() * 5));
      const attempts = times(Math.floor(random() * 8));
      const now = REFUSED + Math.floor(random() * 12) * HOUR;
      const window = Math.floor(random() * 6) * HOUR;
      const since = random() < 0.5 ? Number.NEGATIVE_INFINITY : REFUSED + Math.floor(random() * 10) * HOUR;
      const r = refusals.find((t) => t <= now && now - t <= window && t > since);
      const expected =
        r === undefined
          ? null
          : {
              count: 1 + attempts.filter((a) => a > r && a <= r + window && a <= now).length,
              refusedAt: r,
              days: Math.max(1, Math.ceil((now - r) / DAY)),
            };
      expect(findRepeat(refusals, attempts, now, window, since)).toEqual(expected);
    }
  });
});

describe('latestConversation', () => {
  it('is the latest answered call of at least minSeconds, else -Infinity', () => {
    const talks = TalkRecord.of([
      { at: REFUSED, seconds: 60 },
      { at: REFUSED + HOUR, seconds: 5 },
    ]);
    expect(latestConversation(talks, 8)).toBe(REFUSED);
    expect(latestConversation(talks, 5)).toBe(REFUSED + HOUR);
    expect(latestConversation(talks, 61)).toBe(Number.NEGATIVE_INFINITY);
    expect(latestConversation(undefined, 8)).toBe(Number.NEGATIVE_INFINITY);
  });
});

describe('refusalSpan', () => {
  it('writes the end of the repeat reason for any number of days, written once or not', () => {
    expect(ATTEMPT_AFTER_REFUSAL).toBe(' attempt after a refusal on ');
    for (let round = 0; round < 2; round++) {
      for (const days of [1, 2, 3, 7, 30, 399, 400, 401, 1000, -1, 2.5]) {
        const written = days === 1 ? '1 day' : `${days} days`;
        expect(refusalSpan(days)).toBe(` (within ${written})`);
      }
      expect(refusalSpan(0)).toBe(' (the same day)');
    }
  });
});

describe('repeat rule in classification (N = 3, D = 5 days)', () => {
  it('N-1 attempts → suspect, N attempts → nuisance', () => {
    const now = REFUSED + 3 * DAY;
    const nMinus1 = decide([REFUSED + DAY], [REFUSED], now); // one earlier + current = 2
    expect(nMinus1.verdict).toBe('suspect');
    expect(nMinus1.reasons[0]).toMatchObject({
      code: 'attempt-after-refusal',
      text: '2nd attempt after a refusal on 3 Nov (within 3 days)',
    });
    const n = decide([REFUSED + DAY, REFUSED + 2 * DAY], [REFUSED], now); // two earlier + current = 3
    expect(n.verdict).toBe('nuisance');
    expect(n.reasons[0]).toMatchObject({
      code: 'repeat-after-refusal',
      text: '3rd attempt after a refusal on 3 Nov (within 3 days)',
      params: { attempt: 3, days: 3, limit: 3, refusedAt: '2026-11-03T09:00:00.000Z' },
    });
  });

  it('more than N attempts stay nuisance with the right ordinal', () => {
    const earlier = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((h) => REFUSED + h * HOUR);
    expect(decide(earlier, [REFUSED], REFUSED + DAY).reasons[0]?.text).toBe(
      '11th attempt after a refusal on 3 Nov (within 1 day)',
    );
  });

  it('a call exactly D days after the refusal still counts; one ms later it does not', () => {
    const earlier = [REFUSED + DAY, REFUSED + 2 * DAY];
    expect(decide(earlier, [REFUSED], REFUSED + 5 * DAY).reasons[0]?.text).toBe(
      '3rd attempt after a refusal on 3 Nov (within 5 days)',
    );
    expect(decide(earlier, [REFUSED], REFUSED + 5 * DAY + 1)).toEqual({ verdict: 'unknown', score: 0, reasons: [] });
  });

  it('an earlier attempt exactly D days after the refusal counts; attempts before or at the refusal do not', () => {
    const now = REFUSED + 5 * DAY;
    const d = decide([REFUSED - DAY, REFUSED, REFUSED + 5 * DAY - 1], [REFUSED], now);
    expect(d.reasons[0]?.params?.['attempt']).toBe(2);
  });

  it('a refusal outside the window is ignored even when attempts followed it', () => {
    const old = REFUSED - 6 * DAY;
    const d = decide([old + HOUR, old + 2 * HOUR, old + 3 * HOUR], [old], REFUSED);
    expect(d).toEqual({ verdict: 'unknown', score: 0, reasons: [] });
  });

  it('an office that declines every call: the Nth attempt after the first refusal is nuisance', () => {
    // Each call is declined by the office (603, a refusal): attempts and refusals at the same instants.
    const calls = [REFUSED, REFUSED + DAY, REFUSED + 2 * DAY];
    const d = decide(calls, calls, REFUSED + 3 * DAY);
    expect(d.verdict).toBe('nuisance');
    expect(d.reasons[0]).toMatchObject({
      code: 'repeat-after-refusal',
      text: '3rd attempt after a refusal on 3 Nov (within 3 days)',
    });
  });

  it('a caller refused on its Nth attempt stays nuisance on the next one (crocetta refusing it is a refusal too)', () => {
    // Refused by the office on 3 Nov, two calls let through as suspect, the third refused by crocetta (607).
    const attempts = [REFUSED, REFUSED + DAY, REFUSED + 2 * DAY, REFUSED + 3 * DAY];
    const refusals = [REFUSED, REFUSED + 3 * DAY];
    expect(decide(attempts.slice(0, 3), [REFUSED], REFUSED + 3 * DAY).verdict).toBe('nuisance');
    const next = decide(attempts, refusals, REFUSED + 4 * DAY);
    expect(next.verdict).toBe('nuisance');
    expect(next.reasons[0]).toMatchObject({
      code: 'repeat-after-refusal',
      text: '4th attempt after a refusal on 3 Nov (within 4 days)',
    });
  });

  it('a customer declined while the office was busy, talked with, declined again: counted from after the talk', () => {
    // Declined at 10:00, called back and talked 60 s (short of learned trust's 180 s), declined at 12:00, calls again.
    const talks = [{ at: REFUSED + HOUR, seconds: 60 }];
    const attempts = [REFUSED - 1, REFUSED + HOUR, REFUSED + 3 * HOUR - 1];
    const refusals = [REFUSED, REFUSED + 3 * HOUR];
    const d = classify({
      identity: caller('+393471234567'),
      evidence: evidence({ attempts, refusals, talks }),
      now: REFUSED + 4 * HOUR,
      rules: rules({ repeat: { enabled: true, attempts: 3, withinDays: 5 } }),
    });
    expect(d.verdict).toBe('suspect');
    expect(d.reasons[0]).toMatchObject({ code: 'attempt-after-refusal', params: { attempt: 1 } });
    // Without the talk (the office hung up at once, 3 s: a short call), the same calls are the 3rd attempt.
    const hungUp = classify({
      identity: caller('+393471234567'),
      evidence: evidence({ attempts, refusals, talks: [{ at: REFUSED + HOUR, seconds: 3 }] }),
      now: REFUSED + 4 * HOUR,
      rules: rules({ repeat: { enabled: true, attempts: 3, withinDays: 5 } }),
    });
    expect(hungUp.reasons.find((r) => r.code === 'repeat-after-refusal')?.params).toMatchObject({ attempt: 3 });
  });

  it('says "the same day" for a refusal earlier the same calendar day (the office\'s), "in 1 day" across midnight', () => {
    const sameDay = decide([], [REFUSED], REFUSED + 60_000);
    expect(sameDay.reasons[0]).toMatchObject({
      text: '1st attempt after a refusal on 3 Nov (the same day)',
      params: { attempt: 1, days: 0 },
    });
    // Refused at 23:30 in Rome (22:30Z), called at 00:30 the next day: one hour, another day.
    const late = at('2026-11-03T22:30:00Z');
    expect(decide([], [late], late + HOUR).reasons[0]).toMatchObject({
      text: '1st attempt after a refusal on 3 Nov (within 1 day)',
      params: { days: 1 },
    });
    expect(decide([], [REFUSED], REFUSED + DAY).reasons[0]?.text).toBe(
      '1st attempt after a refusal on 3 Nov (within 1 day)',
    );
  });

  it('N = 1: the first call back after a refusal is already nuisance', () => {
    expect(decide([], [REFUSED], REFUSED + HOUR, 1).verdict).toBe('nuisance');
  });

  it('does nothing when disabled', () => {
    const d = classify({
      identity: caller('+393471234567'),
      evidence: evidence({ attempts: [REFUSED + HOUR, REFUSED + 2 * HOUR], refusals: [REFUSED] }),
      now: REFUSED + DAY,
      rules: rules({ repeat: { enabled: false, attempts: 3, withinDays: 5 } }),
    });
    expect(d.verdict).toBe('unknown');
  });

  it('fractional windows work (half a day)', () => {
    expect(decide([], [REFUSED], REFUSED + 11 * HOUR, 3, 0.5).verdict).toBe('suspect');
    expect(decide([], [REFUSED], REFUSED + 13 * HOUR, 3, 0.5).verdict).toBe('unknown');
  });
});

describe('ordinal', () => {
  it.each([
    [1, '1st'],
    [2, '2nd'],
    [3, '3rd'],
    [4, '4th'],
    [11, '11th'],
    [12, '12th'],
    [13, '13th'],
    [21, '21st'],
    [22, '22nd'],
    [23, '23rd'],
    [101, '101st'],
    [111, '111th'],
    [112, '112th'],
  ])('%i → %s', (n, text) => {
    expect(ordinal(n)).toBe(text);
  });

  it('writes from its table what it wrote before, inside and past the table', () => {
    // ordinal as it was written before its table (session 25).
    const written = (n: number): string => {
      const mod100 = n % 100;
      if (mod100 >= 11 && mod100 <= 13) return `${n}th`;
      const last = n % 10;
      return last === 1 ? `${n}st` : last === 2 ? `${n}nd` : last === 3 ? `${n}rd` : `${n}th`;
    };
    for (let n = 0; n <= 2000; n++) expect(ordinal(n)).toBe(written(n));
    for (const n of [-1, -11, -21, 2.5, 1e6 + 1]) expect(ordinal(n)).toBe(written(n));
  });
});
