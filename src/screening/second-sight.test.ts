import { describe, expect, it } from 'vitest';
import { SecondSight } from './second-sight.js';

describe('SecondSight', () => {
  it('says a key came before from its second sight on, and not the first time', () => {
    const seen = new SecondSight(1 << 4);
    for (const key of [0, 1, 390212345678, 2 ** 53 - 1, 1790000000123]) {
      expect(seen.again(key)).toBe(false);
      expect(seen.again(key)).toBe(true);
      expect(seen.again(key)).toBe(true);
    }
  });

  it('forgets a key when another takes its slot, and never mistakes one key for another', () => {
    const seen = new SecondSight(1 << 2);
    const keys = Array.from({ length: 64 }, (_, i) => 390212345600 + i);
    for (const key of keys) seen.again(key);
    // Four slots for 64 keys: most were pushed out, and none is "again" unless it is the last in its slot.
    const again = keys.filter((key) => seen.again(key));
    expect(again.length).toBeLessThanOrEqual(4);
    expect(seen.again(-1)).toBe(false);
    expect(seen.again(NaN)).toBe(false);
    expect(seen.again(NaN)).toBe(false);
  });
});
