/**
 * An import's errors in the page's language. The readers (src/sharing) write each error once, in English, as the
 * CLI and the JSON API show it; the Italian import page says the same in Italian, rebuilt from the English
 * sentence's known shapes, the XML and CSV readers' own words included. What it does not know (a new message)
 * stays English, whole: never a half-translated or made-up sentence; an XML or CSV reader's message it does not
 * know is quoted, as the reader wrote it, after an Italian sentence that says what went wrong and what to do. Values from the file (a bad cell, a tag name) are kept as they are;
 * the page escapes them.
 */
import { firstRule, type Rule } from './first-rule.js';
import type { Lang } from './i18n.js';

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
  [/^not well-formed XML: (.*)$/s, (m) => xmlError(m[1] ?? '')],
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
  [/^not valid CSV: (.*)$/s, (m) => csvError(m[1] ?? '')],
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
  [
    /^the upload stopped before the end of the file \(the connection closed\): nothing was imported, send the file again$/,
    () =>
      'il caricamento si è interrotto prima della fine del file (la connessione si è chiusa): non è stato importato nulla, invia di nuovo il file',
  ],
  [/^the request body is empty: send the file as the body$/, () => 'il file è vuoto'],
  [
    /^an import is already running: try again when it has finished$/,
    () => 'è già in corso un’altra importazione: riprova quando è finita',
  ],
  [
    /^cannot tell the file's format: add \?format= with one of .*$/s,
    () => 'non si capisce il formato del file: sceglilo dall’elenco «Formato» e riprova',
  ],
];

/** saxes's own words (after its `line:column: `), as the FRITZ!Box reader passes them on. */
const XML_RULES: readonly Rule[] = [
  [/^unclosed tag: (.+)$/s, (m) => `il tag <${m[1]}> non viene mai chiuso (file troncato?)`],
  [/^unexpected end\.$/, () => 'il file finisce a metà (troncato?)'],
  [/^unmatched closing tag: (.+)\.$/s, (m) => `il tag di chiusura </${m[1]}> non chiude nessun tag aperto`],
  [/^unexpected close tag\.$/, () => 'un tag di chiusura che non chiude nulla'],
  [/^document must contain a root element\.$/, () => 'il file non contiene nessun elemento XML'],
  [/^text data outside of root node\.$/, () => 'c’è del testo fuori dall’elemento principale'],
  [/^documents may contain only one root\.$/, () => 'il file ha più di un elemento principale'],
  [/^disallowed character\.$/, () => 'un carattere non ammesso in XML'],
  [/^disallowed character in tag name\.?$/, () => 'un carattere non ammesso nel nome di un tag'],
  [/^disallowed character in attribute name\.$/, () => 'un carattere non ammesso nel nome di un attributo'],
  [/^disallowed character in closing tag\.$/, () => 'un carattere non ammesso in un tag di chiusura'],
  [/^duplicate attribute: (.+)\.$/s, (m) => `l’attributo ${m[1]} è ripetuto`],
  [/^unquoted attribute value\.$/, () => 'il valore di un attributo non è tra virgolette'],
  [/^attribute without value\.$/, () => 'un attributo senza valore'],
  [/^no whitespace between attributes\.$/, () => 'manca uno spazio tra due attributi'],
  [/^malformed comment\.$/, () => 'un commento scritto male'],
  [/^undefined entity\.$/, () => 'un’entità (&...;) sconosciuta'],
  [/^malformed character entity\.$/, () => 'un carattere scritto come &#...; non valido'],
  [/^unbound namespace prefix: (".*")\.$/s, (m) => `un prefisso di namespace non dichiarato: ${m[1]}`],
  [
    /^(the|an) XML declaration must (appear at|be at) the start of the document\.$/,
    () => 'la dichiarazione <?xml ...?> deve stare all’inizio del file',
  ],
  [/^XML declaration is incomplete\.$/, () => 'la dichiarazione <?xml ...?> è incompleta'],
];

/**
 * "not well-formed XML: 3:14: unclosed tag: contact": the column (the page shows the error's line before it), then
 * what, in Italian. A message of the XML reader this table does not know is quoted as the reader wrote it, after an
 * Italian sentence that says what to do.
 */
function xmlError(detail: string): string {
  const at = /^(\d+):(\d+): (.*)$/s.exec(detail);
  const where = at === null ? '' : ` (colonna ${at[2]})`;
  const what = at === null ? detail : (at[3] ?? '');
  return `XML non ben formato${where}: ${
    firstRule(XML_RULES, what) ??
    `il file è danneggiato o non è una rubrica esportata; esportala di nuovo (il lettore XML dice: «${what}»)`
  }`;
}

/** csv-parse's own words, as the CSV readers pass them on (the page shows the error's line before them). */
const CSV_RULES: readonly Rule[] = [
  [
    /^Quote Not Closed: the parsing is finished with an opening quote at line (\d+)$/,
    () => 'una virgoletta aperta non viene mai chiusa (file troncato?)',
  ],
  [
    /^Invalid Closing Quote: got (".*") at line (\d+) instead of delimiter, record delimiter, trimable character \(if activated\) or comment$/s,
    (m) => `dopo una virgoletta di chiusura c’è ${m[1]} invece di una virgola o di un a capo`,
  ],
  [
    /^Invalid Closing Quote: found non trimable byte after quote at line (\d+)$/,
    () => 'dopo una virgoletta di chiusura c’è un carattere invece di una virgola o di un a capo',
  ],
  [
    /^Invalid Opening Quote: a quote is found on field (\d+) at line (\d+), value is (".*?")( \(.*\))?$/s,
    (m) => `nel campo ${Number(m[1]) + 1} c’è una virgoletta in mezzo al valore ${m[3]}`,
  ],
  [
    /^Max Record Size: record exceed the maximum number of tolerated bytes of (\d+) at line (\d+)$/,
    (m) => `la riga è più lunga di ${m[1]} byte: il file è davvero un CSV?`,
  ],
];

