import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { openSource, type ImportFormat } from '../sharing/sources.js';
import { importErrorText, importPageErrorText } from './import-error-text.js';

/** The errors a reader gives for a file, as the import would list them (rows and the file's refusal). */
async function errorsOf(format: ImportFormat, text: string | Buffer): Promise<string[]> {
  const source = openSource(format, Readable.from([Buffer.from(text)]), {
    country: 'IT',
    timeZone: 'Europe/Rome',
    now: Date.parse('2026-12-02T10:00:00Z'),
  });
  const out: string[] = [];
  try {
    for await (const item of source.items) if ('error' in item) out.push(item.error);
  } catch (err) {
    out.push((err as Error).message.replace(/^line \d+: /, ''));
  }
  return out;
}

describe("an import's errors on the Italian page", () => {
  it('are said in Italian for what the readers write, from real broken files', async () => {
    const cases: Array<[ImportFormat, string | Buffer, string]> = [
      ['list', '0212345678\n<img src=x>\n', 'non è un numero di telefono (contiene lettere): "<img src=x>"'],
      ['list', '+39 12\n', 'non è un numero di telefono (troppo corto): "+39 12"'],
      ['fritzbox', '<?xml version="1.0"?>\n<html></html>\n', 'non è una rubrica FRITZ!Box (radice <html>)'],
      ['fritzbox', '<!DOCTYPE x [<!ENTITY a "b">]><phonebooks/>', 'XML con un DOCTYPE (DTD, entità): rifiutato'],
      ['vcard', 'BEGIN:VCARD\nTEL:0212345678\n', 'il file finisce dentro una scheda (troncato?)'],
      ['ftc', 'a,b,c\n1,2,3\n', "non è un file di segnalazioni FTC Do Not Call: attesa l'intestazione"],
      ['list', Buffer.from([0xff, 0xfe, 0x30, 0x00]), 'il file è in UTF-16: salvalo in UTF-8'],
      ['json', 'hello\n', 'non è un export di crocetta (la prima riga non è JSON)'],
      ['csv', '', 'file vuoto'],
      ['asterisk-cdr', '"a","b"\n', 'servono almeno 16 campi CDR, trovati 2'],
      // The XML and CSV readers' own words.
      [
        'fritzbox',
        '<phonebooks><phonebook><contact><realName>A</realName>',
        'XML non ben formato (colonna 54): il tag <contact> non viene mai chiuso (file troncato?)',
      ],
      [
        'fritzbox',
        '<phonebooks><phonebook></contact></phonebook></phonebooks>',
        'XML non ben formato (colonna 33): un tag di chiusura che non chiude nulla',
      ],
      ['fritzbox', '<phonebooks a=1></phonebooks>', 'XML non ben formato (colonna 15): il valore di un'],
      [
        'csv',
        'number,label\n"0212345678,x\n',
        'CSV non valido: una virgoletta aperta non viene mai chiusa (file troncato?)',
      ],
      ['csv', 'number,label\n02"12,x\n', 'CSV non valido: nel campo 1 c’è una virgoletta in mezzo al valore "02"'],
      ['asterisk-cdr', '"a"b', 'CSV non valido: dopo una virgoletta di chiusura c’è "b" invece di'],
    ];
    for (const [format, text, italian] of cases) {
      const errors = await errorsOf(format, text);
      expect(errors.length, `${format}: ${String(text)}`).toBeGreaterThan(0);
      const said = errors.map((e) => importErrorText('it', e));
      expect(
        said.some((s) => s.startsWith(italian)),
        `${format}: ${JSON.stringify(said)} from ${JSON.stringify(errors)}`,
      ).toBe(true);
      for (const e of errors) expect(importErrorText('en', e)).toBe(e);
    }
  });

  it("say a crocetta file's cell errors in Italian, and keep an unknown message whole in English", async () => {
    const header = '{"format":"crocetta-register","version":2}\n';
    const [bad] = await errorsOf(
      'json',
      `${header}{"type":"mark","number":"+390212345678","label":"evil","marked_at":"2026-11-31T00:00:00Z"}\n`,
    );
    expect(bad).toBeDefined();
    expect(importErrorText('it', bad ?? '')).not.toBe(bad);
    expect(importErrorText('it', 'label: expected one of nuisance, trusted, got "evil"')).toBe(
      'label: atteso uno tra nuisance, trusted, trovato "evil"',
    );
    expect(importErrorText('it', 'time: not a valid time')).toBe('time: non è un orario valido');
    expect(importErrorText('it', 'something new went wrong')).toBe('something new went wrong');
    expect(importErrorText('it', 'time: something new')).toBe('time: something new');
    // A reader's message this file does not know: an Italian sentence, the reader's words quoted after it.
    const xml = importErrorText('it', 'not well-formed XML: 2:7: some new complaint.');
    expect(xml).toMatch(/^XML non ben formato \(colonna 7\): il file è danneggiato .*«some new complaint\.»\)$/);
    const csv = importErrorText('it', 'not valid CSV: Some New Error: at line 4');
    expect(csv).toMatch(/^CSV non valido: il file è danneggiato .*«Some New Error: at line 4»\)$/);
  });
});

