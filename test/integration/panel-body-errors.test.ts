/**
 * A request body body-parser refuses, over real HTTP: a page's form (express.urlencoded, before the CSRF check) says
 * it in the office's language and the panel's words (it said the library's English: `unsupported charset "LATIN9"`,
 * `unsupported content encoding "compress"`, zlib's `incorrect header check`; too many fields said "too large:
 * shorten its texts"); the JSON API (express.json) answers its own stable words, status kept; a client that closes
 * mid-body crashes nothing and leaves no log line of a stack.
 */
import net from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { panelSession, type PanelSession } from '../support/panel-session.js';
import { errorLines, startHarness, TOKEN, type Harness } from '../support/crocetta-harness.js';

const PASSWORD = 'body-errors-password';
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

/** An error page's title and message (`<h1>title</h1><p>message</p>`), as text. */
function errorPage(page: string): { title: string; message: string } {
  const m = /<h1>([^<]*)<\/h1><p>([^<]*)<\/p>/.exec(page);
  const text = (s: string | undefined) => (s ?? '').replaceAll('&quot;', '"').replaceAll('&#39;', "'");
  return { title: text(m?.[1]), message: text(m?.[2]) };
}

const FORM = 'application/x-www-form-urlencoded';

/** The rules page's prefix form, as the page posts it, with the session's CSRF token. */
function ruleForm(s: PanelSession, extra: Record<string, string> = {}): string {
  return new URLSearchParams({
    _csrf: s.csrf,
    section: 'prefix-add',
    prefix: '0899',
    verdict: 'nuisance',
    ...extra,
  }).toString();
}

interface PageCase {
  what: string;
  headers: Record<string, string>;
  body: (s: PanelSession) => string | Uint8Array;
  status: number;
  en: { title: string; message: string };
  it: { title: string; message: string };
  /** What the page said before (the library's English, or the wrong sentence). */
  was: string;
}

const MANY = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`f${i}`, '1']));

const PAGE_CASES: PageCase[] = [
  {
    what: 'a charset the panel does not read (charset.unsupported)',
    headers: { 'content-type': `${FORM}; charset=latin9` },
    body: (s) => ruleForm(s),
    status: 415,
    en: {
      title: 'Not readable',
      message:
        'The form was sent in a character set the panel does not read (LATIN9): reload the page and send it again from there.',
    },
    it: {
      title: 'Non leggibile',
      message:
        'Il modulo è stato inviato con una codifica di caratteri che il pannello non legge (LATIN9): ricarica la pagina e invialo di nuovo da lì.',
    },
    was: 'unsupported charset "LATIN9"',
  },
  {
    what: 'a compression the panel does not read (encoding.unsupported)',
    headers: { 'content-type': FORM, 'content-encoding': 'compress' },
    body: (s) => ruleForm(s),
    status: 415,
    en: {
      title: 'Not readable',
      message:
        'The form was sent compressed in a way the panel does not read (compress): reload the page and send it again from there.',
    },
    it: {
      title: 'Non leggibile',
      message:
        'Il modulo è stato inviato compresso in un modo che il pannello non legge (compress): ricarica la pagina e invialo di nuovo da lì.',
    },
    was: 'unsupported content encoding "compress"',
  },
  {
    what: 'a gzip body that does not decompress (zlib, no type)',
    headers: { 'content-type': FORM, 'content-encoding': 'gzip' },
    body: (s) => ruleForm(s),
    status: 400,
    en: {
      title: 'Something went wrong',
      message: 'The form arrived damaged (its compression could not be read): reload the page and send it again.',
    },
    it: {
      title: 'Qualcosa è andato storto',
      message:
        'Il modulo è arrivato danneggiato (la sua compressione non si legge): ricarica la pagina e invialo di nuovo.',
    },
    was: 'incorrect header check',
  },
  {
    what: 'more fields than any form of the panel has (parameters.too.many)',
    headers: { 'content-type': FORM },
    body: (s) => ruleForm(s, MANY),
    status: 413,
    en: {
      title: 'Too large',
      message: 'The form you sent has too many fields: reload the page and send it again from there.',
    },
    it: {
      title: 'Troppo grande',
      message: 'Il modulo inviato ha troppi campi: ricarica la pagina e invialo di nuovo da lì.',
    },
    was: 'The form you sent is too large: shorten its texts and try again.',
  },
];

