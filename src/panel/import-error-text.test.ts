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
      [
        'fritzbox',
        '<phonebooks a=1></phonebooks>',
        'XML not well-formed (column 15): the file is damaged or is not an exported phonebook; export it again (the XML reader says: “unquoted attribute value.”)',
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
