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

/** A calendar day as reasons write it, both ways, written once per slot of the memo below. */
interface CalendarDay {
  /** "3 Nov" */
  dayMonth: string;
  /** "3 Nov 2026" */
  dayMonthYear: string;
}

const cache = new Map<string, DayFormatter>();
const SLOT_MS = 15 * 60_000;
/**
 * The memo per time zone, direct-mapped: 15-minute slot `n` is kept at `n % MEMO_SLOTS` (the last one written there
 * wins), 42 days of slots before two share a place. A Map of slots (cleared when full) was a hashed look-up per date
 * written, two or three a repeat caller's decision (bench:decide --history --cpu-prof: `parts` 3% of `screen()`).
 */
const MEMO_SLOTS = 4096;

/** Throws a RangeError for an unknown time zone, so a bad config fails at start-up rather than per call. */
export function dayFormatter(timeZone: string): DayFormatter {
  const cached = cache.get(timeZone);
  if (cached) return cached;
  const intl = new Intl.DateTimeFormat('en-GB', { timeZone, day: 'numeric', month: 'numeric', year: 'numeric' });
  // NaN: no slot is NaN (a non-finite time is never kept: Intl throws for it).
  const memoSlots = new Float64Array(MEMO_SLOTS).fill(Number.NaN);
  const memoDays: (CalendarDay | undefined)[] = new Array<CalendarDay | undefined>(MEMO_SLOTS).fill(undefined);
  const parts = (ms: number): CalendarDay => {
    const slot = Math.floor(ms / SLOT_MS);
    const at = slot & (MEMO_SLOTS - 1);
    if (memoSlots[at] === slot) return memoDays[at]!;
    let day = '?';
    let month = '?';
    let year = '?';
    for (const part of intl.formatToParts(ms)) {
      if (part.type === 'day') day = String(Number(part.value));
      else if (part.type === 'month') month = MONTHS[Number(part.value) - 1] ?? part.value;
      else if (part.type === 'year') year = part.value;
    }
    // Both texts written here, once per slot: a decision's reasons then take them as they are, no string built.
    const out: CalendarDay = { dayMonth: `${day} ${month}`, dayMonthYear: `${day} ${month} ${year}` };
    memoSlots[at] = slot;
    memoDays[at] = out;
    return out;
  };
  const formatter: DayFormatter = {
    dayMonthYear(ms) {
      return parts(ms).dayMonthYear;
    },
    dayMonth(ms) {
      return parts(ms).dayMonth;
    },
  };
  cache.set(timeZone, formatter);
  return formatter;
}

const MS_PER_DAY = 86_400_000;
/** 10000-01-01T00:00:00.000Z: from there on (and before 1970) `isoTime` leaves the writing to Date. */
const YEAR_10000 = 253_402_300_800_000;
const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
/** `HH:MM:` of each minute of a day, `SS.` of each second of a minute, `mmmZ` of each millisecond of a second. */
const MINUTE_TEXTS = Array.from(
  { length: 1440 },
  (_, m) => `${TWO_DIGITS[Math.floor(m / 60)]!}:${TWO_DIGITS[m % 60]!}:`,
);
const SECOND_TEXTS = Array.from({ length: 60 }, (_, s) => `${TWO_DIGITS[s]!}.`);
const MILLI_TEXTS = Array.from({ length: 1000 }, (_, ms) => `${String(ms).padStart(3, '0')}Z`);

/**
 * The date parts (`2026-11-03T`) of the days written lately, by day number, direct-mapped: slot `day % DAY_SLOTS`
 * holds the last day written there. Consecutive days fall in different slots, so the days of a look-back (a
 * decision writes the time of a refusal, a burst or a mark, from any of the last weeks) stay written once each; a
 * single memo of the last day, as before, was written again at each decision whose refusal fell on another day than
 * the previous decision's.
 */
const DAY_SLOTS = 64;
const slotDays = new Int32Array(DAY_SLOTS).fill(-1);
const slotTexts: string[] = new Array<string>(DAY_SLOTS).fill('');

/**
 * The times written lately, by whole millisecond, direct-mapped: slot `ms % TIME_SLOTS` holds the last time written
 * there and its text. A repeat caller's reasons write the same times call after call (its last refusal, an earlier
 * burst's or sweep's last call): each written once while it stays in its slot, where three concatenations a time
 * were ~65 bytes a repeat decision (bench:decide --history). NaN: no time is NaN.
 */
const TIME_SLOTS = 4096;
const slotTimes = new Float64Array(TIME_SLOTS).fill(Number.NaN);
const slotTimeTexts: string[] = new Array<string>(TIME_SLOTS).fill('');

/**
 * `new Date(ms).toISOString()` (`2026-11-03T09:00:00.000Z`) without a Date and the runtime's formatting, which cost
 * ~1 µs a call: the reasons' params carry one or two of these per decision (the mark's time, a refusal's). The
 * civil date from the day number is Howard Hinnant's `civil_from_days`. Four pieces written once (the day's, the
 * minute's, the second's, the millisecond's), so three concatenations a call where eight pieces took seven: 38
 * against 78 ns a call (a scratch loop over random times of a week, 5 Dec 2026). A fraction of a millisecond is
 * dropped, as Date drops it (TimeClip truncates; from 0 on that is the floor): bench:decide's history has such times,
 * which went to Date at each repeat reason. Times before 1970 or from the year 10000 on and non-finite values are
 * left to Date (which throws a RangeError for an invalid time).
 */
export function isoTime(ms: number): string {
  if (!(ms >= 0 && ms < YEAR_10000)) return new Date(ms).toISOString();
  // The whole milliseconds, as Date takes them; the rest is written from them alone.
  const whole = Math.floor(ms);
  const at = whole & (TIME_SLOTS - 1);
  if (slotTimes[at] === whole) return slotTimeTexts[at]!;
  const text = writeIsoTime(whole);
  slotTimes[at] = whole;
  slotTimeTexts[at] = text;
  return text;
}

/** isoTime of whole milliseconds (from 0, before the year 10000). */
function writeIsoTime(whole: number): string {
  const days = Math.floor(whole / MS_PER_DAY);
  let rest = whole - days * MS_PER_DAY;
  const slot = days & (DAY_SLOTS - 1);
  let dayText = slotTexts[slot]!;
  if (slotDays[slot] !== days) {
    dayText = civilDate(days);
    slotTexts[slot] = dayText;
    slotDays[slot] = days;
  }
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  rest -= seconds * 1000;
  return dayText + MINUTE_TEXTS[minutes]! + SECOND_TEXTS[seconds]! + MILLI_TEXTS[rest]!;
}

/** `YYYY-MM-DDT` of a day number since 1970-01-01 (≥ 0, before the year 10000). */
function civilDate(days: number): string {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return `${String(year).padStart(4, '0')}-${TWO_DIGITS[month]!}-${TWO_DIGITS[day]!}T`;
}