describe("an import's errors on the English page", () => {
  it("are said in the page's words for a number's flag and the XML and CSV readers' own, from real broken files", async () => {
    const cases: Array<[ImportFormat, string, string]> = [
      // Were the CLI's flag and the readers' words: 'not a phone number (not-a-number): "abc"'.
      ['list', '0212345678\nabc\n', 'not a phone number (contains letters): "abc"'],
      ['list', '+39 12\n', 'not a phone number (too short): "+39 12"'],
      // Was 'not well-formed XML: 1:54: unclosed tag: contact'.
      [
        'fritzbox',
        '<phonebooks><phonebook><contact><realName>A</realName>',
        'XML not well-formed (column 54): the tag <contact> is never closed (truncated file?)',
      ],
      // Was the reader's words quoted after a sentence, where the Italian page said a sentence.
      [
        'fritzbox',
        '<phonebooks a=1></phonebooks>',
        'XML not well-formed (column 15): an attribute’s value is not in quotes',
      ],
      // A message neither table knows: quoted after a sentence, on both pages.
      [
        'fritzbox',
        '<phonebooks>]]></phonebooks>',
        'XML not well-formed (column 15): the file is damaged or is not an exported phonebook; export it again (the XML reader says: “the string "]]>" is disallowed in char data.”)',
      ],
      // Was 'not valid CSV: Quote Not Closed: the parsing is finished with an opening quote at line 2'.
      ['csv', 'number,label\n"0212345678,x\n', 'CSV not valid: a quote is opened and never closed (truncated file?)'],
      // Already plain English: kept as the reader wrote it.
      ['vcard', 'BEGIN:VCARD\nTEL:0212345678\n', 'the file ends inside a card (truncated?)'],
    ];
    for (const [format, text, said] of cases) {
      const errors = await errorsOf(format, text);
      expect(errors.length, text).toBeGreaterThan(0);
      expect(importPageErrorText('en', errors[0] ?? ''), text).toBe(said);
      // The CLI and the JSON API keep the readers' words.
      expect(importErrorText('en', errors[0] ?? '')).toBe(errors[0]);
    }
  });
});

/** Broken files, each giving one of the messages the readers write (src/sharing) or pass on (saxes, csv-parse). */
const HEADER = '{"format":"crocetta-register","version":2}\n';
const mark = (o: object): string =>
  `${HEADER}${JSON.stringify({ type: 'mark', number: '+390212345678', label: 'nuisance', marked_at: '2026-11-03T09:15:00Z', ...o })}\n`;
const cdr = (start: string): string =>
  `${['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', start, '', '', '1', '1', 'ANSWERED', 'DOCUMENTATION'].map((c) => `"${c}"`).join(',')}\n`;
