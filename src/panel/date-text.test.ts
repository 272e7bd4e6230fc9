import { describe, expect, it } from 'vitest';
import { closedDayFromTyped, isoDayFromTyped, typedFromClosedDay, typedFromIsoDay } from './date-text.js';

describe('the date fields read a day as the office types it, day first', () => {
  it.each([
    ['04/12/2026', '2026-12-04'],
    ['4/12/2026', '2026-12-04'],
    ['4/1/2026', '2026-01-04'],
    ['04.12.2026', '2026-12-04'],
    ['04-12-2026', '2026-12-04'],
    ['4 12 2026', '2026-12-04'],
    ['04/12/26', '2026-12-04'],
    ['04122026', '2026-12-04'],
    [' 31/12/2026 ', '2026-12-31'],
    ['29/02/2028', '2028-02-29'],
    ['2026-12-04', '2026-12-04'], // the URL's ISO day, a bookmark's
  ])('%s is %s', (typed, iso) => {
    expect(isoDayFromTyped(typed)).toBe(iso);
  });

  it.each(['12/31/2026', '31/11/2026', '29/02/2026', '2026-11-31', '4/12', 'ieri', '', '04/12/202', '2026/12/04'])(
    'refuses %j: no such day, or not day first',
    (typed) => {
      expect(isoDayFromTyped(typed)).toBeNull();
    },
  );

  it('writes a day back as it is typed, and leaves anything else as given', () => {
    expect(typedFromIsoDay('2026-12-04')).toBe('04/12/2026');
    expect(typedFromIsoDay('31/13/2026')).toBe('31/13/2026');
  });
});

describe("the opening hours' closed days, typed and shown day first", () => {
  it.each([
    ['24/12/2026', '2026-12-24'],
    ['31-12-2026', '2026-12-31'],
    ['24/12', '12-24'],
    ['1.5', '05-01'],
    // A dash is day first too, as an Italian writes 5 June: not the configuration's MM-DD (6 May).
    ['05-06', '06-05'],
    ['24-12', '12-24'],
    ['29-02', '02-29'],
    ['10/08/2026..21/08/2026', '2026-08-10..2026-08-21'],
    ['10/08/2026 .. 21/08/2026', '2026-08-10..2026-08-21'],
    // The configuration file's forms, as they are.
    ['2026-12-24', '2026-12-24'],
    ['12-24', '12-24'],
    ['2026-08-10..2026-08-21', '2026-08-10..2026-08-21'],
  ])('%s is %s', (typed, entry) => {
    expect(closedDayFromTyped(typed)).toBe(entry);
  });

  it.each(['31/02/2026', '31/02', '31-02', '13-13', 'natale', '10/08/2026..ieri'])(
    '%j stays as typed (the schema refuses it)',
    (typed) => {
      expect(closedDayFromTyped(typed)).toBe(typed);
    },
  );

  it('shows each form day first, and reads back what it shows', () => {
    for (const [entry, shown] of [
      ['2026-12-24', '24/12/2026'],
      ['12-24', '24/12'],
      ['2026-08-10..2026-08-21', '10/08/2026..21/08/2026'],
    ] as const) {
      expect(typedFromClosedDay(entry)).toBe(shown);
      expect(closedDayFromTyped(shown)).toBe(entry);
    }
  });
});
