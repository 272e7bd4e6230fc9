/**
 * An import's errors in the page's language. The readers (src/sharing) write each error once, in English, as the
 * CLI and the JSON API show it; the Italian import page says the same in Italian, rebuilt from the English
 * sentence's known shapes, the XML and CSV readers' own words included. What it does not know (a new message)
 * stays English, whole: never a half-translated or made-up sentence; an XML or CSV reader's message it does not
 * know is quoted, as the reader wrote it, after an Italian sentence that says what went wrong and what to do. The
 * English page says a number's flag and the XML and CSV readers' words in its own sentences, from the same tables
 * (one row per message, both languages). Values from the file (a bad cell, a tag name) are kept as they are; the
 * page escapes them.
 */
import { firstRule, type Rule } from './first-rule.js';
import type { Lang } from './i18n.js';

/**
 * A message of a reader, or of a library it passes on, and the sentence each page says for it: one row per message
 * with both languages, so that the pages cannot know different messages.
 */
type Sentences = readonly [RegExp, Readonly<Record<Lang, (m: RegExpExecArray) => string>>];

/** A table of sentences as one language's rules. */
function rulesIn(table: readonly Sentences[]): Readonly<Record<Lang, readonly Rule[]>> {
  return {
    it: table.map(([re, say]) => [re, say.it] as const),
    en: table.map(([re, say]) => [re, say.en] as const),
  };
}

/** normalizeNumber's flags in a row's "not a phone number (flag)" (the CLI and the API keep the flag). */
const NUMBER_FLAGS: Readonly<Record<string, Readonly<Record<Lang, string>>>> = {
  unparsable: { it: 'illeggibile', en: 'unreadable' },
  'not-a-number': { it: 'contiene lettere', en: 'contains letters' },
  'too-short': { it: 'troppo corto', en: 'too short' },
  'too-long': { it: 'troppo lungo', en: 'too long' },
  'short-code': { it: 'numero breve', en: 'a short code' },
  invalid: { it: 'non valido', en: 'not valid' },
};

/** "not a phone number (too-short): "+39 12"", the flag said in `lang`. */
function notANumber(lang: Lang, m: RegExpExecArray): string {
  const flag = m[1] ?? '';
  const said = NUMBER_FLAGS[flag]?.[lang] ?? flag;
  return `${lang === 'it' ? 'non è un numero di telefono' : 'not a phone number'} (${said})${m[2] ?? ''}`;
}

