import { publicHoliday, type HolidayCountry } from '../time/holidays.js';
import { wallClock } from '../time/zoned-time.js';
import type { BusinessHours } from './learning.js';

/**
 * "Is the business open at this instant?" in its time zone: per-weekday opening intervals, the public holidays of
 * its country and its own closed days. Wall-clock time comes from Intl once per 15-minute slot (every zone's
 * offset is a multiple of 15 minutes, so a slot never straddles a change) and is memoized; the rest is arithmetic.
 * On the spring DST change the skipped hour simply never occurs; on the autumn one the repeated hour is judged
 * twice by the same wall-clock intervals.
 */

/** [open, close) in minutes from local midnight; close may be 1440 (24:00). */
export type Interval = readonly [open: number, close: number];

export interface OpeningHours {
  timeZone: string;
  /** Opening intervals per ISO weekday: week[1] = Monday … week[7] = Sunday; [] = closed all day. */
  week: ReadonlyArray<readonly Interval[]>;
  /** Public holidays of this country close the business all day; null = none. */
  holidays: HolidayCountry | null;
  /** The business's own closed days: `YYYY-MM-DD`, `MM-DD` (every year) or `YYYY-MM-DD..YYYY-MM-DD`. */
  closed: readonly string[];
}

export type OpenState =
  | { open: true }
  | { open: false; why: 'hours' }
  | { open: false; why: 'holiday'; holiday: string }
  | { open: false; why: 'closed-day'; day: string };

/** "Is this instant inside business hours?" */
export type HoursCheck = (ms: number) => boolean;

const SLOT_MS = 15 * 60_000;
const MAX_SLOTS = 8192;

interface SlotFacts {
  weekday: number;
  /** Minute of the day at the slot's start. */
  minute: number;
  /** The whole day's closure (holiday or closed day), or null. */
  dayClosed: OpenState | null;
}

const pad = (n: number) => String(n).padStart(2, '0');

function closedDayMatcher(closed: readonly string[]): (date: string) => string | null {
  const days = new Set<string>();
  const ranges: Array<readonly [string, string, string]> = [];
  for (const entry of closed) {
    const [from, to] = entry.split('..');
    if (to !== undefined && from !== undefined) ranges.push([from, to, entry]);
    else days.add(entry);
  }
  return (date) => {
    if (days.has(date)) return date;
    if (days.has(date.slice(5))) return date.slice(5);
    for (const [from, to, entry] of ranges) if (date >= from && date <= to) return entry;
    return null;
  };
}

/**
 * The states of an ordinary day, one object each, shared (frozen) like a day's closure: a policy rule with hours asks
 * for the state at every call it is tried on, and a new object each time was garbage a call.
 */
const OPEN: OpenState = Object.freeze({ open: true });
const OUT_OF_HOURS: OpenState = Object.freeze({ open: false, why: 'hours' });

/** The business's state at an instant: open, or closed and why. Throws a RangeError for an unknown zone. */
export function openingHoursCheck(hours: OpeningHours): (ms: number) => OpenState {
  wallClock(0, hours.timeZone);
  const closedOn = closedDayMatcher(hours.closed);
  const memo = new Map<number, SlotFacts>();
  const slotFacts = (slot: number): SlotFacts => {
    const known = memo.get(slot);
    if (known !== undefined) return known;
    const w = wallClock(slot * SLOT_MS, hours.timeZone);
    const date = `${w.year}-${pad(w.month)}-${pad(w.day)}`;
    const holiday = hours.holidays === null ? null : publicHoliday(hours.holidays, w.year, w.month, w.day);
    const closedDay = holiday === null ? closedOn(date) : null;
    const dayClosed: OpenState | null =
      holiday !== null
        ? { open: false, why: 'holiday', holiday }
        : closedDay !== null
          ? { open: false, why: 'closed-day', day: closedDay }
          : null;
    const facts = { weekday: w.weekday, minute: w.minuteOfDay, dayClosed };
    if (memo.size >= MAX_SLOTS) memo.clear();
    memo.set(slot, facts);
    return facts;
  };
  return (ms) => {
    const slot = Math.floor(ms / SLOT_MS);
    const facts = slotFacts(slot);
    if (facts.dayClosed !== null) return facts.dayClosed;
    const minute = facts.minute + Math.floor((ms - slot * SLOT_MS) / 60_000);
    for (const [open, close] of hours.week[facts.weekday] ?? []) if (minute >= open && minute < close) return OPEN;
    return OUT_OF_HOURS;
  };
}

/** The same intervals on each of `days` (ISO weekdays), no holidays: the learned off-hours evidence's shape. */
export function weeklyHours(hours: BusinessHours, timeZone: string): OpeningHours {
  const week: Interval[][] = [];
  for (let d = 0; d <= 7; d++)
    week.push(hours.days.includes(d) ? hours.intervals.map(([o, c]) => [o, c] as const) : []);
  return { timeZone, week, holidays: null, closed: [] };
}

export function businessHoursCheck(hours: BusinessHours, timeZone: string): HoursCheck {
  const state = openingHoursCheck(weeklyHours(hours, timeZone));
  return (ms) => state(ms).open;
}

/** "08:30" → 510; throws on a malformed time. */
export function minutesOf(text: string): number {
  const m = /^([01]?\d|2[0-4]):([0-5]\d)$/.exec(text.trim());
  if (m === null) throw new Error(`expected a time such as 08:30, got "${text}"`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** "08:30-13:00" → [510, 780]; throws on a malformed range. */
export function intervalOf(text: string): Interval {
  const [open, close] = text.split('-');
  return [minutesOf(open ?? ''), minutesOf(close ?? '')];
}