const READERS: Array<[ImportFormat, string | Buffer]> = [
  // Rows.
  ['list', 'abc\n'],
  ['list', '+39 12\n'],
  ['list', '+39 021234567890123456\n'],
  ['list', '+\n'],
  ['list', '112\n'],
  ['list', '+39 99 1234567\n'],
  ['asterisk-cdr', '"a","b"\n'],
  ['asterisk-cdr', cdr('yesterday')],
  ['vcard', 'BEGIN:VCARD\nTEL:0212345678\nBEGIN:VCARD\nTEL:0212345679\nEND:VCARD\n'],
  ['vcard', 'BEGIN:VCARD\nTEL:0212345678\n'],
  ['json', `${HEADER}not json\n`],
  ['json', `${HEADER}[1]\n`],
  ['json', mark({ number: undefined })],
  ['json', mark({ number: 5 })],
  ['json', mark({ company: 'x'.repeat(300) })],
  ['json', mark({ label: 'evil' })],
  ['json', mark({ marked_at: 'yesterday' })],
  ['json', mark({ marked_at: '2026-11-31T00:00:00Z' })],
  ['json', mark({ foo: 1 })],
  ['json', mark({ number: 'abc' })],
  ['json', mark({ type: 'x' })],
  ['json', `${HEADER}${JSON.stringify({ type: 'attempt', withheld: 'maybe' })}\n`],
  [
    'json',
    `${HEADER}${JSON.stringify({ type: 'called', number: '+390212345678', last_at: '2026-11-03T09:15:00Z', calls: 'x' })}\n`,
  ],
  ['csv', 'crocetta-register,2\ntype,number,label,marked_at\nmark\n'],
  ['csv', 'crocetta-register,2\ntype,reasons\nattempt,{x\n'],
  // Whole files.
  ['fritzbox', '<!DOCTYPE x><phonebooks/>'],
  ['fritzbox', '<html/>'],
  ['ftc', 'a,b,c\n'],
  ['list', Buffer.from([0xff, 0xfe, 0x30, 0x00])],
  ['list', Buffer.from([0x30, 0x0a, 0xff, 0x0a])],
  ['list', Buffer.from([0x30, 0xc3])],
  ['json', '{"format":"other","version":2}\n'],
  ['json', 'hello\n'],
  ['json', '{"format":"crocetta-register"}\n'],
  ['json', '{"format":"crocetta-register","version":99}\n'],
  ['json', ''],
  ['csv', 'crocetta-register,2\nnumber,type\n'],
  ['csv', 'crocetta-register,2\ntype,bogus\n'],
  ['csv', ''],
  // saxes's words, as the FRITZ!Box reader passes them on.
  ...(
    [
      '<phonebooks><phonebook>',
      '<phonebooks><phonebook></contact></phonebook></phonebooks>',
      '   ',
      'x<phonebooks/>',
      '<phonebooks/><phonebooks/>',
      '<phonebooks>\u0001</phonebooks>',
      '<phonebooks><a$></a$></phonebooks>',
      '<phonebooks><1/></phonebooks>',
      '<phonebooks a$="1"></phonebooks>',
      '<phonebooks></phonebooks x>',
      '<phonebooks a="1" a="2"></phonebooks>',
      '<phonebooks a=1></phonebooks>',
      '<phonebooks a></phonebooks>',
      '<phonebooks a="1"b="2"></phonebooks>',
      '<phonebooks><!-- a -- b --></phonebooks>',
      '<phonebooks>&foo;</phonebooks>',
      '<phonebooks>&#xZZ;</phonebooks>',
      ' <?xml version="1.0"?><phonebooks/>',
      // Said by neither page (NEITHER below).
      '<?xml?><phonebooks/>',
      '<?xml version="2.0"?><phonebooks/>',
      '<?xml encoding="utf-8"?><phonebooks/>',
      '<?xml version="1.0" standalone="maybe"?><phonebooks/>',
      '<?xml version="1.0" encoding="ü"?><phonebooks/>',
      '<?xml version=1.0?><phonebooks/>',
      '<?xml version="1.0"standalone="yes"?><phonebooks/>',
      '<? ?><phonebooks/>',
      '<phonebooks>]]></phonebooks>',
      '<phonebooks/ ></phonebooks>',
      '<phonebooks>&;</phonebooks>',
      '<phonebooks>&a b;</phonebooks>',
      '<phonebooks></ ></phonebooks>',
      '<phonebooks><!x></phonebooks>',
      '<phonebooks><?1x?></phonebooks>',
    ] as const
  ).map((xml): [ImportFormat, string] => ['fritzbox', xml]),
  // csv-parse's words, as the CSV readers pass them on.
  ['csv', 'number,label\n"0212345678,x\n'],
  ['csv', 'number,label\n02"12,x\n'],
  ['asterisk-cdr', '"a"b'],
  ['csv', `${'x'.repeat((1 << 20) + 5)}\n`],
];

/** saxes's words no table knows today: quoted after a sentence on both pages (the XML declaration's details, rarer slips). */
const NEITHER = [
  /^XML declaration must contain a version\.$/,
  /^version number must match /,
  /^expected one of /,
  /^standalone value must match /,
  /^encoding value must match /,
  /^value must be quoted\.$/,
  /^whitespace required\.$/,
  /^processing instruction without a target\.$/,
  /^the string "\]\]>" is disallowed in char data\.$/,
  /^forward-slash in opening tag not followed by >\.$/,
  /^empty entity name\.$/,
  /^disallowed character in entity name\.$/,
  /^weird empty close tag\.$/,
  /^incorrect syntax\.$/,
  /^disallowed character in processing instruction name\.$/,
];

describe('every message the readers give, on both pages', () => {
  it('is a sentence of the page in Italian and in English, never the reader’s words quoted, but for NEITHER on both', async () => {
    const messages = new Set<string>();
    for (const [format, text] of READERS) {
      const errors = await errorsOf(format, text);
      expect(errors.length, `${format}: ${String(text).slice(0, 60)}`).toBeGreaterThan(0);
      for (const e of errors) messages.add(e);
    }
    const quoted = { it: [] as string[], en: [] as string[] };
    for (const e of messages) {
      const it = importPageErrorText('it', e);
      const en = importPageErrorText('en', e);
      if (it === e || /il lettore (XML|CSV) dice/.test(it)) quoted.it.push(e);
      if (/the (XML|CSV) reader says/.test(en)) quoted.en.push(e);
    }
    const neither = [...messages].filter((e) =>
      NEITHER.some((re) => re.test(e.replace(/^not well-formed XML: \d+:\d+: /, ''))),
    );
    expect(neither).toHaveLength(NEITHER.length);
    expect(quoted).toEqual({ it: neither, en: neither });
    expect(messages.size).toBeGreaterThan(60);
  });
});
