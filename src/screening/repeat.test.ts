import { describe, expect, it } from 'vitest';
import { classify } from './classify.js';
import { attemptAfterRefusal, findRepeat, ordinal } from './repeat.js';
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

  it('uses the most recent refusal', () => {
    const first = REFUSED - 3 * DAY;
    const attempts = [first + HOUR, first + DAY, REFUSED + HOUR];
    expect(findRepeat([first, REFUSED], attempts, REFUSED + DAY, WEEK)).toMatchObject({ count: 2, refusedAt: REFUSED });
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
      const written = findRepeat([REFUSED], attempts, now, WEEK, into);
      expect(written).toEqual(fresh);
      if (fresh !== null) expect(written).toBe(into);
    }
    expect(findRepeat([REFUSED], attempts, REFUSED + 2 * DAY, WEEK, into)).toBe(into);
    expect(into).toEqual({ count: 3, refusedAt: REFUSED, days: 2 });
  });

  it('returns null without refusals or when the last refusal is older than the window', () => {
    expect(findRepeat([], [REFUSED], REFUSED + DAY, WEEK)).toBeNull();
    expect(findRepeat([REFUSED], [], REFUSED + WEEK + 1, WEEK)).toBeNull();
  });
});

describe('attemptAfterRefusal', () => {
  it('writes the middle of the repeat reason for any number of days, written once or not', () => {
    for (let round = 0; round < 2; round++) {
      for (const days of [1, 2, 3, 7, 30, 399, 400, 401, 1000, 0, -1, 2.5]) {
        const written = days === 1 ? '1 day' : `${days} days`;
        expect(attemptAfterRefusal(days)).toBe(` attempt in ${written} after a refusal on `);
      }
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
      text: '2nd attempt in 3 days after a refusal on 3 Nov',
    });
    const n = decide([REFUSED + DAY, REFUSED + 2 * DAY], [REFUSED], now); // two earlier + current = 3
    expect(n.verdict).toBe('nuisance');
    expect(n.reasons[0]).toMatchObject({
      code: 'repeat-after-refusal',
      text: '3rd attempt in 3 days after a refusal on 3 Nov',
      params: { attempt: 3, days: 3, limit: 3, refusedAt: '2026-11-03T09:00:00.000Z' },
    });
  });

  it('more than N attempts stay nuisance with the right ordinal', () => {
    const earlier = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((h) => REFUSED + h * HOUR);
    expect(decide(earlier, [REFUSED], REFUSED + DAY).reasons[0]?.text).toBe(
      '11th attempt in 1 day after a refusal on 3 Nov',
    );
  });

  it('a call exactly D days after the refusal still counts; one ms later it does not', () => {
    const earlier = [REFUSED + DAY, REFUSED + 2 * DAY];
    expect(decide(earlier, [REFUSED], REFUSED + 5 * DAY).reasons[0]?.text).toBe(
      '3rd attempt in 5 days after a refusal on 3 Nov',
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
