/**
 * The panel's date fields as the office types them. A browser's own date input writes its date in the browser's
 * language, not the page's (an English Chromium shows mm/dd/yyyy on an Italian page, and 04/12/2026 typed there is
 * 12 April), so the panel's fields are text, written and read day first, as the panel writes every date (04/12/2026,
 * both languages): `gg/mm/aaaa` / `dd/mm/yyyy`. The URL keeps the ISO day (`?from=2026-12-04`), which is read too.
 */
import { isCalendarDay } from '../time/zoned-time.js';

/**
 * A day typed in a date field, as `YYYY-MM-DD`; null when it is no day. Day first: `4/12/2026`, `04.12.2026`,
 * `04-12-2026`, `4 12 2026`, `04/12/26` (20yy), `04122026`; or ISO, `2026-12-04`.
 */
export function isoDayFromTyped(typed: string): string | null {
  const text = typed.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return isCalendarDay(text) ? text : null;
  const m = /^(\d{1,2})[/.\- ]\s*(\d{1,2})[/.\- ]\s*(\d{4}|\d{2})$/.exec(text) ?? /^(\d{2})(\d{2})(\d{4})$/.exec(text);
  if (m === null) return null;
  const [, d = '', mo = '', y = ''] = m;
  const iso = `${y.length === 2 ? `20${y}` : y}-${mo.padStart(2, '0')}-${d.padStart(2, '0')}`;
  return isCalendarDay(iso) ? iso : null;
}

/**
 * A closed day of the opening hours as the office types it, day first as the panel writes dates: `24/12/2026`, `24/12`
 * or `24-12` (every year), `10/08/2026..21/08/2026`; the configuration's forms (`2026-12-24`, `2026-08-10..2026-08-21`)
 * as they are, and its `12-24` where day first reads no day. Returns the configuration's form, or the text as typed when it is none (the schema then says why).
 */
export function closedDayFromTyped(typed: string): string {
  const text = typed.trim();
  const range = /^(.+?)\s*\.\.\s*(.+)$/.exec(text);
  if (range !== null) {
    const [from, until] = [isoDayFromTyped(range[1] ?? ''), isoDayFromTyped(range[2] ?? '')];
    return from !== null && until !== null ? `${from}..${until}` : text;
  }
  const yearly = /^(\d{1,2})[/.-](\d{1,2})$/.exec(text);
  if (yearly !== null) {
    // Day first, as the panel writes it: 05-06 is 5 June, as 05/06 is. Where day first reads no day, the text as
    // typed: the configuration's own MM-DD (12-24) as it is, anything else for the schema to refuse.
    const dayFirst = `${(yearly[2] ?? '').padStart(2, '0')}-${(yearly[1] ?? '').padStart(2, '0')}`;
    return isYearlyDay(dayFirst) ? dayFirst : text;
  }
  return isoDayFromTyped(text) ?? text;
}

/** Whether `MM-DD` is a day of some year (29 February included). */
function isYearlyDay(monthDay: string): boolean {
  return isCalendarDay(`2000-${monthDay}`);
}

/** A closed day of the configuration as the office reads and types it: `24/12/2026`, `24/12`, `10/08/2026..21/08/2026`. */
export function typedFromClosedDay(entry: string): string {
  const range = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/.exec(entry);
  if (range !== null) return `${typedFromIsoDay(range[1] ?? '')}..${typedFromIsoDay(range[2] ?? '')}`;
  const yearly = /^(\d{2})-(\d{2})$/.exec(entry);
  return yearly === null ? typedFromIsoDay(entry) : `${yearly[2]}/${yearly[1]}`;
}

/** A `YYYY-MM-DD` day as the date fields show it, `04/12/2026`; anything else as given. */
export function typedFromIsoDay(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  return m === null ? iso : `${m[3]}/${m[2]}/${m[1]}`;
}
