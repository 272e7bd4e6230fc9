/**
 * Wall-clock time in a named zone (pure, Intl only), shared by the register's local days and the dossier's rules:
 * the weekday and minute of a call in Paris, a zone's UTC offset, "the same local time N days later" across a DST
 * change, and ISO 8601 with the zone's offset.
 */

export interface WallClock {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
  /** 1 = Monday … 7 = Sunday */
  weekday: number;
  /** minutes since local midnight */
  minuteOfDay: number;
  second: number;
}

const WEEKDAYS: Readonly<Record<string, number>> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Throws a RangeError for an unknown zone. */
export function wallClock(ms: number, timeZone: string): WallClock {
  const p: Record<string, string> = {};
  for (const part of formatter(timeZone).formatToParts(new Date(ms))) p[part.type] = part.value;
  return {
    year: Number(p.year),
    month: Number(p.month),
    day: Number(p.day),
    weekday: WEEKDAYS[p.weekday ?? ''] ?? 0,
    minuteOfDay: Number(p.hour) * 60 + Number(p.minute),
    second: Number(p.second),
  };
}

/** The zone's offset from UTC at `ms`, in ms (Europe/Paris: +3600000 in winter, +7200000 in summer). */
export function offsetMs(ms: number, timeZone: string): number {
  const w = wallClock(ms, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, Math.floor(w.minuteOfDay / 60), w.minuteOfDay % 60, w.second);
  return asUtc - (ms - (((ms % 1000) + 1000) % 1000));
}

/** The instant of a local wall time given as if it were UTC (`Date.UTC(...)` of the local fields). */
export function fromWall(wallAsUtc: number, timeZone: string): number {
  const first = wallAsUtc - offsetMs(wallAsUtc, timeZone);
  return wallAsUtc - offsetMs(first, timeZone);
}

/**
 * The same local wall time `days` calendar days later: 60 days after 10:00 on 1 March is 10:00 on 30 April in
 * Paris, although the clocks moved forward in between (so 60 × 24 h would land at 11:00).
 */
export function addLocalDays(ms: number, days: number, timeZone: string): number {
  const w = wallClock(ms, timeZone);
  const wall = Date.UTC(
    w.year,
    w.month - 1,
    w.day + days,
    Math.floor(w.minuteOfDay / 60),
    w.minuteOfDay % 60,
    w.second,
    ((ms % 1000) + 1000) % 1000,
  );
  return fromWall(wall, timeZone);
}

/** True when `YYYY-MM-DD` names a day of the calendar: not 2026-11-31, 2026-02-29 or 2026-13-01. */
export function isCalendarDay(date: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (m === null) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const back = new Date(Date.UTC(y, mo - 1, d));
  return back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d;
}

/**
 * `Date.parse` of a date or time a person or a file gave (ISO 8601), NaN when it is not one. Unlike `Date.parse`
 * alone, a day that does not exist is refused: `Date.parse` reads 2026-11-31 as 1 December and 2026-02-30 as
 * 2 March, so a typing error would silently move a period by days.
 */
export function parseDateTime(text: string): number {
  const day = /^(\d{4}-\d{2}-\d{2})(?:$|[T ])/.exec(text);
  if (day !== null && !isCalendarDay(day[1] ?? '')) return NaN;
  return Date.parse(text);
}

/** Local midnight starting a `YYYY-MM-DD` day, plus `days`; undefined for a malformed date or one not in the calendar. */
export function localDayStart(date: string, timeZone: string, days = 0): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (m === null || !isCalendarDay(date)) return undefined;
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + days);
  if (!Number.isFinite(wall)) return undefined;
  return fromWall(wall, timeZone);
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** ISO 8601 with the zone's offset: `2026-11-05T09:30:00+01:00`. */
export function isoWithOffset(ms: number, timeZone: string): string {
  const w = wallClock(ms, timeZone);
  const off = Math.round(offsetMs(ms, timeZone) / 60_000);
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}T${pad(Math.floor(w.minuteOfDay / 60))}:${pad(w.minuteOfDay % 60)}:${pad(w.second)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** `YYYY-MM-DD` of the local day of `ms`. */
export function localDate(ms: number, timeZone: string): string {
  return isoWithOffset(ms, timeZone).slice(0, 10);
}

/** "HH:MM" of a minute of the day. */
export function hhmm(minuteOfDay: number): string {
  return `${pad(Math.floor(minuteOfDay / 60))}:${pad(minuteOfDay % 60)}`;
}
