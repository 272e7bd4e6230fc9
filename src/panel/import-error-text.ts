/**
 * An import's errors in the page's language. The readers (src/sharing) write each error once, in English, as the
 * CLI and the JSON API show it; the Italian import page says the same in Italian, rebuilt from the English
 * sentence's known shapes. What it does not know (a new message, a parser's own words) stays English, whole:
 * never a half-translated or made-up sentence. Values from the file (a bad cell, a tag name) are kept as they are;
 * the page escapes them.
 */
import type { Lang } from './i18n.js';

type Rule = readonly [RegExp, (m: RegExpExecArray) => string];

/** normalizeNumber's flags in a dropped row's "not a phone number (flag)". */
const NUMBER_FLAGS: Record<string, string> = {
  unparsable: 'illeggibile',
  'not-a-number': 'contiene lettere',
  'too-short': 'troppo corto',
  'too-long': 'troppo lungo',
  'short-code': 'numero breve',
  invalid: 'non valido',
};

const CELL_RULES: readonly Rule[] = [
  [/^required$/, () => 'obbligatorio'],
  [/^expected text$/, () => 'atteso un testo'],
  [/^longer than (\d+) characters$/, (m) => `più lungo di ${m[1]} caratteri`],
  [/^expected one of (.+), got (".*")$/s, (m) => `atteso uno tra ${m[1]}, trovato ${m[2]}`],
  [/^not valid JSON$/, () => 'JSON non valido'],
  [/^expected an ISO 8601 time such as (\S+)$/, (m) => `attesa un'ora ISO 8601 come ${m[1]}`],
  [/^not a valid time$/, () => 'non è un orario valido'],
  [/^expected true or false$/, () => 'atteso true o false'],
  [/^expected a number$/, () => 'atteso un numero'],
  [/^not a field of a (\w+) record$/, (m) => `non è un campo di un record ${m[1]}`],
  [
    /^expected E\.164 \(\+39\.\.\.\) or raw:\.\.\., got (".*")$/s,
    (m) => `atteso E.164 (+39...) o raw:..., trovato ${m[1]}`,
  ],
  [
    /^expected mark, history, attempt or called, got (".*")$/s,
    (m) => `atteso mark, history, attempt o called, trovato ${m[1]}`,
  ],
];

const RULES: readonly Rule[] = [
  // Rows.
  [
    /^not a phone number \(([\w-]+)\)(: ".*")?$/s,
    (m) => `non è un numero di telefono (${NUMBER_FLAGS[m[1] ?? ''] ?? m[1]})${m[2] ?? ''}`,
  ],
  [/^number not valid in its country(: ".*")?$/s, (m) => `numero non valido nel suo paese${m[1] ?? ''}`],
  [/^expected at least (\d+) CDR fields, found (\d+)$/, (m) => `servono almeno ${m[1]} campi CDR, trovati ${m[2]}`],
  [/^start: expected YYYY-MM-DD hh:mm:ss, got (".*")$/s, (m) => `start: atteso AAAA-MM-GG hh:mm:ss, trovato ${m[1]}`],
  [/^BEGIN:VCARD without END:VCARD$/, () => 'BEGIN:VCARD senza END:VCARD'],
  [/^the file ends inside a card \(truncated\?\)$/, () => 'il file finisce dentro una scheda (troncato?)'],
  [/^not valid JSON \(truncated line\?\)$/, () => 'JSON non valido (riga troncata?)'],
  [/^expected a JSON object$/, () => 'atteso un oggetto JSON'],
  [
    /^expected (\d+) cells, found (\d+) \(truncated row\?\)$/,
    (m) => `attese ${m[1]} celle, trovate ${m[2]} (riga troncata?)`,
  ],
  // Whole files.
  [/^XML with a DOCTYPE \(DTD, entities\) is refused$/, () => 'XML con un DOCTYPE (DTD, entità): rifiutato'],
  [/^not a FRITZ!Box phonebook \(root (<.*>)\)$/s, (m) => `non è una rubrica FRITZ!Box (radice ${m[1]})`],
  [/^not well-formed XML: (.*)$/s, (m) => `XML non ben formato: ${m[1]}`],
  [/^empty file: no phonebook$/, () => 'file vuoto: nessuna rubrica'],
  [
    /^not an FTC Do Not Call complaints file: expected the header (.*)$/s,
    (m) => `non è un file di segnalazioni FTC Do Not Call: attesa l'intestazione ${m[1]}`,
  ],
  [/^the file is UTF-16: save it as UTF-8$/, () => 'il file è in UTF-16: salvalo in UTF-8'],
  [
    /^not UTF-8 text \(wrong encoding\? save the file as UTF-8\)$/,
    () => 'non è testo UTF-8 (codifica sbagliata? salva il file in UTF-8)',
  ],
  [
    /^the file ends in the middle of a UTF-8 character \(truncated\?\)$/,
    () => 'il file finisce a metà di un carattere UTF-8 (troncato?)',
  ],
  [/^not valid CSV: (.*)$/s, (m) => `CSV non valido: ${m[1]}`],
  [
    /^not a crocetta export \(expected (\S+) on the first line\)$/,
    (m) => `non è un export di crocetta (atteso ${m[1]} nella prima riga)`,
  ],
  [
    /^not a crocetta export \(the first line is not JSON\)$/,
    () => 'non è un export di crocetta (la prima riga non è JSON)',
  ],
  [
    /^the format version is missing or not a whole number$/,
    () => 'la versione del formato manca o non è un numero intero',
  ],
  [
    /^format version (\d+) was written by a newer crocetta \(this one reads up to (\d+)\)$/,
    (m) => `la versione ${m[1]} del formato è di un crocetta più recente (questo legge fino alla ${m[2]})`,
  ],
  [/^empty file$/, () => 'file vuoto'],
  [/^the header row must start with "type"$/, () => 'la riga di intestazione deve cominciare con "type"'],
  [/^unknown columns: (.*)$/s, (m) => `colonne sconosciute: ${m[1]}`],
  [/^empty file or no header row$/, () => 'file vuoto o senza riga di intestazione'],
  // The job (import-jobs.ts).
  [/^the file is larger than (\d+) bytes$/, (m) => `il file è più grande di ${m[1]} byte`],
  [/^internal error$/, () => 'errore interno (il registro del servizio dice quale)'],
  [/^the request body is empty: send the file as the body$/, () => 'il file è vuoto'],
];

/** A field's error from the crocetta format's records ("time: not a valid time"). */
function cellError(text: string): string | null {
  const m = /^([a-z_]+): (.*)$/s.exec(text);
  if (m === null) return null;
  const [, field = '', rest = ''] = m;
  for (const [re, say] of CELL_RULES) {
    const found = re.exec(rest);
    if (found !== null) return `${field}: ${say(found)}`;
  }
  return null;
}

/** One import error (a row's or the file's reason) as the page's language says it. */
export function importErrorText(lang: Lang, reason: string): string {
  if (lang === 'en') return reason;
  for (const [re, say] of RULES) {
    const m = re.exec(reason);
    if (m !== null) return say(m);
  }
  return cellError(reason) ?? reason;
}