describe("a form's body refused by body-parser, on the panel's pages", () => {
  it.each(PAGE_CASES.flatMap((c) => (['en', 'it'] as const).map((lang) => ({ ...c, lang }))))(
    '$what: the $lang page says it in its words, status kept',
    async (c) => {
      const s = sessions[c.lang];
      if (s === undefined) throw new Error('no session');
      const res = await fetch(h.url('/rules'), {
        method: 'POST',
        headers: { cookie: s.cookie, accept: 'text/html', ...c.headers },
        body: c.body(s),
        redirect: 'manual',
      });
      expect(res.status).toBe(c.status);
      const page = errorPage(await res.text());
      expect(page).toEqual(c[c.lang]);
      expect(page.message).not.toBe(c.was);
    },
  );

  it('a gzip form that does decompress is read as any form (only a broken one is refused)', async () => {
    const s = sessions.en;
    if (s === undefined) throw new Error('no session');
    const res = await fetch(h.url('/rules'), {
      method: 'POST',
      headers: { cookie: s.cookie, 'content-type': FORM, 'content-encoding': 'gzip' },
      body: gzipSync(ruleForm(s, { section: 'repeat', enabled: '1', attempts: '3', withinDays: '7' })),
      redirect: 'manual',
    });
    expect(res.status).toBe(303);
  });
});

interface ApiCase {
  what: string;
  headers: Record<string, string>;
  body: string | Uint8Array;
  status: number;
  answer: string;
}

const API_CASES: ApiCase[] = [
  {
    what: 'charset.unsupported',
    headers: { 'content-type': 'application/json; charset=latin1' },
    body: '{"label":"nuisance"}',
    status: 415,
    answer: '{"error":"unsupported charset \\"LATIN1\\""}',
  },
  {
    what: 'encoding.unsupported',
    headers: { 'content-type': 'application/json', 'content-encoding': 'compress' },
    body: '{"label":"nuisance"}',
    status: 415,
    answer: '{"error":"unsupported content encoding \\"compress\\""}',
  },
  {
    // Was zlib's own words: {"error":"incorrect header check"}.
    what: 'a gzip body that does not decompress',
    headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    body: '{"label":"nuisance"}',
    status: 400,
    answer: '{"error":"the request body could not be decompressed (Content-Encoding: gzip)"}',
  },
  {
    what: 'entity.parse.failed',
    headers: { 'content-type': 'application/json' },
    body: '{"label":',
    status: 400,
    answer: '{"error":"invalid JSON body"}',
  },
  {
    what: 'entity.too.large',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ label: 'nuisance', company: 'x'.repeat(70_000) }),
    status: 413,
    answer: '{"error":"request entity too large"}',
  },
];

describe('a request body refused by body-parser, on the JSON API', () => {
  it.each(API_CASES)('$what: its own stable words, status kept', async (c) => {
    const res = await fetch(h.url('/api/numbers/0212345678/mark'), {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, ...c.headers },
      body: c.body,
    });
    expect({ status: res.status, body: await res.text() }).toEqual({ status: c.status, body: c.answer });
  });
});

/** Sends the request line, headers and part of a longer body, then closes the socket; what came back, if anything. */
async function closeMidBody(head: string[], part: string): Promise<string> {
  const port = Number(new URL(h.url('/')).port);
  const socket = net.connect(port, '127.0.0.1');
  let answer = '';
  socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(`${head.join('\r\n')}\r\nHost: 127.0.0.1\r\nContent-Length: 5000\r\n\r\n${part}`);
  await new Promise((resolve) => setTimeout(resolve, 100));
  socket.destroy();
  await new Promise((resolve) => setTimeout(resolve, 100));
  return answer;
}

describe('a client that closes the connection mid-body (request.aborted)', () => {
  it('crashes nothing, logs no stack, and the panel and the API go on answering', async () => {
    const s = sessions.it;
    if (s === undefined) throw new Error('no session');
    const logged = h.logs.length;
    // Nobody is listening: whatever is answered goes into a closed socket.
    expect(
      await closeMidBody(
        ['POST /rules HTTP/1.1', `Cookie: ${s.cookie}`, 'Accept: text/html', `Content-Type: ${FORM}`],
        `_csrf=${s.csrf}&section=prefix-add&prefix=08`,
      ),
    ).toBe('');
    expect(
      await closeMidBody(
        [
          'POST /api/numbers/0212345678/mark HTTP/1.1',
          `Authorization: Bearer ${TOKEN}`,
          'Content-Type: application/json',
        ],
        '{"label":"nuis',
      ),
    ).toBe('');
    expect(errorLines(h.logs)).toEqual([]);
    expect(JSON.stringify(h.logs.slice(logged))).not.toMatch(/"stack"|request aborted/);
    expect((await fetch(h.url('/rules'), { headers: { cookie: s.cookie } })).status).toBe(200);
    expect((await h.api('GET', '/api/numbers/0212345678')).status).toBe(200);
  });
});