/** "not valid CSV: Quote Not Closed: ...": in Italian, or the reader's words quoted after an Italian sentence. */
function csvError(detail: string): string {
  return `CSV non valido: ${
    firstRule(CSV_RULES, detail) ??
    `il file è danneggiato o non è un CSV; salvalo di nuovo come CSV (il lettore CSV dice: «${detail}»)`
  }`;
}

/** A field's error from the crocetta format's records ("time: not a valid time"). */
function cellError(text: string): string | null {
  const m = /^([a-z_]+): (.*)$/s.exec(text);
  if (m === null) return null;
  const [, field = '', rest = ''] = m;
  const said = firstRule(CELL_RULES, rest);
  return said === null ? null : `${field}: ${said}`;
}

/** normalizeNumber's flags as the English page says them (the CLI and the API keep the flag). */
const EN_NUMBER_FLAGS: Record<string, string> = {
  unparsable: 'unreadable',
  'not-a-number': 'contains letters',
  'too-short': 'too short',
  'too-long': 'too long',
  'short-code': 'a short code',
  invalid: 'not valid',
};

/** saxes's most frequent words, as the English page says them (others are quoted after a sentence). */
const EN_XML_RULES: readonly Rule[] = [
  [/^unclosed tag: (.+)$/s, (m) => `the tag <${m[1]}> is never closed (truncated file?)`],
  [/^unexpected end\.$/, () => 'the file ends halfway (truncated?)'],
  [/^unmatched closing tag: (.+)\.$/s, (m) => `the closing tag </${m[1]}> closes no open tag`],
  [/^unexpected close tag\.$/, () => 'a closing tag that closes nothing'],
  [/^document must contain a root element\.$/, () => 'the file holds no XML element'],
];

/** csv-parse's most frequent words, as the English page says them (others are quoted after a sentence). */
const EN_CSV_RULES: readonly Rule[] = [
  [/^Quote Not Closed: /, () => 'a quote is opened and never closed (truncated file?)'],
  [
    /^Invalid Closing Quote: got (".*") at line/s,
    (m) => `after a closing quote comes ${m[1]} instead of a comma or a line break`,
  ],
  [
    /^Invalid Closing Quote: found non trimable byte/,
    () => 'after a closing quote comes a character instead of a comma or a line break',
  ],
  [
    /^Invalid Opening Quote: a quote is found on field (\d+) at line (\d+), value is (".*?")( \(.*\))?$/s,
    (m) => `field ${Number(m[1]) + 1} has a quote inside its value ${m[3]}`,
  ],
  [/^Max Record Size: .* of (\d+) at line/, (m) => `the line is longer than ${m[1]} bytes: is the file really a CSV?`],
];

/** The job's refusals as the JSON API words them (a query parameter, a request body), and the readers' words (a
 * number's flag, the XML and CSV readers' own English), said for the English page. */
const EN_PAGE_RULES: readonly Rule[] = [
  [
    /^not a phone number \(([\w-]+)\)(: ".*")?$/s,
    (m) => `not a phone number (${EN_NUMBER_FLAGS[m[1] ?? ''] ?? m[1]})${m[2] ?? ''}`,
  ],
  [
    /^not well-formed XML: (?:(\d+):(\d+): )?(.*)$/s,
    (m) =>
      `XML not well-formed${m[2] === undefined ? '' : ` (column ${m[2]})`}: ${
        firstRule(EN_XML_RULES, m[3] ?? '') ??
        `the file is damaged or is not an exported phonebook; export it again (the XML reader says: “${m[3]}”)`
      }`,
  ],
  [
    /^not valid CSV: (.*)$/s,
    (m) =>
      `CSV not valid: ${
        firstRule(EN_CSV_RULES, m[1] ?? '') ??
        `the file is damaged or is not a CSV; save it again as CSV (the CSV reader says: “${m[1]}”)`
      }`,
  ],
  [/^the request body is empty: send the file as the body$/, () => 'the file is empty'],
  [
    /^cannot tell the file's format: add \?format= with one of .*$/s,
    () => 'crocetta cannot tell this file’s format by itself: choose it in the Format list and try again',
  ],
];

/** A job's error on the import page: the API's words for a request said as the page's (English too). */
export function importPageErrorText(lang: Lang, reason: string): string {
  return (lang === 'en' ? firstRule(EN_PAGE_RULES, reason) : null) ?? importErrorText(lang, reason);
}

/** One import error (a row's or the file's reason) as the page's language says it (English: the readers' words). */
export function importErrorText(lang: Lang, reason: string): string {
  if (lang === 'en') return reason;
  return firstRule(RULES, reason) ?? cellError(reason) ?? reason;
}
