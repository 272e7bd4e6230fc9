import { describe, expect, it } from 'vitest';
import {
  ceilingText,
  ladderHeader,
  ladderLeadIn,
  LEAD_IN_SECONDS,
  ratioText,
  withStep,
  type LadderBounds,
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
