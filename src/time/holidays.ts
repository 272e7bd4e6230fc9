/**
 * Public holidays by country, pure: the fixed ones and those that follow Easter. Used by the business's opening
 * hours (policies' `hours: open | closed`) and by the dossier's French rules (Décret 2022-1313 forbids
 * telemarketing on French public holidays as on weekends). Regional and patron-saint days (Milan's 7 December,
 * Rome's 29 June, Alsace-Moselle's Good Friday) are local: a business adds its own in `businessHours.closed`.
 */
import { DAY_MS } from './units.js';

/** Countries whose public holidays crocetta knows. */
export const HOLIDAY_COUNTRIES = ['IT', 'FR'] as const;
export type HolidayCountry = (typeof HOLIDAY_COUNTRIES)[number];

interface Fixed {
  month: number;
  day: number;
  name: string;
  /** First year it is a public holiday, when recent. */
  since?: number;
}

const FIXED: Readonly<Record<HolidayCountry, readonly Fixed[]>> = {
  // Legge 260/1949 and later amendments.
  IT: [
    { month: 1, day: 1, name: 'Capodanno' },
    { month: 1, day: 6, name: 'Epifania' },
    { month: 4, day: 25, name: 'Festa della Liberazione' },
    { month: 5, day: 1, name: 'Festa del Lavoro' },
    { month: 6, day: 2, name: 'Festa della Repubblica' },
    { month: 8, day: 15, name: 'Ferragosto' },
    // San Francesco d'Assisi e Santa Caterina da Siena, a national holiday again from 2026 (Legge 151/2025).
    { month: 10, day: 4, name: 'San Francesco', since: 2026 },
    { month: 11, day: 1, name: 'Ognissanti' },
    { month: 12, day: 8, name: 'Immacolata' },
    { month: 12, day: 25, name: 'Natale' },
    { month: 12, day: 26, name: 'Santo Stefano' },
  ],
  // Code du travail art. L3133-1.
  FR: [
    { month: 1, day: 1, name: "Jour de l'an" },
    { month: 5, day: 1, name: 'Fête du Travail' },
    { month: 5, day: 8, name: 'Victoire 1945' },
    { month: 7, day: 14, name: 'Fête nationale' },
    { month: 8, day: 15, name: 'Assomption' },
    { month: 11, day: 1, name: 'Toussaint' },
    { month: 11, day: 11, name: 'Armistice 1918' },
    { month: 12, day: 25, name: 'Noël' },
  ],
};

/** Days after Easter Sunday (0 = Easter itself). */
const AFTER_EASTER: Readonly<Record<HolidayCountry, ReadonlyArray<readonly [days: number, name: string]>>> = {
  IT: [
    [0, 'Pasqua'],
    [1, "Lunedì dell'Angelo"],
  ],
  FR: [
    [1, 'Lundi de Pâques'],
    [39, 'Ascension'],
    [50, 'Lundi de Pentecôte'],
  ],
};

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

/** The country's public holiday on that calendar day (its local name), or null. */
export function publicHoliday(country: HolidayCountry, year: number, month: number, day: number): string | null {
  for (const f of FIXED[country])
    if (f.month === month && f.day === day && (f.since === undefined || year >= f.since)) return f.name;
  const date = Date.UTC(year, month - 1, day);
  const easter = easterSunday(year);
  for (const [offset, name] of AFTER_EASTER[country]) if (easter + offset * DAY_MS === date) return name;
  return null;
}

/** French public holidays (jours fériés): the dossier's FR rules. */
export function frenchHoliday(year: number, month: number, day: number): string | null {
  return publicHoliday('FR', year, month, day);
}
