/** A plain list: one number per line; blank lines and lines starting with `#` are ignored. */
import type { Readable } from 'node:stream';
import type { SourceItem } from '../import.js';
import { textLines } from '../text-input.js';
import { markItem, type MarkDefaults } from './mark-record.js';

export async function* readPlainList(input: Readable, d: MarkDefaults): AsyncGenerator<SourceItem> {
  for await (const { line, text } of textLines(input)) {
    const t = text.trim();
    if (t === '' || t.startsWith('#')) continue;
    const item = markItem(line, t, d);
    // A plain list is written by a person: a line that is not a number is an error (or skipped with --lenient).
    yield 'dropped' in item && item.dropped !== 'blank number'
      ? { line, error: `${item.dropped}: ${JSON.stringify(t.slice(0, 40))}` }
      : item;
  }
}
