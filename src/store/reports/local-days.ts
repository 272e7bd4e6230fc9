import { DAY_MS } from '../../time/units.js';
/**
 * Local calendar days in the business's time zone, as whole numbers (days since 1970-01-01 in that zone), so that
 * "today", "this week" and the per-day aggregates agree with the office's wall clock across DST changes.
 * SQLite cannot convert time zones, so the zone's UTC offsets are written once into `time_zone_offsets` and the
 * aggregate trigger looks the offset up there; JS uses the same offsets through Intl.
 */

import { isCalendarDay, offsetMs } from '../../time/zoned-time.js';

export { DAY_MS } from '../../time/units.js';

/** The zone's offset from UTC at `ms`, in ms (Europe/Rome: 3600000 in winter, 7200000 in summer). */
export const utcOffsetMs: (ms: number, timeZone: string) => number = offsetMs;

/** The local day number of an instant. */
export function localDay(ms: number, timeZone: string): number {
  return Math.floor((ms + utcOffsetMs(ms, timeZone)) / DAY_MS);
}

/** The instant a local day starts (its local midnight), in ms since epoch. */
export function dayStart(day: number, timeZone: string): number {
  const guess = day * DAY_MS;
  // The offset at local midnight; two passes settle a DST change on that day.
  let start = guess - utcOffsetMs(guess, timeZone);
  start = guess - utcOffsetMs(start, timeZone);
  return start;
}

/** `YYYY-MM-DD` of a local day number. */
export function dayIso(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** The local day number of a `YYYY-MM-DD` date, or undefined when it is not one. */
export function dayFromIso(text: string): number | undefined {
  if (!isCalendarDay(text)) return undefined;
  const ms = Date.parse(`${text}T00:00:00Z`);
  return Number.isFinite(ms) ? ms / DAY_MS : undefined;
}

/** Monday of the week of a local day (weeks start on Monday, as in Italy and ISO 8601). */
export function weekStart(day: number): number {
  return day - ((day + 3) % 7); // day 0 (1970-01-01) was a Thursday
}

export interface OffsetChange {
  /** From this instant on (ms since epoch)... */
  sinceMs: number;
  /** ...the zone is this far from UTC (ms). */
  offsetMs: number;
}

/**
 * Every change of the zone's UTC offset between the two years, with a first entry covering all time before.
 * Sampled weekly (zones never change twice in a week), each change found to the second by bisection.
 */
export function offsetChanges(timeZone: string, fromYear = 1990, toYear = 2100): OffsetChange[] {
  const WEEK = 7 * DAY_MS;
  let t = Date.UTC(fromYear, 0, 1);
  const end = Date.UTC(toYear, 0, 1);
  let offset = utcOffsetMs(t, timeZone);
  const changes: OffsetChange[] = [{ sinceMs: -8.64e15, offsetMs: offset }];
  while (t < end) {
    const next = t + WEEK;
    const nextOffset = utcOffsetMs(next, timeZone);
    if (nextOffset !== offset) {
      let lo = t;
      let hi = next;
      while (hi - lo > 1000) {
        const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
        if (utcOffsetMs(mid, timeZone) === offset) lo = mid;
        else hi = mid;
      }
      changes.push({ sinceMs: hi, offsetMs: nextOffset });
      offset = nextOffset;
    }
    t = next;
  }
  return changes;
}
