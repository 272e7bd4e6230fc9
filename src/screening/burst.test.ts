import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../test/support/prng.js';
import { findBurst } from './behaviour.js';

const RECENT = 64;

/** findBurst as it was written before session 25: the i-th time read through a closure made per call. */
function burstWithAClosure(attempts: readonly number[], now: number, windowMs: number, min: number) {
  const n = attempts.length + 1;
  const t = (i: number): number => (i === n - 1 ? now : (attempts[i] ?? 0));
  let best: { count: number; at: number } | null = null;
  let start = n - 1;
  for (let end = n - 1; end >= Math.max(0, n - RECENT * 4); end--) {
    if (start > end) start = end;
    while (start > 0 && t(end) - t(start - 1) <= windowMs) start--;
    const count = end - start + 1;
    if (count >= min) {
      best = { count, at: t(end) };
      break;
    }
  }
  return best;
}

describe('findBurst', () => {
  it('finds what the closure version found, over generated attempts (dense, sparse, long, out of order)', () => {
    const rand = mulberry32(25);
    const MINUTE = 60_000;
    let found = 0;
    // One object written over run after run, as behaviourReasons passes its own: the same finding, in that object.
    const into = { count: -1, at: Number.NaN };
    for (let run = 0; run < 4000; run++) {
      // Up to 300 attempts: past the 256 windows the scan looks at.
      const n = Math.floor(rand() * (rand() < 0.1 ? 300 : 40));
      const scale = [20_000, 10 * MINUTE, 4 * 3_600_000][Math.floor(rand() * 3)]!;
      const attempts: number[] = [];
      let at = 1_790_000_000_000;
      for (let i = 0; i < n; i++) {
        at += Math.floor(rand() * scale);
        attempts.push(at);
      }
      // Now usually after the last attempt, sometimes before it (a clock set back).
      const now = rand() < 0.1 ? at - Math.floor(rand() * scale) : at + Math.floor(rand() * scale);
      const windowMs = (1 + Math.floor(rand() * 90)) * MINUTE;
      const min = 1 + Math.floor(rand() * 6);
      const expected = burstWithAClosure(attempts, now, windowMs, min);
      expect(findBurst(attempts, now, windowMs, min)).toEqual(expected);
      const written = findBurst(attempts, now, windowMs, min, into);
      expect(written).toEqual(expected);
      if (expected !== null) {
        expect(written).toBe(into);
        found++;
      }
    }
    // Both outcomes were exercised.
    expect(found).toBeGreaterThan(400);
    expect(found).toBeLessThan(3600);
  });

  it('reports the latest window holding enough attempts, the current call included', () => {
    const t = 1_790_000_000_000;
    const MINUTE = 60_000;
    // Four attempts within 10 minutes two hours ago, then one an hour ago.
    const attempts = [t, t + 2 * MINUTE, t + 5 * MINUTE, t + 9 * MINUTE, t + 60 * MINUTE];
    const now = t + 120 * MINUTE;
    expect(findBurst(attempts, now, 30 * MINUTE, 4)).toEqual({ count: 4, at: t + 9 * MINUTE });
    // Within an hour, the attempt an hour ago and the four before it are five.
    expect(findBurst(attempts, now, 60 * MINUTE, 4)).toEqual({ count: 5, at: t + 60 * MINUTE });
    // The current call and the attempt an hour before it: two within the hour, the latest window.
    expect(findBurst(attempts, now, 60 * MINUTE, 2)).toEqual({ count: 2, at: now });
    expect(findBurst(attempts, now, 5 * MINUTE, 4)).toBeNull();
  });
});
