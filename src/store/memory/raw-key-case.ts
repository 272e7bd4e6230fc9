/**
 * One sender whatever the case it is typed in. A caller ID that is no number is kept under `raw:` and its text as
 * received (callerKey): a text message's sender ID (`raw:PROMO-ENERGIA`, `raw:IntesaSP`). GSM carries a sender ID
 * case-sensitively, but the office means one sender by `promo-energia` and `PROMO-ENERGIA`: a mark on one spelling
 * holds for the others (MarkTable), and a spelling typed in the panel, the API or the CLI names the one the register
 * keeps (keptSpelling, src/store/register/queries.ts). Only ASCII letters fold (what a sender ID is made of), so a raw
 * key folds as SQLite's NOCASE compares; an E.164 key has no letters and is never touched.
 */

const LOWER_ASCII = /[a-z]/;

/** A text with its ASCII letters in upper (`up`) or lower case, the rest as is. */
export function asciiCase(text: string, up: boolean): string {
  return up ? text.replace(/[a-z]+/g, (s) => s.toUpperCase()) : text.replace(/[A-Z]+/g, (s) => s.toLowerCase());
}

/** `raw:` and its text with ASCII letters in upper case: the same for every spelling of one sender. */
export function foldRawKey(key: string): string {
  const text = key.slice(4);
  if (!LOWER_ASCII.test(text)) return key;
  return `${key.slice(0, 4)}${asciiCase(text, true)}`;
}

/** Whether a `raw:` key has ASCII letters, so other spellings of it may name the same sender. */
export function hasLetters(key: string): boolean {
  return key.startsWith('raw:') && /[A-Za-z]/.test(key.slice(4));
}
