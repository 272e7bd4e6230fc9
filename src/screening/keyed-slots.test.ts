import { describe, expect, it } from 'vitest';
import { KeyedSlots } from './keyed-slots.js';

describe('KeyedSlots', () => {
  it('finds what it holds across growth, with the columns moved along', () => {
    const t = new KeyedSlots({ f32: 1, u32: 1, u8: 1 });
    const keys = Array.from({ length: 5000 }, (_, i) => 390212345678 + i * 1_000_003);
    for (const k of keys) {
      const s = t.insert(k);
      t.f32[0]![s] = k % 1000;
      t.u32[0]![s] = k % 65536;
      t.u8[0]![s] = k % 251;
    }
    expect(t.size).toBe(5000);
    expect(t.capacity).toBeGreaterThanOrEqual((5000 * 4) / 3);
    for (const k of keys) {
      const s = t.find(k);
      expect(s).toBeGreaterThanOrEqual(0);
      expect([t.f32[0]![s], t.u32[0]![s], t.u8[0]![s]]).toEqual([k % 1000, k % 65536, k % 251]);
    }
    expect(t.find(12345)).toBe(-1);
    expect(t.insert(keys[7]!)).toBe(t.find(keys[7]!)); // no duplicate
    expect(t.size).toBe(5000);
  });

  it('drops rows with retain and shrinks', () => {
    const t = new KeyedSlots({ f32: 1, u32: 0, u8: 0 });
    for (let k = 1; k <= 4000; k++) {
      const slot = t.insert(k); // before indexing a column: insert may replace the arrays
      t.f32[0]![slot] = k;
    }
    const big = t.byteLength;
    expect(t.retain((s) => t.f32[0]![s]! % 100 === 0)).toBe(3960);
    expect(t.size).toBe(40);
    expect(t.byteLength).toBeLessThan(big / 10);
    for (let k = 1; k <= 4000; k++) expect(t.find(k) >= 0).toBe(k % 100 === 0);
  });

  it('refuses keys it cannot hold', () => {
    const t = new KeyedSlots({ f32: 0, u32: 0, u8: 0 });
    expect(() => t.insert(0)).toThrow(RangeError);
    expect(() => t.insert(2 ** 53)).toThrow(RangeError);
    expect(() => t.insert(1.5)).toThrow(RangeError);
  });
});
