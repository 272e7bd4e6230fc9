import { describe, expect, it } from 'vitest';
import { dayFromIso } from '../store/reports/local-days.js';
import { isCalendarDay, localDayStart, parseDateTime } from './zoned-time.js';

describe('days a person types', () => {
  it('are days of the calendar or nothing: no silent roll-over into the next month', () => {
    for (const day of ['2026-11-30', '2024-02-29', '2026-12-31', '2026-01-01']) expect(isCalendarDay(day)).toBe(true);
    for (const day of ['2026-11-31', '2026-02-29', '2026-02-30', '2026-13-01', '2026-00-10', '2026-12-00', '2026-1-1'])
      expect(isCalendarDay(day), day).toBe(false);
  });

  it('refuse a day that does not exist wherever a day or an instant is read (Date.parse alone moves it)', () => {
    expect(Date.parse('2026-11-31')).toBe(Date.parse('2026-12-01')); // what the checks below guard against
    expect(parseDateTime('2026-11-31')).toBeNaN();
    expect(parseDateTime('2026-02-30T10:00:00Z')).toBeNaN();
    expect(parseDateTime('2026-02-30 10:00:00Z')).toBeNaN();
    expect(parseDateTime('2026-11-30T10:00:00Z')).toBe(Date.parse('2026-11-30T10:00:00Z'));
    expect(parseDateTime('2026-11-05T08:31:00.000+01:00')).toBe(Date.parse('2026-11-05T07:31:00.000Z'));
    expect(parseDateTime('yesterday')).toBeNaN();
    expect(localDayStart('2026-13-01', 'Europe/Rome')).toBeUndefined();
    expect(localDayStart('2026-11-31', 'Europe/Rome')).toBeUndefined();
    expect(localDayStart('2026-11-30', 'Europe/Rome', 1)).toBe(Date.parse('2026-12-01T00:00:00+01:00'));
    expect(dayFromIso('2026-11-31')).toBeUndefined();
    expect(dayFromIso('2026-11-30')).toBe(Date.parse('2026-11-30T00:00:00Z') / 86_400_000);
  });
});
