/**
 * The nuisance list as a table Kamailio's `htable` module loads at start (and on `htable.reload`): a db_text
 * table file (Kamailio's `db_text` module: one directory per database, one file per table, a first line that
 * declares the columns, then one row per line with `:` between fields). The columns are the htable module's
 * defaults (key_name, key_type, value_type, key_value, expires), as in Kamailio's own `htable` table definition.
 *
 * One row per number, keyed by its E.164 form with the `+` (`+390212345678`), the form crocetta keys its register
 * on; the recipe in docs/pbx/kamailio-front.md normalises the caller to the same form before the lookup. The value
 * is what Kamailio logs when it refuses a call: the company, else the category, else `nuisance`, with every
 * character db_text would need escaped (`:`, `\`, control characters) left out.
 */
import type { Writable } from 'node:stream';

export interface HtableEntry {
  /** E.164 with the leading `+`. */
  number: string;
  /** Company or category shown in Kamailio's log; empty gives `nuisance`. */
  label: string;
}

/** The htable module's default column names, as in Kamailio's db_text `htable` table (kamctl dbtext schema). */
export const HTABLE_HEADER = 'key_name(str) key_type(int) value_type(int) key_value(str) expires(int)\n';

const E164 = /^\+[1-9]\d{1,14}$/;
const VALUE_MAX = 64;

/** A value db_text reads back unchanged: no field separator, no escape character, no control characters. */
export function htableValue(label: string): string {
  const clean = label
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}:\\]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const cut = [...clean].slice(0, VALUE_MAX).join('').trim();
  return cut === '' ? 'nuisance' : cut;
}

/**
 * Writes the table. Numbers that are not E.164 are left out (Kamailio could never match them), and counted in
 * `skipped`. Waits for 'drain' when the stream asks, so memory stays bounded on a million numbers.
 */
export async function writeKamailioHtable(
  out: Writable,
  entries: AsyncIterable<HtableEntry> | Iterable<HtableEntry>,
): Promise<{ written: number; skipped: number }> {
  const write = (s: string): Promise<void> => {
    if (out.write(s)) return Promise.resolve();
    // A reader that goes away (an HTTP client closing) ends the export instead of leaving it waiting forever.
    return new Promise<void>((resolve, reject) => {
      const done = (err?: Error): void => {
        out.off('drain', onDrain);
        out.off('close', onClose);
        out.off('error', done);
        if (err) reject(err);
        else resolve();
      };
      const onDrain = (): void => done();
      const onClose = (): void => done(new Error('the reader closed the stream'));
      out.once('drain', onDrain);
      out.once('close', onClose);
      out.once('error', done);
    });
  };
  await write(HTABLE_HEADER);
  let written = 0;
  let skipped = 0;
  let chunk = '';
  for await (const e of entries) {
    if (!E164.test(e.number)) {
      skipped++;
      continue;
    }
    chunk += `${e.number}:0:0:${htableValue(e.label)}:0\n`;
    written++;
    if (chunk.length >= 65536) {
      await write(chunk);
      chunk = '';
    }
  }
  if (chunk !== '') await write(chunk);
  return { written, skipped };
}
