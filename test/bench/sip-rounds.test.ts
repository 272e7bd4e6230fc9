import { describe, expect, it } from 'vitest';
import {
  medianInterval,
  medianOf,
  msText,
  pairedText,
  pairRounds,
  verdictOf,
  type RoundP50,
} from '../../bench/sip-rounds.js';

/** Rounds as bench/sip.ts runs them: bare and the others alternating, p50s in µs. */
const rows: RoundP50[] = [
  { app: 'bare', round: 1, p50: 1000 },
  { app: 'crocetta', round: 1, p50: 1500 },
  { app: 'answer-first', round: 1, p50: 1080 },
  { app: 'answer-first', round: 2, p50: 1500 },
  { app: 'crocetta', round: 2, p50: 1900 },
  { app: 'bare', round: 2, p50: 1250 },
  { app: 'bare', round: 3, p50: 1200 },
  { app: 'answer-first', round: 3, p50: 1260 },
  { app: 'crocetta', round: 3, p50: 1700 },
];

describe('pairRounds', () => {
  it("pairs each round with the bare app's round of the same number, not with the pooled rounds", () => {
    const p = pairRounds(rows, 'answer-first');
    expect(p?.rounds).toEqual([1, 2, 3]);
    expect(p?.ratios.map((r) => Number(r.toFixed(4)))).toEqual([1.08, 1.2, 1.05]);
    expect(p?.diffsUs).toEqual([80, 250, 60]);
    expect(p?.ratio.median).toBeCloseTo(1.08, 10);
    expect(p?.ratio.min).toBeCloseTo(1.05, 10);
    expect(p?.ratio.max).toBeCloseTo(1.2, 10);
    expect(p?.diffUs.median).toBe(80);
    // Pooled, the same calls would read 1280 / 1200 (medians of rounds): the pairs keep each minute's own baseline.
  });

  it('leaves out a round the bare app did not run, and gives null when none is left', () => {
    const p = pairRounds([...rows, { app: 'answer-first', round: 4, p50: 900 }], 'answer-first');
    expect(p?.rounds).toEqual([1, 2, 3]);
    expect(pairRounds(rows, 'kamailio')).toBeNull();
    expect(pairRounds([{ app: 'crocetta', round: 1, p50: 1 }], 'crocetta')).toBeNull();
  });
});

describe('medianOf', () => {
  it('is the middle value, or the mean of the middle two', () => {
    expect(medianOf([3, 1, 2])).toBe(2);
    expect(medianOf([4, 1, 3, 2])).toBe(2.5);
    expect(medianOf([])).toBeNaN();
  });
});

describe('medianInterval', () => {
  it('is min–max with its coverage 1 − 2/2ⁿ up to 8 values (5: 93.75%, 2: 50%)', () => {
    expect(medianInterval([1.2, 1.0])).toEqual({ low: 1.0, high: 1.2, coverage: 0.5 });
    expect(medianInterval([5, 1, 4, 2, 3])).toEqual({ low: 1, high: 5, coverage: 1 - 2 / 32 });
    expect(medianInterval([8, 1, 7, 2, 6, 3, 5, 4])).toEqual({ low: 1, high: 8, coverage: 1 - 2 / 256 });
  });

  it('drops one value at each end from 9 values on (9: 1 − 2·10/512 ≥ 95%)', () => {
    const nine = [9, 1, 8, 2, 7, 3, 6, 4, 5];
    expect(medianInterval(nine)).toEqual({ low: 2, high: 8, coverage: 1 - (2 * 10) / 512 });
    // 20 values: [x(6), x(15)] covers with 1 − 2·P(Bin(20, ½) ≤ 5) = 95.86%; x(7)–x(14) would cover 88.5% only.
    const twenty = Array.from({ length: 20 }, (_, i) => i + 1);
    const i20 = medianInterval(twenty);
    expect([i20.low, i20.high]).toEqual([6, 15]);
    expect(i20.coverage).toBeCloseTo(0.9586, 4);
  });
});

describe('verdictOf', () => {
  it('is met when the whole interval is within the limit, missed when all beyond, else undecided', () => {
    expect(verdictOf({ low: 1.02, high: 1.1, coverage: 0.97 }, 1.1)).toBe('met');
    expect(verdictOf({ low: 1.11, high: 1.3, coverage: 0.97 }, 1.1)).toBe('missed');
    expect(verdictOf({ low: 1.05, high: 1.15, coverage: 0.97 }, 1.1)).toBe('undecided');
  });

  it('gives no verdict on an interval that covers the median less than 90% of the time (4 pairs or fewer)', () => {
    expect(verdictOf(medianInterval([1.91, 2.12]), 1.1)).toBe('too few pairs');
    expect(verdictOf(medianInterval([1.2, 1.3, 1.25, 1.4]), 1.1)).toBe('too few pairs');
    expect(verdictOf(medianInterval([1.2, 1.3, 1.25, 1.4, 1.22]), 1.1)).toBe('missed');
  });
});

describe('pairedText', () => {
  it('prints every pair, the median, min–max and the verdicts', () => {
    const p = pairRounds(rows, 'answer-first');
    if (p === null) throw new Error('no pairs');
    expect(pairedText(p, 1.1, 500)).toBe(
      'p50 by round ×1.08 ×1.20 ×1.05: median ×1.08, min–max ×1.05–×1.20, ' +
        "the median's 75% interval ×1.05–×1.20 (3 pairs): ≤ ×1.10 too few pairs | " +
        'difference by round +0.08 +0.25 +0.06 ms: median +0.08, interval +0.06–+0.25 ms: ≤ +0.50 too few pairs',
    );
  });
});

describe('msText: a signed difference in ms', () => {
  it('signs what is not zero at two decimals, and writes a difference that rounds to zero as +0.00', () => {
    expect([290, -400, 15_680, -15_680, 0, -4, 4, 6, -6].map(msText)).toEqual([
      '+0.29',
      '−0.40',
      '+15.68',
      '−15.68',
      '+0.00',
      '+0.00',
      '+0.00',
      '+0.01',
      '−0.01',
    ]);
  });
});
