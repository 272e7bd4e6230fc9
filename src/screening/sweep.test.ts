import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../test/support/prng.js';
import { findSweep } from './behaviour.js';
import { CallRecord, type CallList } from './call-list.js';

const RECENT = 64;

/** findSweep as it was written before it counted a window's calls first: a Set per window. */
function sweepWithASetPerWindow(calls: CallList, now: number, did: string | null, windowMs: number, min: number) {
  const from = calls.length > RECENT ? calls.length - RECENT : 0;
  const kept = calls.length - from;
  const count = did === null ? kept : kept + 1;
  for (let end = count - 1; end >= 0; end--) {
    const lastAt = end === kept ? now : calls.atOf(from + end);
    const seen = new Set<string>();
    let first = lastAt;
    for (let i = end; i >= 0; i--) {
      const at = i === kept ? now : calls.atOf(from + i);
      if (lastAt - at > windowMs) break;
      const d = i === kept ? did : calls.didOf(from + i);
      if (d !== null) {
        seen.add(d);
        first = at;
      }
    }
    if (seen.size >= min) return { dids: seen.size, at: lastAt, spanMs: lastAt - first };
    if (end < count - 8) break;
  }
  return null;
}

describe('findSweep', () => {
  it('finds what a Set per window found, over generated calls (dense and sparse, with and without DIDs)', () => {
    const rand = mulberry32(24);
    const MINUTE = 60_000;
    let found = 0;
    // One object written over run after run, as behaviourReasons passes its own: the same finding, in that object.
    const into = { dids: -1, at: Number.NaN, spanMs: Number.NaN };
    for (let run = 0; run < 4000; run++) {
      const n = Math.floor(rand() * 90);
      // Gaps from seconds to hours: windows holding none, one or many calls.
      const scale = [10_000, 5 * MINUTE, 3 * 3_600_000][Math.floor(rand() * 3)]!;
      const dids = 1 + Math.floor(rand() * 6);
      const calls: { at: number; did: string | null }[] = [];
      let at = 1_790_000_000_000;
      for (let i = 0; i < n; i++) {
        at += Math.floor(rand() * scale);
        calls.push({ at, did: rand() < 0.15 ? null : `+3902123456${Math.floor(rand() * dids)}` });
      }
      const now = at + Math.floor(rand() * scale);
      const did = rand() < 0.2 ? null : `+3902123456${Math.floor(rand() * dids)}`;
      const windowMs = (1 + Math.floor(rand() * 60)) * MINUTE;
      const min = 1 + Math.floor(rand() * 5);
      const list = CallRecord.of(calls);
      const expected = sweepWithASetPerWindow(list, now, did, windowMs, min);
      expect(findSweep(list, now, did, windowMs, min)).toEqual(expected);
      const written = findSweep(list, now, did, windowMs, min, into);
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

  it('counts distinct DIDs, not calls', () => {
    const t = 1_790_000_000_000;
    const list = CallRecord.of([
      { at: t, did: '+390212345670' },
      { at: t + 1000, did: '+390212345670' },
      { at: t + 2000, did: '+390212345671' },
    ]);
    expect(findSweep(list, t + 3000, '+390212345670', 30 * 60_000, 3)).toBeNull();
    expect(findSweep(list, t + 3000, '+390212345672', 30 * 60_000, 3)).toEqual({
      dids: 3,
      at: t + 3000,
      spanMs: 3000,
    });
  });
});
