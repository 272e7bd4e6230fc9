import { describe, expect, it } from 'vitest';
import { injectionFile, KINDS, poolSize } from '../../bench/soak.js';

describe('bench:soak caller pools', () => {
  it('keeps the kinds own pools without --callers (11,200 callers)', () => {
    expect(KINDS.map((k) => poolSize(k, 0))).toEqual([5000, 2000, 2000, 1000, 1000, 200]);
  });

  it('shares --callers among the kinds by their share of the rate: every caller rings as often', () => {
    const sizes = KINDS.map((k) => poolSize(k, 450));
    expect(sizes).toEqual([285, 60, 45, 39, 18, 3]);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(450);
    // At 150 calls/s each caller rings every 3 s, whatever its kind.
    for (const [i, k] of KINDS.entries()) expect(sizes[i]! / (150 * k.share)).toBeCloseTo(3, 9);
  });

  it('gives a kind one caller at least', () => {
    expect(KINDS.map((k) => poolSize(k, 10))).toEqual([6, 1, 1, 1, 1, 1]);
  });

  it('writes the From as before with one name per caller, and its own display name per copy with more', () => {
    expect(injectionFile(['+393471000000', '+393471000001'], 1)).toBe('RANDOM\n+393471000000;;\n+393471000001;;\n');
    const lines = injectionFile(['+393471000000', '+393471000001'], 3).trim().split('\n').slice(1);
    expect(lines).toHaveLength(6);
    expect(new Set(lines).size).toBe(6);
    expect(lines.filter((l) => l.startsWith('+393471000001;'))).toEqual([
      '+393471000001;"Soak 0" ;',
      '+393471000001;"Soak 1" ;',
      '+393471000001;"Soak 2" ;',
    ]);
  });
});
