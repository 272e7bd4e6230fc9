/** The import formats by name, each a reader from a byte stream to records. */
import type { Readable } from 'node:stream';
import type { MarkLabel } from '../screening/types.js';
import { readCsv, readJsonLines } from './crocetta-format.js';
import { readAsteriskCdr } from './formats/asterisk-cdr.js';
import { readFritzbox } from './formats/fritzbox.js';
import { readFtc } from './formats/ftc.js';
import { readPlainList } from './formats/plain-list.js';
import { readVcard } from './formats/vcard.js';
import type { SourceItem } from './import.js';

export const IMPORT_FORMATS = ['json', 'csv', 'ftc', 'fritzbox', 'vcard', 'list', 'asterisk-cdr'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export function isImportFormat(s: string): s is ImportFormat {
  return (IMPORT_FORMATS as readonly string[]).includes(s);
}

export interface SourceOptions {
  country: string;
  timeZone: string;
  now: number;
  /** vcard, list, fritzbox: what the numbers are. Defaults: vcard trusted (contacts), the others nuisance. */
  as?: MarkLabel;
  category?: string | null;
}

/**
 * The reader for `format`, the `by` of the history entries its marks get (own formats carry their own), and where the
 * marks it writes say they came from (numbers.mark_source: `import:<format>`, a crocetta export's too).
 */
export function openSource(
  format: ImportFormat,
  input: Readable,
  o: SourceOptions,
): { items: AsyncIterable<SourceItem>; historyBy?: string; markSource: string } {
  const opened = openItems(format, input, o);
  return { ...opened, markSource: opened.historyBy ?? `import:${format}` };
}

function openItems(
  format: ImportFormat,
  input: Readable,
  o: SourceOptions,
): { items: AsyncIterable<SourceItem>; historyBy?: string } {
  const marks = (label: MarkLabel) => ({
    label: o.as ?? label,
    country: o.country,
    now: o.now,
    category: o.category ?? null,
  });
  switch (format) {
    case 'json':
      return { items: readJsonLines(input) };
    case 'csv':
      return { items: readCsv(input) };
    case 'ftc':
      return { items: readFtc(input, { now: o.now }), historyBy: 'import:ftc' };
    case 'fritzbox':
      return { items: readFritzbox(input, marks('nuisance')), historyBy: 'import:fritzbox' };
    case 'vcard':
      return { items: readVcard(input, marks('trusted')), historyBy: 'import:vcard' };
    case 'list':
      return { items: readPlainList(input, marks('nuisance')), historyBy: 'import:list' };
    case 'asterisk-cdr':
      return { items: readAsteriskCdr(input, { country: o.country, timeZone: o.timeZone }), historyBy: 'import:cdr' };
  }
}
