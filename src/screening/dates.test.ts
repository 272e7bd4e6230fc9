import { describe, expect, it, vi } from 'vitest';
import { dayFormatter, isoTime } from './dates.js';
import { mulberry32 } from '../../test/support/prng.js';
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

describe('dayFormatter over many days', () => {
  it('writes each day as Intl writes it, both ways, in any order of times (its memo of days)', () => {
    const rand = mulberry32(2025);
    const rome = dayFormatter('Europe/Rome');
    const intl = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Rome',
      day: 'numeric',
      month: 'short',
      year: 'numeric',
    });
    const base = Date.UTC(2026, 0, 1);
    for (let i = 0; i < 3000; i++) {
      const ms = base + Math.floor(rand() * 400 * 86_400_000);
      const parts = intl.formatToParts(ms);
      const day = parts.find((p) => p.type === 'day')!.value;
      const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][
        new Date(new Date(ms).toLocaleString('en-US', { timeZone: 'Europe/Rome' })).getMonth()
      ]!;
      const year = parts.find((p) => p.type === 'year')!.value;
      expect(rome.dayMonth(ms)).toBe(`${Number(day)} ${month}`);
      expect(rome.dayMonthYear(ms)).toBe(`${Number(day)} ${month} ${year}`);
    }
  });
});

describe('isoTime', () => {
  const edges = [
    0,
    1,
    999,
    86_399_999,
    86_400_000,
    951_782_400_000,
    951_868_800_000,
    4_107_542_400_000,
    1_790_000_000_123,
    Date.UTC(2000, 1, 29, 23, 59, 59, 999),
    Date.UTC(2100, 1, 28),
    Date.UTC(2100, 2, 1),
    Date.UTC(2400, 1, 29),
    Date.UTC(1999, 11, 31, 23, 59, 59, 999),
    Date.UTC(9999, 11, 31, 23, 59, 59, 999),
    253_402_300_800_000,
    -1,
    -86_400_001,
    -62_198_755_200_000,
    8.64e15,
    -8.64e15,
    1.5,
    1_790_000_000_000.75,
    -0,
  ];

  it('writes what Date#toISOString writes, at the edges of days, months, leap years and its own range', () => {
    for (const ms of edges) expect(isoTime(ms)).toBe(new Date(ms).toISOString());
  });

  it('writes what Date#toISOString writes for random times over Date’s whole range', () => {
    const rand = mulberry32(9);
    for (let i = 0; i < 20_000; i++) {
      const span = i % 3 === 0 ? 8.64e15 : i % 3 === 1 ? 253_402_300_800_000 : 4_000_000_000_000;
      const ms = Math.floor((i % 5 === 0 ? rand() * 2 - 1 : rand()) * span);
      expect(isoTime(ms)).toBe(new Date(ms).toISOString());
    }
  });

  it('writes the right day when decisions alternate between days, near and 64 days apart (its memo of days)', () => {
    const rand = mulberry32(25);
    const base = Date.UTC(2026, 10, 5);
    for (let i = 0; i < 20_000; i++) {
      // Days of a 30-day look-back in any order, and days that share a slot of the memo (64 apart).
      const day = Math.floor(rand() * 30) + (rand() < 0.3 ? 64 * Math.floor(rand() * 4) : 0);
      const ms = base - day * 86_400_000 + Math.floor(rand() * 86_400_000);
      expect(isoTime(ms)).toBe(new Date(ms).toISOString());
    }
  });

  it('writes what Date#toISOString writes for every second of a day and every millisecond of a second', () => {
    const day = Date.UTC(2026, 10, 5);
    for (let s = 0; s < 86_400; s++) {
      const ms = day + s * 1000 + ((s * 7) % 1000);
      expect(isoTime(ms)).toBe(new Date(ms).toISOString());
    }
    for (let ms = day + 86_399_000; ms < day + 86_401_000; ms++) expect(isoTime(ms)).toBe(new Date(ms).toISOString());
  });

  it('drops a fraction of a millisecond as Date#toISOString does, without asking Date', () => {
    const rand = mulberry32(28);
    const base = Date.UTC(2026, 10, 5);
    for (let i = 0; i < 20_000; i++) {
      // A look-back's times with fractions (bench:decide's history spaces its calls 7 days / 25,001 apart), and
      // fractions just below a millisecond, a second, a minute and a day.
      const ms =
        i % 4 === 0 ? base - rand() * 30 * 86_400_000 : base + Math.floor(rand() * 86_400) * 1000 - rand() * 1e-3;
      expect(isoTime(ms)).toBe(new Date(ms).toISOString());
    }
    // Just under midnight, a leap day and the last day isoTime writes itself.
    for (const day of [base, Date.UTC(2000, 2, 1), Date.UTC(9999, 11, 31)]) {
      for (const ms of [day - 2.5e-4, day - 1e-3, day - 0.5, day - 1 + 1e-3]) {
        expect(isoTime(ms)).toBe(new Date(ms).toISOString());
      }
    }
    const toDate = vi.spyOn(Date.prototype, 'toISOString');
    isoTime(1_790_000_000_000.75);
    expect(toDate).not.toHaveBeenCalled();
    toDate.mockRestore();
  });

  it('writes the right time when times come back and when they share a slot of its memo of times (4,096 ms apart)', () => {
    const rand = mulberry32(31);
    const base = Date.UTC(2026, 10, 5, 9);
    // A few callers' times asked again and again, with times of the same slot between them (and their fractions).
    const times = Array.from({ length: 40 }, (_, i) => base - i * 3_600_000 + (i % 8) * 4096 + (i % 3) * 0.25);
    for (let i = 0; i < 20_000; i++) {
      const ms = times[Math.floor(rand() * times.length)]! + (rand() < 0.2 ? 4096 * Math.floor(rand() * 5) : 0);
      expect(isoTime(ms)).toBe(new Date(ms).toISOString());
    }
  });

  it('throws for an invalid time as Date does', () => {
    for (const ms of [NaN, Infinity, -Infinity, 8.64e15 + 1]) expect(() => isoTime(ms)).toThrow(RangeError);
  });
});
