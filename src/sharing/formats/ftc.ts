/**
 * The US FTC Do Not Call complaints CSV (`Company_Phone_Number, Created_Date, Violation_Date, Consumer_City,
 * Consumer_State, Consumer_Area_Code, Subject, Recorded_Message_Or_Robocall`): each complaint is a nuisance mark
 * on the number complained about (US numbers), its Subject mapped to a category; the latest complaint of a number
 * gives its category. Dirty rows (blank, short, 11–14-digit numbers, shifted columns) are kept out and counted.
 */
import type { Readable } from 'node:stream';
import type { SourceItem } from '../import.js';
import { InputError, csvRows } from '../text-input.js';
import { markItem, type MarkDefaults } from './mark-record.js';
import { parseDateTime } from '../../time/zoned-time.js';

const HEADER = [
  'Company_Phone_Number',
  'Created_Date',
  'Violation_Date',
  'Consumer_City',
  'Consumer_State',
  'Consumer_Area_Code',
  'Subject',
  'Recorded_Message_Or_Robocall',
];

/** FTC subjects (their start, lower-cased, spaces folded) → crocetta categories; unlisted ones get none. */
const SUBJECTS: ReadonlyArray<[string, string | null]> = [
  ['calls pretending to be government', 'impostor'],
  ['warranties', 'warranties'],
  ['reducing your debt', 'debt'],
  ['medical', 'medical'],
  ['energy', 'energy'],
  ['computer', 'tech-support'],
  ['vacation', 'travel'],
  ['charities', 'charity'],
  ['lotteries', 'lottery'],
  ['home improvement', 'home-improvement'],
  ['work from home', 'work-from-home'],
  ['home security', 'home-security'],
  ['dropped call', 'silent-call'],
  ['other', null],
  ['no subject provided', null],
];

export function ftcCategory(subject: string): string | null {
  const s = subject.toLowerCase().replace(/\s+/g, ' ').trim();
  for (const [start, category] of SUBJECTS) if (s.startsWith(start)) return category;
  return null;
}

/** `2021-07-07 00:01:15` (the FTC's, taken as UTC) → ms. */
function ftcTime(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(text)) return undefined;
  const ms = parseDateTime(`${text.replace(' ', 'T')}Z`);
  return Number.isFinite(ms) ? ms : undefined;
}

export async function* readFtc(
  input: Readable,
  d: Omit<MarkDefaults, 'label' | 'country'>,
): AsyncGenerator<SourceItem> {
  let header = true;
  for await (const { line, cells } of csvRows(input)) {
    if (header) {
      header = false;
      if (cells.map((c) => c.trim()).join(',') !== HEADER.join(',')) {
        throw new InputError(`not an FTC Do Not Call complaints file: expected the header ${HEADER.join(',')}`, line);
      }
      continue;
    }
    if (cells.length !== HEADER.length) {
      yield { line, dropped: 'malformed row' };
      continue;
    }
    const at = ftcTime(cells[1]);
    if (at === undefined) {
      yield { line, dropped: 'malformed row' };
      continue;
    }
    yield markItem(
      line,
      cells[0] ?? '',
      { ...d, label: 'nuisance', country: 'US' },
      { category: ftcCategory(cells[6] ?? ''), at },
    );
  }
}
