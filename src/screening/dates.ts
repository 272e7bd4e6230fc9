/**
 * Dates in reasons, written the way office staff read them: "3 Nov 2026", or "3 Nov" for recent events.
 *
 * Intl gives the calendar day in the configured time zone; month names come from our own table because ICU's
 * en-GB data changes between releases ("Sep" became "Sept"), and reasons must read the same on every Node.
 * One formatter per time zone, built once: constructing Intl.DateTimeFormat costs tens of microseconds, and
 * formatting a date a few; so calendar days are also memoized per 15-minute slot (every time zone's offset is a
 * multiple of 15 minutes, so a slot never straddles midnight). The same marks and refusals come back call after
 * call, so the memo turns a classification with a date from ~3 µs into well under 1 µs.
 */
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

export interface DayFormatter {
  /** "3 Nov 2026" */
  dayMonthYear(ms: number): string;
  /** "3 Nov" */
  dayMonth(ms: number): string;
}

interface CalendarDay {
  day: string;
  month: string;
  year: string;
}

const cache = new Map<string, DayFormatter>();
const SLOT_MS = 15 * 60_000;
/** Bounds the memo per time zone; on overflow it is simply cleared (a few µs to refill the hot entries). */
const MAX_SLOTS = 8192;

/** Throws a RangeError for an unknown time zone, so a bad config fails at start-up rather than per call. */
export function dayFormatter(timeZone: string): DayFormatter {
  const cached = cache.get(timeZone);
  if (cached) return cached;
  const intl = new Intl.DateTimeFormat('en-GB', { timeZone, day: 'numeric', month: 'numeric', year: 'numeric' });
  const memo = new Map<number, CalendarDay>();
  const parts = (ms: number): CalendarDay => {
    const slot = Math.floor(ms / SLOT_MS);
    const known = memo.get(slot);
    if (known) return known;
    const out: CalendarDay = { day: '?', month: '?', year: '?' };
    for (const part of intl.formatToParts(ms)) {
      if (part.type === 'day') out.day = String(Number(part.value));
      else if (part.type === 'month') out.month = MONTHS[Number(part.value) - 1] ?? part.value;
      else if (part.type === 'year') out.year = part.value;
    }
    if (memo.size >= MAX_SLOTS) memo.clear();
    memo.set(slot, out);
    return out;
  };
  const formatter: DayFormatter = {
    dayMonthYear(ms) {
      const p = parts(ms);
      return `${p.day} ${p.month} ${p.year}`;
    },
    dayMonth(ms) {
      const p = parts(ms);
      return `${p.day} ${p.month}`;
    },
  };
  cache.set(timeZone, formatter);
  return formatter;
}
