import { describe, expect, it } from 'vitest';
import { dayFormatter } from './dates.js';
import { at } from './test-fixtures.js';

describe('dayFormatter', () => {
  it('writes "3 Nov 2026" and "3 Nov"', () => {
    const f = dayFormatter('Europe/Rome');
    expect(f.dayMonthYear(at('2026-11-03T09:00:00Z'))).toBe('3 Nov 2026');
    expect(f.dayMonth(at('2026-11-03T09:00:00Z'))).toBe('3 Nov');
    expect(f.dayMonthYear(at('2026-12-31T12:00:00Z'))).toBe('31 Dec 2026');
  });

  it('uses fixed English month names (Sep, not Sept)', () => {
    expect(dayFormatter('Europe/Rome').dayMonth(at('2026-09-15T12:00:00Z'))).toBe('15 Sep');
  });

  it('changes day exactly at local midnight, memo or not', () => {
    const rome = dayFormatter('Europe/Rome');
    for (let round = 0; round < 2; round++) {
      expect(rome.dayMonth(at('2026-11-02T22:59:59.999Z'))).toBe('2 Nov');
      expect(rome.dayMonth(at('2026-11-02T23:00:00.000Z'))).toBe('3 Nov');
    }
    const kathmandu = dayFormatter('Asia/Kathmandu'); // UTC+05:45
    for (let round = 0; round < 2; round++) {
      expect(kathmandu.dayMonth(at('2026-11-02T18:14:59.999Z'))).toBe('2 Nov');
      expect(kathmandu.dayMonth(at('2026-11-02T18:15:00.000Z'))).toBe('3 Nov');
    }
  });

  it('follows daylight saving time', () => {
    const rome = dayFormatter('Europe/Rome'); // UTC+2 in summer
    expect(rome.dayMonth(at('2026-07-01T21:59:59Z'))).toBe('1 Jul');
    expect(rome.dayMonth(at('2026-07-01T22:00:00Z'))).toBe('2 Jul');
  });

  it('returns the same formatter for the same zone and throws for an unknown one', () => {
    expect(dayFormatter('UTC')).toBe(dayFormatter('UTC'));
    expect(() => dayFormatter('Mars/Olympus')).toThrow(RangeError);
  });
});
