import type { BusinessHours } from './learning.js';

/**
 * "Is this instant inside business hours?" in a time zone, fast: the weekday and minute of day come from Intl once
 * per 15-minute slot (every zone's offset is a multiple of 15 minutes) and are memoized, as in dates.ts.
 */
export type HoursCheck = (ms: number) => boolean;

const SLOT_MS = 15 * 60_000;
const MAX_SLOTS = 8192;
const WEEKDAYS: Readonly<Record<string, number>> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

export function businessHoursCheck(hours: BusinessHours, timeZone: string): HoursCheck {
  const intl = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const days = new Set(hours.days);
  /** slot → [weekday, minute of day at the slot's start] */
  const memo = new Map<number, number>();
  const slotStart = (slot: number): number => {
    const known = memo.get(slot);
    if (known !== undefined) return known;
    let weekday = 0;
    let hour = 0;
    let minute = 0;
    for (const part of intl.formatToParts(slot * SLOT_MS)) {
      if (part.type === 'weekday') weekday = WEEKDAYS[part.value] ?? 0;
      else if (part.type === 'hour') hour = Number(part.value);
      else if (part.type === 'minute') minute = Number(part.value);
    }
    const packed = weekday * 10_000 + hour * 60 + minute;
    if (memo.size >= MAX_SLOTS) memo.clear();
    memo.set(slot, packed);
    return packed;
  };
  return (ms) => {
    const slot = Math.floor(ms / SLOT_MS);
    const packed = slotStart(slot);
    const weekday = Math.floor(packed / 10_000);
    if (!days.has(weekday)) return false;
    const minute = (packed % 10_000) + Math.floor((ms - slot * SLOT_MS) / 60_000);
    for (const [open, close] of hours.intervals) if (minute >= open && minute < close) return true;
    return false;
  };
}

/** "08:30" → 510; throws on a malformed time. */
export function minutesOf(text: string): number {
  const m = /^([01]?\d|2[0-4]):([0-5]\d)$/.exec(text.trim());
  if (m === null) throw new Error(`expected a time such as 08:30, got "${text}"`);
  return Number(m[1]) * 60 + Number(m[2]);
}
