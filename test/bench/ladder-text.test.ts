import { describe, expect, it } from 'vitest';
import { ceilingText, ratioText, withStep, type LadderBounds } from '../../bench/ladder-text.js';

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
