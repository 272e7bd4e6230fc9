import { describe, expect, it } from 'vitest';
import {
  ceilingText,
  ladderHeader,
  ladderLeadIn,
  LEAD_IN_SECONDS,
  ratioText,
  triesRatioText,
  triesText,
  figureOf,
  withStep,
  withTry,
  type LadderBounds,
  type RateTries,
} from '../../bench/ladder-text.js';

const steps = (...outcomes: Array<[number, boolean]>): LadderBounds =>
  outcomes.reduce<LadderBounds>((b, [rate, ok]) => withStep(b, rate, ok), {});

describe("bench:sip's ladder summary says what the steps showed", () => {
  it('keeps the highest step held and the lowest failed above it', () => {
    // Session 29's first hold: both failed 1,150 (a disturbed start), then held 1,200 and 1,250.
    expect(steps([1150, false], [1200, true], [1250, true])).toEqual({ held: 1250 });
    expect(steps([1200, true], [1300, false], [1250, true], [1400, false])).toEqual({ held: 1250, failed: 1300 });
    expect(steps([1300, false], [1400, false], [1500, false])).toEqual({ failed: 1300 });
    // The bare app of session 29's second hold: failed 1,400 between holding 1,300 and 1,500.
    expect(steps([1300, true], [1400, false], [1500, true])).toEqual({ held: 1500 });
  });

  it('says a ceiling no step held as a bound, not as 0 calls/s', () => {
    expect(ceilingText({ failed: 1300 })).toBe('below 1,300 (no step held)');
    expect(ceilingText({ held: 1250, failed: 1300 })).toBe('1,250 calls/s (1,300 failed)');
    expect(ceilingText({ held: 1500 })).toBe('1,500 calls/s or more (no step above failed)');
    expect(ceilingText({})).toBe('no step run');
  });

  it('gives the ratio only as far as both ladders bound it', () => {
    // crocetta held 1,250 and failed 1,300; the bare app held 1,500 and failed none above it.
    expect(ratioText({ held: 1250, failed: 1300 }, { held: 1500 })).toBe('below 87% of bare');
    expect(ratioText({ failed: 1300 }, { held: 1500 })).toBe('below 87% of bare');
    expect(ratioText({ held: 1250, failed: 1300 }, { held: 1300, failed: 1350 })).toBe('93%–100% of bare');
    expect(ratioText({ held: 1400 }, { held: 1300, failed: 1350 })).toBe('at least 104% of bare');
    expect(ratioText({ held: 1400 }, { held: 1500 })).toBe('ratio not bounded by these steps');
    expect(ratioText({ held: 1400 }, { failed: 1150 })).toBe('bare app held no step: no ratio');
  });
});

describe("bench:sip's ladder header and lead-in", () => {
  const argv = (...words: string[]) => ['node', 'bench/sip.ts', '--ladder', ...words];

  it('reads --ladder-warmup as whole seconds, 0 for none, and its share of the rate at most 1', () => {
    expect(ladderLeadIn(argv('--ladder-warmup', '3'))).toEqual({ seconds: 3, share: 0.5 });
    expect(ladderLeadIn(argv('--ladder-warmup', '0'))).toEqual({ seconds: 0, share: 0.5 });
    expect(ladderLeadIn(argv('--ladder-warmup', '5', '--ladder-warmup-share', '0.8'))).toEqual({
      seconds: 5,
      share: 0.8,
    });
    expect(ladderLeadIn(argv('--ladder-warmup', '2', '--ladder-warmup-share', '3'))).toEqual({ seconds: 2, share: 1 });
    // A lead-in unless asked for none: every try of every application begins warm (sessions 33–34).
    expect(LEAD_IN_SECONDS).toBeGreaterThan(0);
    for (const absent of [argv(), argv('--ladder-warmup', 'x'), argv('--ladder-warmup', '-1'), argv('--ladder-warmup')])
      expect(ladderLeadIn(absent)).toEqual({ seconds: LEAD_IN_SECONDS, share: 0.5 });
  });

  it('says the steps as run and whether every try began with the same lead-in', () => {
    const plan = { seconds: 30, from: 250, step: 250, resolution: 50, retries: 1 };
    expect(ladderHeader({ ...plan, at: [900, 900, 900], retries: 0, leadIn: { seconds: 3, share: 0.5 } })).toBe(
      "ladder: highest rate sustained for 30 s with no failed call (fixed steps 900, 900, 900, the applications in turn at each, the order reversed every other step; a failed step not tried again); before every try of every application a lead-in of 3 s at 50% of the try's rate, then 1.5 s idle, uncounted",
    );
    expect(ladderHeader({ ...plan, leadIn: { seconds: 0, share: 0.5 } })).toBe(
      'ladder: highest rate sustained for 30 s with no failed call (steps of 250 from 250, then bisection to 50; a failed step tried up to 1 more time(s)); no lead-in (--ladder-warmup 0): an application idle while another takes its steps meets the full rate at once',
    );
  });
});

