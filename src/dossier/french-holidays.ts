/**
 * French public holidays (jours fériés, Code du travail art. L3133-1): the eight fixed ones and the three that
 * follow Easter. Décret 2022-1313 forbids telemarketing on them as on weekends. Alsace-Moselle's extra days
 * (Good Friday, 26 December) are local and left out.
 */

const FIXED: ReadonlyArray<readonly [month: number, day: number, name: string]> = [
  [1, 1, "Jour de l'an"],
  [5, 1, 'Fête du Travail'],
  [5, 8, 'Victoire 1945'],
  [7, 14, 'Fête nationale'],
  [8, 15, 'Assomption'],
  [11, 1, 'Toussaint'],
  [11, 11, 'Armistice 1918'],
  [12, 25, 'Noël'],
];

/** Easter Sunday of a Gregorian year (anonymous Gregorian algorithm), as ms of its UTC midnight. */
export function easterSunday(year: number): number {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return Date.UTC(year, month - 1, day);
}

const AFTER_EASTER: ReadonlyArray<readonly [days: number, name: string]> = [
  [1, 'Lundi de Pâques'],
  [39, 'Ascension'],
  [50, 'Lundi de Pentecôte'],
];

/** The holiday's name on that calendar day, or null. */
export function frenchHoliday(year: number, month: number, day: number): string | null {
  for (const [m, d, name] of FIXED) if (m === month && d === day) return name;
  const date = Date.UTC(year, month - 1, day);
  const easter = easterSunday(year);
  for (const [offset, name] of AFTER_EASTER) if (easter + offset * 86_400_000 === date) return name;
  return null;
}