/** The readers' wrapping of a number's flag and of the XML and CSV readers' words: said on both pages. */
const NOT_A_NUMBER = /^not a phone number \(([\w-]+)\)(: ".*")?$/s;
const NOT_XML = /^not well-formed XML: (.*)$/s;
const NOT_CSV = /^not valid CSV: (.*)$/s;

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
  [NOT_A_NUMBER, (m) => notANumber('it', m)],
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
  [NOT_XML, (m) => xmlError('it', m[1] ?? '')],
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
  [NOT_CSV, (m) => csvError('it', m[1] ?? '')],
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
const XML_SENTENCES: readonly Sentences[] = [
  [
    /^unclosed tag: (.+)$/s,
    {
      it: (m) => `il tag <${m[1]}> non viene mai chiuso (file troncato?)`,
      en: (m) => `the tag <${m[1]}> is never closed (truncated file?)`,
    },
  ],
  [
    /^unexpected end\.$/,
    { it: () => 'il file finisce a metà (troncato?)', en: () => 'the file ends halfway (truncated?)' },
  ],
  [
    /^unmatched closing tag: (.+)\.$/s,
    {
      it: (m) => `il tag di chiusura </${m[1]}> non chiude nessun tag aperto`,
      en: (m) => `the closing tag </${m[1]}> closes no open tag`,
    },
  ],
  [
    /^unexpected close tag\.$/,
    { it: () => 'un tag di chiusura che non chiude nulla', en: () => 'a closing tag that closes nothing' },
  ],
  [
    /^document must contain a root element\.$/,
    { it: () => 'il file non contiene nessun elemento XML', en: () => 'the file holds no XML element' },
  ],
  [
    /^text data outside of root node\.$/,
    { it: () => 'c’è del testo fuori dall’elemento principale', en: () => 'there is text outside the main element' },
  ],
  [
    /^documents may contain only one root\.$/,
    { it: () => 'il file ha più di un elemento principale', en: () => 'the file has more than one main element' },
  ],
  [
    /^disallowed character\.$/,
    { it: () => 'un carattere non ammesso in XML', en: () => 'a character XML does not allow' },
  ],
  [
    /^disallowed character in tag name\.?$/,
    { it: () => 'un carattere non ammesso nel nome di un tag', en: () => 'a character not allowed in a tag’s name' },
  ],
  [
    /^disallowed character in attribute name\.$/,
    {
      it: () => 'un carattere non ammesso nel nome di un attributo',
      en: () => 'a character not allowed in an attribute’s name',
    },
  ],
  [
    /^disallowed character in closing tag\.$/,
    {
      it: () => 'un carattere non ammesso in un tag di chiusura',
      en: () => 'a character not allowed in a closing tag',
    },
  ],
  [
    /^duplicate attribute: (.+)\.$/s,
    { it: (m) => `l’attributo ${m[1]} è ripetuto`, en: (m) => `the attribute ${m[1]} is repeated` },
  ],
  [
    /^unquoted attribute value\.$/,
    {
      it: () => 'il valore di un attributo non è tra virgolette',
      en: () => 'an attribute’s value is not in quotes',
    },
  ],
  [/^attribute without value\.$/, { it: () => 'un attributo senza valore', en: () => 'an attribute without a value' }],
  [
    /^no whitespace between attributes\.$/,
    { it: () => 'manca uno spazio tra due attributi', en: () => 'a space is missing between two attributes' },
  ],
  [/^malformed comment\.$/, { it: () => 'un commento scritto male', en: () => 'a badly written comment' }],
  [/^undefined entity\.$/, { it: () => 'un’entità (&...;) sconosciuta', en: () => 'an unknown entity (&...;)' }],
  [
    /^malformed character entity\.$/,
    {
      it: () => 'un carattere scritto come &#...; non valido',
      en: () => 'a character written as &#...; that is not valid',
    },
  ],
  [
    /^unbound namespace prefix: (".*")\.$/s,
    {
      it: (m) => `un prefisso di namespace non dichiarato: ${m[1]}`,
      en: (m) => `a namespace prefix nobody declared: ${m[1]}`,
    },
  ],
  [
    /^(the|an) XML declaration must (appear at|be at) the start of the document\.$/,
    {
      it: () => 'la dichiarazione <?xml ...?> deve stare all’inizio del file',
      en: () => 'the declaration <?xml ...?> must be at the start of the file',
    },
  ],
  [
    /^XML declaration is incomplete\.$/,
    {
      it: () => 'la dichiarazione <?xml ...?> è incompleta',
      en: () => 'the declaration <?xml ...?> is incomplete',
    },
  ],
];

const XML_RULES = rulesIn(XML_SENTENCES);

/** What each page says around the XML reader's words, and for words the table does not know. */
const XML_WORDS: Readonly<Record<Lang, { title: string; column: string; unknown: (what: string) => string }>> = {
  it: {
    title: 'XML non ben formato',
    column: 'colonna',
    unknown: (what) =>
      `il file è danneggiato o non è una rubrica esportata; esportala di nuovo (il lettore XML dice: «${what}»)`,
  },
  en: {
    title: 'XML not well-formed',
    column: 'column',
    unknown: (what) =>
      `the file is damaged or is not an exported phonebook; export it again (the XML reader says: “${what}”)`,
  },
};

/**
 * "not well-formed XML: 3:14: unclosed tag: contact": the column (the page shows the error's line before it), then
 * what, in `lang`. A message of the XML reader the table does not know is quoted as the reader wrote it, after a
 * sentence that says what to do.
 */