describe("bench:sip's ladder by the rule (--ladder-tries N --ladder-holds K)", () => {
  const tally = (...tries: Array<[number, boolean]>): Map<number, RateTries> =>
    tries.reduce<Map<number, RateTries>>((t, [rate, ok]) => withTry(t, rate, ok), new Map());
  // Three rounds of 860, 900, 940: held in 3/3, 2/3 and 1/3 of the tries.
  const croc = tally(
    [860, true],
    [900, true],
    [940, false],
    [860, true],
    [900, false],
    [940, true],
    [860, true],
    [900, true],
    [940, false],
  );

  it('counts held of tried by rate, and holds a rate at K of N', () => {
    expect(croc.get(860)).toEqual({ held: 3, tried: 3 });
    expect(croc.get(900)).toEqual({ held: 2, tried: 3 });
    expect(croc.get(940)).toEqual({ held: 1, tried: 3 });
    expect(figureOf(croc, 2)).toBe(900);
    expect(figureOf(croc, 3)).toBe(860);
    expect(figureOf(croc, 1)).toBe(940);
    expect(figureOf(tally([860, false], [860, true], [860, false]), 2)).toBeUndefined();
  });

  it('prints held/tried, the figure, and a rate not held below it', () => {
    expect(triesText(croc, 2)).toBe(
      '860 3/3, 900 2/3, 940 1/3 (held/tried); holds 900 calls/s (held in ≥ 2 of 3 tries)',
    );
    const gap = tally([860, false], [900, true], [860, false], [900, true], [860, true], [900, false]);
    expect(triesText(gap, 2)).toBe(
      '860 1/3, 900 2/3 (held/tried); holds 900 calls/s, the highest rate tried (held in ≥ 2 of 3 tries); not held below it: 860',
    );
    expect(triesText(tally([860, false], [860, false]), 2)).toBe(
      '860 0/2 (held/tried); holds no rate (held in ≥ 2 of 2 tries)',
    );
  });

  it('gives the ratio of the figures with a verdict at 95%, and a bound when a figure is the highest rate tried', () => {
    const of = (rates: Record<number, number>): Map<number, RateTries> =>
      new Map(Object.entries(rates).map(([r, held]) => [Number(r), { held, tried: 3 }]));
    // 900 / 940 = 95.7%: one 40-call step below the bare app is still 95% at these rates.
    expect(triesRatioText(of({ 860: 3, 900: 2, 940: 1, 980: 0 }), of({ 860: 3, 900: 3, 940: 2, 980: 1 }), 2)).toBe(
      '95.7% of bare (900 / 940): met (target 95.0%)',
    );
    expect(triesRatioText(of({ 860: 2, 900: 1, 940: 0, 980: 0 }), of({ 860: 3, 900: 3, 940: 2, 980: 1 }), 2)).toBe(
      '91.5% of bare (860 / 940): not met (target 95.0%)',
    );
    expect(triesRatioText(of({ 860: 3, 900: 3, 940: 2, 980: 0 }), of({ 860: 3, 900: 3, 940: 3, 980: 2 }), 2)).toBe(
      'at most 95.9% of bare (940 / 980; the bare app holds the highest rate tried): undecided (target 95.0%)',
    );
    expect(triesRatioText(of({ 860: 3, 900: 0, 940: 0, 980: 0 }), of({ 860: 3, 900: 3, 940: 3, 980: 2 }), 2)).toBe(
      'at most 87.8% of bare (860 / 980; the bare app holds the highest rate tried): not met (target 95.0%)',
    );
    expect(triesRatioText(of({ 860: 3, 900: 3, 940: 2, 980: 2 }), of({ 860: 3, 900: 2, 940: 1, 980: 0 }), 2)).toBe(
      'at least 108.9% of bare (980 / 900; it holds the highest rate tried): met (target 95.0%)',
    );
    expect(triesRatioText(of({ 860: 3, 980: 2 }), of({ 860: 3, 980: 3 }), 2)).toBe(
      'both hold the highest rate tried (980): ratio not bounded, undecided',
    );
    expect(triesRatioText(of({ 860: 1, 900: 0 }), of({ 860: 2, 900: 2 }), 2)).toBe(
      'below 95.6% of bare (holds no rate; bare 900): undecided (target 95.0%)',
    );
    expect(triesRatioText(of({ 860: 1, 900: 0 }), of({ 860: 3, 900: 3, 940: 2 }), 2)).toBe(
      'below 91.5% of bare (holds no rate; bare 940): not met (target 95.0%)',
    );
    expect(triesRatioText(of({ 860: 3 }), of({ 860: 1 }), 2)).toBe('the bare app holds no rate: no ratio');
  });

  it('says the rule and the pause in the header', () => {
    const plan = { seconds: 30, from: 250, step: 250, resolution: 50, retries: 1, leadIn: { seconds: 3, share: 0.5 } };
    expect(ladderHeader({ ...plan, at: [860, 900], tries: { n: 3, k: 2 }, pause: 'all' })).toBe(
      "ladder: highest rate sustained for 30 s with no failed call (fixed rates 860, 900 in 3 rounds, each round every rate in turn, the applications in turn at each, the order reversed every other try; a rate held when ≥ 2 of its 3 tries held, an application's figure the highest rate it holds; a failed step not tried again); before every try of every application a lead-in of 3 s at 50% of the try's rate, then 1.5 s idle, uncounted; while one application tries, the others and their drachtio-servers are stopped (SIGSTOP, SIGCONT before their own lead-in)",
    );
    // One try a rate is the fixed steps of before, retries as asked.
    expect(ladderHeader({ ...plan, at: [860], tries: { n: 1, k: 1 }, pause: 'none' })).toContain(
      'fixed steps 860, the applications in turn at each, the order reversed every other step; a failed step tried up to 1 more time(s)',
    );
  });
});
