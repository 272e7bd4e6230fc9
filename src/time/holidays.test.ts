import { describe, expect, it } from 'vitest';
import { easterSunday, publicHoliday } from './holidays.js';

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

describe('public holidays', () => {
  it('computes Easter Sunday in early, late and ordinary years', () => {
    // Published dates: 2008 (23 Mar) and 2011/2038 (24/25 Apr) are near the ends of the possible range.
    expect(isoDay(easterSunday(2008))).toBe('2008-03-23');
    expect(isoDay(easterSunday(2011))).toBe('2011-04-24');
    expect(isoDay(easterSunday(2024))).toBe('2024-03-31');
    expect(isoDay(easterSunday(2025))).toBe('2025-04-20');
    expect(isoDay(easterSunday(2026))).toBe('2026-04-05');
    expect(isoDay(easterSunday(2027))).toBe('2027-03-28');
    expect(isoDay(easterSunday(2038))).toBe('2038-04-25');
  });

  it("knows Italy's Easter Monday (Lunedì dell'Angelo) in several years, and not the Tuesday after", () => {
    const mondays: Array<[number, number, number]> = [
      [2024, 4, 1],
      [2025, 4, 21],
      [2026, 4, 6],
      [2027, 3, 29],
      [2028, 4, 17],
      [2038, 4, 26],
    ];
    for (const [y, m, d] of mondays) {
      expect(publicHoliday('IT', y, m, d), `${y}-${m}-${d}`).toBe("Lunedì dell'Angelo");
      expect(publicHoliday('IT', y, m, d + 1), `${y}-${m}-${d + 1}`).toBeNull();
    }
    expect(publicHoliday('IT', 2026, 4, 5)).toBe('Pasqua');
    // 2011: Easter Monday fell on Liberation Day; a holiday either way.
    expect(publicHoliday('IT', 2011, 4, 25)).not.toBeNull();
  });

  it("knows Italy's fixed holidays and none of the days around them", () => {
    const fixed: Array<[number, number, string]> = [
      [1, 1, 'Capodanno'],
      [1, 6, 'Epifania'],
      [4, 25, 'Festa della Liberazione'],
      [5, 1, 'Festa del Lavoro'],
      [6, 2, 'Festa della Repubblica'],
      [8, 15, 'Ferragosto'],
      [11, 1, 'Ognissanti'],
      [12, 8, 'Immacolata'],
      [12, 25, 'Natale'],
      [12, 26, 'Santo Stefano'],
    ];
    for (const [m, d, name] of fixed) expect(publicHoliday('IT', 2029, m, d)).toBe(name);
    for (const [m, d] of [
      [1, 2],
      [1, 7],
      [6, 1],
      [8, 14],
      [8, 16],
      [12, 7],
      [12, 24],
      [12, 27],
    ] as const) {
      expect(publicHoliday('IT', 2029, m, d), `${m}-${d}`).toBeNull();
    }
  });

  it('knows 4 October (San Francesco) from 2026 only', () => {
    expect(publicHoliday('IT', 2025, 10, 4)).toBeNull();
    expect(publicHoliday('IT', 2026, 10, 4)).toBe('San Francesco');
    expect(publicHoliday('IT', 2027, 10, 4)).toBe('San Francesco');
  });

  it('keeps the French holidays apart from the Italian ones', () => {
    expect(publicHoliday('FR', 2026, 7, 14)).toBe('Fête nationale');
    expect(publicHoliday('IT', 2026, 7, 14)).toBeNull();
    expect(publicHoliday('FR', 2026, 1, 6)).toBeNull();
    expect(publicHoliday('FR', 2026, 4, 5)).toBeNull();
    expect(publicHoliday('FR', 2026, 4, 6)).toBe('Lundi de Pâques');
  });
});
