/**
 * A refused import on the import page, over real HTTP (the form's upload, as without JavaScript): the English page
 * says the file's error in the panel's words (it said the readers' and the CLI's: `not a phone number
 * (not-a-number)`, `not well-formed XML: 1:54: unclosed tag: contact`), as the Italian page says it in Italian; the
 * JSON API keeps the readers' words (`import refused: line 2: …`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { panelSession, type PanelSession } from '../support/panel-session.js';
import { startHarness, TOKEN, type Harness } from '../support/crocetta-harness.js';

const PASSWORD = 'import-words-password';
let h: Harness;
const sessions: Partial<Record<'it' | 'en', PanelSession>> = {};

beforeAll(async () => {
  h = await startHarness({ ADMIN_PASSWORD: PASSWORD });
  sessions.it = await panelSession((path) => h.url(path), PASSWORD, 'it');
  sessions.en = await panelSession((path) => h.url(path), PASSWORD, 'en');
});
afterAll(async () => {
  await h.stop();
});

const LIST = '0212345678\nabc\n';
const FRITZ = '<phonebooks><phonebook><contact><realName>A</realName>';

async function refusal(lang: 'it' | 'en', format: string, file: string): Promise<{ status: number; error: string }> {
  const s = sessions[lang];
  if (s === undefined) throw new Error('no session');
  const form = new FormData();
  form.set('_csrf', s.csrf);
  form.set('format', format);
  form.set('file', new Blob([file]), 'numbers.txt');
  const res = await fetch(h.url('/import'), { method: 'POST', headers: { cookie: s.cookie }, body: form });
  const page = await res.text();
  const li = /<div id="import-errors">[\s\S]*?<li>([\s\S]*?)<\/li>/.exec(page)?.[1] ?? '';
  return {
    status: res.status,
    error: li
      .replace(/<[^>]+>/g, '')
      .replaceAll('&quot;', '"')
      .replaceAll('&lt;', '<')
      .replaceAll('&gt;', '>'),
  };
}

describe("a refused import on the import page, in the page's words", () => {
  it.each([
    ['en', 'list', LIST, 'line 2: not a phone number (contains letters): "abc"'],
    ['it', 'list', LIST, 'riga 2: non è un numero di telefono (contiene lettere): "abc"'],
    [
      'en',
      'fritzbox',
      FRITZ,
      'line 1: XML not well-formed (column 54): the tag <contact> is never closed (truncated file?)',
    ],
    [
      'it',
      'fritzbox',
      FRITZ,
      'riga 1: XML non ben formato (colonna 54): il tag <contact> non viene mai chiuso (file troncato?)',
    ],
  ] as const)('%s, %s', async (lang, format, file, said) => {
    expect(await refusal(lang, format, file)).toEqual({ status: 422, error: said });
  });

  it("the JSON API keeps the readers' words", async () => {
    const res = await fetch(h.url('/api/import?format=list'), {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
      body: LIST,
    });
    expect({ status: res.status, body: await res.text() }).toEqual({
      status: 422,
      body: '{"error":"import refused: line 2: not a phone number (not-a-number): \\"abc\\""}',
    });
  });
});

/** A FRITZ!Box phonebook of two contacts, one number each, as the box writes it (an XML of many lines). */
const PHONEBOOK = `<?xml version="1.0" encoding="utf-8"?>
<phonebooks>
<phonebook name="Telefonbuch">
<contact>
<person><realName>Gas Sereno</realName></person>
<telephony><number type="work">0249712345</number></telephony>
</contact>
<contact>
<person><realName>TelcoX</realName></person>
<telephony><number type="work">0287176900</number></telephony>
</contact>
</phonebook>
</phonebooks>
`;

async function cards(lang: 'it' | 'en', format: string, file: string): Promise<string[]> {
  const s = sessions[lang];
  if (s === undefined) throw new Error('no session');
  const form = new FormData();
  form.set('_csrf', s.csrf);
  form.set('format', format);
  form.set('file', new Blob([file]), 'file.txt');
  const res = await fetch(h.url('/import'), { method: 'POST', headers: { cookie: s.cookie }, body: form });
  const page = await res.text();
  const cardsHtml = /<div class="cards">([\s\S]*?)<\/div>\n/.exec(page)?.[1] ?? '';
  return [...cardsHtml.matchAll(/<div class="n"[^>]*>(\d+)<\/div><div class="l">([^<]*)<\/div>/g)].map(
    (m) => `${m[2] ?? ''} ${m[1] ?? ''}`,
  );
}

describe("the import page's first count: a phonebook's numbers, a list's lines", () => {
  it.each([
    ['en', 'fritzbox', PHONEBOOK, 'Numbers read 2'],
    ['it', 'fritzbox', PHONEBOOK, 'Numeri letti 2'],
    ['en', 'list', '0212345678\n\n0212345679\n', 'Rows read 3'],
    ['it', 'list', '0212345678\n\n0212345679\n', 'Righe lette 3'],
  ] as const)('%s, %s', async (lang, format, file, first) => {
    expect((await cards(lang, format, file))[0]).toBe(first);
  });
});
