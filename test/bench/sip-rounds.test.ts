import { describe, expect, it } from 'vitest';
import {
  baseAt,
  medianInterval,
  medianOf,
  msText,
  pairedText,
  pairRounds,
  roundOrder,
  verdictOf,
  type RoundP50,
} from '../../bench/sip-rounds.js';

/** Rounds as bench/sip.ts runs them (roundOrder): p50s in µs, `at` the slot's place in the run. */
const rows: RoundP50[] = [
  { app: 'bare', round: 1, p50: 1000, at: 0 },
  { app: 'crocetta', round: 1, p50: 1500, at: 1 },
  { app: 'answer-first', round: 1, p50: 1080, at: 2 },
  { app: 'bare', round: 2, p50: 1300, at: 3 },
  { app: 'answer-first', round: 2, p50: 1500, at: 4 },
  { app: 'crocetta', round: 2, p50: 1900, at: 5 },
  { app: 'bare', round: 3, p50: 1200, at: 6 },
  { app: 'crocetta', round: 3, p50: 1700, at: 7 },
  { app: 'answer-first', round: 3, p50: 1260, at: 8 },
  { app: 'bare', round: 4, p50: 1200, at: 9 },
];

const APPS = ['bare', 'crocetta', 'answer-first'];

describe('roundOrder', () => {
  it('starts every round with the bare app, alternates the other two, and closes with one more bare round', () => {
    const order = roundOrder(APPS, 3).map((s) => `${s.app}${s.round}`);
    expect(order).toEqual([
      'bare1',
      'crocetta1',
      'answer-first1',
      'bare2',
      'answer-first2',
      'crocetta2',
      'bare3',
      'crocetta3',
      'answer-first3',
      'bare4',
    ]);
  });

  it('never runs an application twice in a row, and gives each the same distances to the bare rounds', () => {
    for (const apps of [APPS, ['bare', 'a', 'b', 'c'], ['bare', 'crocetta']]) {
      const order = roundOrder(apps, 6);
      for (let i = 1; i < order.length; i++) expect(order[i]?.app).not.toBe(order[i - 1]?.app);
      // Rounds from the last bare round before each round of each application: over every K rounds, 1 … K once each.
      const k = apps.length - 1;
      for (const app of apps.slice(1)) {
        const distances = order.flatMap((s, i) =>
          s.app === app
            ? [
                i -
                  order
                    .slice(0, i)
                    .map((x) => x.app)
                    .lastIndexOf('bare'),
              ]
            : [],
        );
        expect([...distances].sort()).toEqual(Array.from({ length: 6 }, (_, i) => (i % k) + 1).sort());
      }
      expect(order.filter((s) => s.app === 'bare').map((s) => s.round)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    }
  });

  it('rotates the applications alone when there is no bare app', () => {
    expect(roundOrder(['a', 'b'], 2, 'bare').map((s) => s.app)).toEqual(['a', 'b', 'b', 'a']);
  });
});

describe('baseAt: the bare app at a time', () => {
  const base = rows.filter((r) => r.app === 'bare');
  it('interpolates between the bare rounds around it, by time', () => {
    expect(baseAt(base, 1)).toBeCloseTo(1100, 10); // a third of the way from 1000 to 1300
    expect(baseAt(base, 2)).toBeCloseTo(1200, 10);
    expect(baseAt(base, 4)).toBeCloseTo(1266.667, 3);
    expect(baseAt(base, 3)).toBe(1300);
  });
  it('takes the nearest alone at either end, NaN with none', () => {
    expect(baseAt(base, -5)).toBe(1000);
    expect(baseAt(base, 20)).toBe(1200);
    expect(baseAt([], 1)).toBeNaN();
  });
});

describe('pairRounds', () => {
  it("pairs each round with the bare app's p50 interpolated at its time, not the bare round of its number", () => {
    const p = pairRounds(rows, 'answer-first');
    expect(p?.rounds).toEqual([1, 2, 3]);
    expect(p?.baseUs.map((b) => Number(b.toFixed(3)))).toEqual([1200, 1266.667, 1200]);
    expect(p?.ratios.map((r) => Number(r.toFixed(4)))).toEqual([0.9, 1.1842, 1.05]);
    expect(p?.diffsUs.map((d) => Number(d.toFixed(3)))).toEqual([-120, 233.333, 60]);
    expect(p?.ratio.median).toBeCloseTo(1.05, 10);
    expect(p?.ratio.min).toBeCloseTo(0.9, 10);
    expect(p?.ratio.max).toBeCloseTo(1500 / (3800 / 3), 10);
    expect(p?.diffUs.median).toBeCloseTo(60, 10);
  });

  it('leaves out a round with no bare round to pair with, and gives null when none is left', () => {
    expect(pairRounds(rows, 'kamailio')).toBeNull();
    expect(pairRounds([{ app: 'crocetta', round: 1, p50: 1, at: 0 }], 'crocetta')).toBeNull();
    const noBareP50 = rows.map((r) => (r.app === 'bare' ? { ...r, p50: NaN } : r));
    expect(pairRounds(noBareP50, 'crocetta')).toBeNull();
  });

  it('reads the same ratio in every round under a steady drift of the host, where the same round numbers did not', () => {
    // Ten rounds in roundOrder, one slot a time unit; the host slows by 3% a slot; answer-first always ×1.08 and
    // crocetta ×1.30 the bare app's level at their time (linear interpolation of a geometric drift: within 0.1%).
    const level = (t: number): number => 1000 * 1.03 ** t;
    const run: RoundP50[] = roundOrder(APPS, 10).map((s, t) => ({
      app: s.app,
      round: s.round,
      at: t,
      p50: level(t) * (s.app === 'answer-first' ? 1.08 : s.app === 'crocetta' ? 1.3 : 1),
    }));
    const af = pairRounds(run, 'answer-first');
    if (af === null) throw new Error('no pairs');
    for (const r of af.ratios) expect(r).toBeCloseTo(1.08, 2);
    expect(verdictOf(af.ratio.interval, 1.1)).toBe('met');
    const cr = pairRounds(run, 'crocetta');
    expect(cr?.ratios).toHaveLength(10);
    for (const r of cr?.ratios ?? []) expect(r).toBeCloseTo(1.3, 2);
    // Paired with the bare round of the same number (session 28's way), one or two slots earlier: ×1.11 or ×1.15.
    const byNumber = run
      .filter((r) => r.app === 'answer-first')
      .map((r) => r.p50 / (run.find((b) => b.app === 'bare' && b.round === r.round)?.p50 ?? NaN));
    expect(verdictOf(medianInterval(byNumber), 1.1)).toBe('missed');
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
      'p50 by round ×0.90 ×1.18 ×1.05: median ×1.05, min–max ×0.90–×1.18, ' +
        "the median's 75% interval ×0.90–×1.18 (3 pairs): ≤ ×1.10 too few pairs | " +
        'difference by round −0.12 +0.23 +0.06 ms: median +0.06, interval −0.12–+0.23 ms: ≤ +0.50 too few pairs',
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