function xmlError(lang: Lang, detail: string): string {
  const words = XML_WORDS[lang];
  const at = /^(\d+):(\d+): (.*)$/s.exec(detail);
  const where = at === null ? '' : ` (${words.column} ${at[2]})`;
  const what = at === null ? detail : (at[3] ?? '');
  return `${words.title}${where}: ${firstRule(XML_RULES[lang], what) ?? words.unknown(what)}`;
}

/** csv-parse's own words, as the CSV readers pass them on (the page shows the error's line before them). */
const CSV_SENTENCES: readonly Sentences[] = [
  [
    /^Quote Not Closed: the parsing is finished with an opening quote at line (\d+)$/,
    {
      it: () => 'una virgoletta aperta non viene mai chiusa (file troncato?)',
      en: () => 'a quote is opened and never closed (truncated file?)',
    },
  ],
  [
    /^Invalid Closing Quote: got (".*") at line (\d+) instead of delimiter, record delimiter, trimable character \(if activated\) or comment$/s,
    {
      it: (m) => `dopo una virgoletta di chiusura c’è ${m[1]} invece di una virgola o di un a capo`,
      en: (m) => `after a closing quote comes ${m[1]} instead of a comma or a line break`,
    },
  ],
  [
    /^Invalid Closing Quote: found non trimable byte after quote at line (\d+)$/,
    {
      it: () => 'dopo una virgoletta di chiusura c’è un carattere invece di una virgola o di un a capo',
      en: () => 'after a closing quote comes a character instead of a comma or a line break',
    },
  ],
  [
    /^Invalid Opening Quote: a quote is found on field (\d+) at line (\d+), value is (".*?")( \(.*\))?$/s,
    {
      it: (m) => `nel campo ${Number(m[1]) + 1} c’è una virgoletta in mezzo al valore ${m[3]}`,
      en: (m) => `field ${Number(m[1]) + 1} has a quote inside its value ${m[3]}`,
    },
  ],
  [
    /^Max Record Size: record exceed the maximum number of tolerated bytes of (\d+) at line (\d+)$/,
    {
      it: (m) => `la riga è più lunga di ${m[1]} byte: il file è davvero un CSV?`,
      en: (m) => `the line is longer than ${m[1]} bytes: is the file really a CSV?`,
    },
  ],
];

const CSV_RULES = rulesIn(CSV_SENTENCES);

/** What each page says before the CSV reader's words, and for words the table does not know. */
const CSV_WORDS: Readonly<Record<Lang, { title: string; unknown: (detail: string) => string }>> = {
  it: {
    title: 'CSV non valido',
    unknown: (detail) =>
      `il file è danneggiato o non è un CSV; salvalo di nuovo come CSV (il lettore CSV dice: «${detail}»)`,
  },
  en: {
    title: 'CSV not valid',
    unknown: (detail) => `the file is damaged or is not a CSV; save it again as CSV (the CSV reader says: “${detail}”)`,
  },
};

/** "not valid CSV: Quote Not Closed: ...": in `lang`, or the reader's words quoted after a sentence. */
function csvError(lang: Lang, detail: string): string {
  const words = CSV_WORDS[lang];
  return `${words.title}: ${firstRule(CSV_RULES[lang], detail) ?? words.unknown(detail)}`;
}

/** A field's error from the crocetta format's records ("time: not a valid time"). */
function cellError(text: string): string | null {
  const m = /^([a-z_]+): (.*)$/s.exec(text);
  if (m === null) return null;
  const [, field = '', rest = ''] = m;
  const said = firstRule(CELL_RULES, rest);
  return said === null ? null : `${field}: ${said}`;
}

/** The job's refusals as the JSON API words them (a query parameter, a request body), and the readers' words (a
 * number's flag, the XML and CSV readers' own English), said for the English page. */
const EN_PAGE_RULES: readonly Rule[] = [
  [NOT_A_NUMBER, (m) => notANumber('en', m)],
  [NOT_XML, (m) => xmlError('en', m[1] ?? '')],
  [NOT_CSV, (m) => csvError('en', m[1] ?? '')],
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
