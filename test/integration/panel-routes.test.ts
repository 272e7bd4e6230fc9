/**
 * Each of the panel's routers (src/panel/routes/*.ts) through the real app and real HTTP: its pages with a logged-in
 * session, its JSON API with the bearer token, and its input parsed, never cast: a value that does not fit is a 400
 * naming the field (the API), or is ignored (a page's filter), or is shown on the page (a setting the schema refuses).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newAttempt } from '../../src/store/test-fixtures.js';
import { startHarness, TOKEN, type Harness } from '../support/crocetta-harness.js';

const PASSWORD = 'Panel-r0utes';
const CALLER = '+393331112233';
let h: Harness;
let cookie = '';
let csrf = '';

async function page(
  path: string,
  init: RequestInit = {},
): Promise<{ status: number; text: string; location: string | null }> {
  const res = await fetch(h.url(path), {
    redirect: 'manual',
    ...init,
    headers: { cookie, ...(init.headers as Record<string, string>) },
  });
  return { status: res.status, text: await res.text(), location: res.headers.get('location') };
}

function form(path: string, fields: Record<string, string>) {
  return page(path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, ...fields }).toString(),
  });
}

function bearer(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(h.url(path), {
    ...init,
    headers: { authorization: `Bearer ${TOKEN}`, ...(init.headers as Record<string, string>) },
  });
}

beforeAll(async () => {
  h = await startHarness({ ADMIN_PASSWORD: PASSWORD });
  const loginPage = await fetch(h.url('/login'));
  const anon = (loginPage.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const anonCsrf = /name="_csrf" value="([^"]+)"/.exec(await loginPage.text())?.[1] ?? '';
  const res = await fetch(h.url('/login'), {
    method: 'POST',
    headers: { cookie: anon, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: anonCsrf, password: PASSWORD }).toString(),
    redirect: 'manual',
  });
  cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  csrf = /name="_csrf" value="([^"]+)"/.exec((await page('/')).text)?.[1] ?? '';
  await h.app.register.record(
    newAttempt(CALLER, h.clock.now() - 3600_000, { callerName: 'Rossi Energia', verdict: 'suspect', action: 'tag' }),
  );
});
afterAll(async () => {
  await h.stop();
});

describe('panel routers through the real app', () => {
  it('session: the language is remembered, a page wants a session, not the bearer token', async () => {
    const lang = await fetch(h.url('/login?lang=en&x=1'), { redirect: 'manual' });
    expect(lang.status).toBe(303);
    expect(lang.headers.get('location')).toBe('/login?x=1');
    expect(lang.headers.get('set-cookie')).toMatch(/crocetta_lang=en/);
    const withToken = await bearer('/', { redirect: 'manual' });
    expect(withToken.status).toBe(303);
    expect(withToken.headers.get('location')).toBe('/login');
    expect((await page('/login')).location).toBe('/');
  });

  it("the language switch is a group named for screen readers, the page's language marked current", async () => {
    // Was a plain span with aria-label: a label on an element with no role, which screen readers ignore.
    const italian = (await page('/', { headers: { cookie: `${cookie}; crocetta_lang=it` } })).text;
    expect(italian).toContain(
      '<span role="group" aria-label="Lingua"><strong aria-current="true" lang="it">IT</strong> · ' +
        '<a href="/?lang=en" hreflang="en" lang="en">EN</a></span>',
    );
    const english = (await page('/rules', { headers: { cookie: `${cookie}; crocetta_lang=en` } })).text;
    expect(english).toContain(
      '<span role="group" aria-label="Language"><a href="/rules?lang=it" hreflang="it" lang="it">IT</a> · ' +
        '<strong aria-current="true" lang="en">EN</strong></span>',
    );
    // The login page's links say the language of the page they lead to too (hreflang), as the header's do.
    const login = await (await fetch(h.url('/login'))).text();
    expect(login).toContain(
      '<a href="/login?lang=it" hreflang="it" lang="it">Italiano</a> · ' +
        '<a href="/login?lang=en" hreflang="en" lang="en">English</a>',
    );
  });

  it('dashboard: today and the week', async () => {
    const res = await page('/');
    expect(res.status).toBe(200);
    // The caller as the office reads it, linked by its E.164.
    expect(res.text).toContain(`<a href="/numbers/${encodeURIComponent(CALLER)}">333 111 2233</a>`);
  });

  it('register: the page ignores filters that do not fit, the CSV follows them, the API refuses a bad limit', async () => {
    const all = await page('/register?verdict=bogus&action=nothing&from=2026-13-01');
    expect(all.status).toBe(200);
    expect(all.text).toContain('Rossi Energia');
    expect((await page('/register?verdict=nuisance')).text).not.toContain('Rossi Energia');
    const csv = await page('/register.csv?verdict=suspect');
    expect(csv.text.trim().split('\r\n')).toHaveLength(2);
    // The panel's "CSV for Excel": what Italian Excel opens by double-click (BOM, `;`, decimal comma), same rows.
    const excel = await page('/register.csv?verdict=suspect&excel=1');
    // fetch's text() drops a byte-order mark: read the bytes for it.
    const bytes = new Uint8Array(
      await (await fetch(h.url('/register.csv?verdict=suspect&excel=1'), { headers: { cookie } })).arrayBuffer(),
    );
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(excel.text.startsWith('time_local;time_utc;number;')).toBe(true);
    const [, row = ''] = excel.text.split('\r\n');
    expect(row).toContain(`;'${CALLER};`);
    expect(row).toMatch(/;suspect;0,\d{3};/);
    expect(csv.text.startsWith('time_local,time_utc,number,')).toBe(true);
    expect((await page('/register')).text).toContain('/register.csv?excel=1');
    const bad = await h.api('GET', '/api/attempts?limit=0');
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({
      error: expect.stringMatching(/limit: expected a whole number from 1 to 1000/) as unknown,
    });
    expect((await h.api('GET', '/api/attempts?limit=1&limit=2')).status).toBe(400);
    // A day that does not exist is refused, not read as the next month's (Date.parse makes 31 Nov into 1 Dec).
    const noDay = await h.api('GET', '/api/attempts?since=2026-11-31');
    expect(noDay.status).toBe(400);
    expect(noDay.json).toMatchObject({ error: expect.stringMatching(/since: expected an ISO 8601 date/) as unknown });
    const mine = await h.api('GET', `/api/attempts?number=${encodeURIComponent(CALLER)}`);
    expect(mine.json).toMatchObject({ attempts: [{ callerKey: CALLER, verdict: 'suspect' }], next: null });
  });

  it('numbers: the page, its marking form (label parsed), the API', async () => {
    const path = `/numbers/${encodeURIComponent(CALLER)}`;
    expect((await page(path)).text).toContain('Rossi Energia');
    expect((await form(`${path}/mark`, { label: 'nuisance!' })).status).toBe(400);
    const marked = await form(`${path}/mark`, {
      label: 'nuisance',
      company: ' Rossi Energia ',
      category: 'ENERGY',
      return: '//evil.example',
    });
    expect(marked.status).toBe(303);
    expect(marked.location).toBe(
      `/numbers/${encodeURIComponent(CALLER)}?marked=nuisance&number=${encodeURIComponent(CALLER)}`,
    );
    const json = await h.api('GET', `/api/numbers/${encodeURIComponent(CALLER)}`);
    expect(json.json).toMatchObject({
      verdict: 'nuisance',
      mark: { label: 'nuisance', company: 'Rossi Energia', category: 'energy' },
    });
    // Back to the register's row the form was on (its fragment); a fragment that is no row's id is left off.
    const back = await form(`${path}/mark`, { label: 'nuisance', return: '/register?kind=call#mark-12' });
    expect(back.location).toBe(`/register?kind=call&marked=nuisance&number=${encodeURIComponent(CALLER)}#mark-12`);
    const odd = await form(`${path}/mark`, { label: 'nuisance', return: '/register#"><b>x</b>' });
    expect(odd.location).toBe(`/register?marked=nuisance&number=${encodeURIComponent(CALLER)}`);
    expect((await h.api('GET', '/api/numbers/not-a-number')).status).toBe(400);
    expect((await h.api('POST', `/api/numbers/${encodeURIComponent(CALLER)}/mark`, { label: 'maybe' })).status).toBe(
      400,
    );
  });

  it('rankings: the page, and the API refuses a day it cannot read or a period backwards', async () => {
    expect((await page('/rankings?period=7&category=energy')).status).toBe(200);
    expect((await h.api('GET', '/api/rankings/companies?since=yesterday')).status).toBe(400);
    expect((await h.api('GET', '/api/rankings/numbers?since=2026-11-05&until=2026-11-01')).status).toBe(400);
    expect((await h.api('GET', '/api/rankings/numbers?since=2026-11-31')).status).toBe(400);
    expect((await h.api('GET', '/api/rankings/companies?until=2026-02-30T12:00:00Z')).status).toBe(400);
    const numbers = await h.api('GET', '/api/rankings/numbers?since=2026-11-01&limit=5');
    expect(numbers.json).toMatchObject({ since: '2026-11-01', until: '2026-11-05', numbers: [{ callerKey: CALLER }] });
    expect((await h.api('GET', '/api/rankings/community')).status).toBe(200);
  });

  it('settings: an unknown form is a 400, a value the schema refuses is shown and nothing is saved', async () => {
    expect((await form('/rules', { section: 'bogus' })).status).toBe(400);
    const refused = await form('/rules', { section: 'repeat', enabled: '1', attempts: '0', withinDays: '7' });
    expect(refused.status).toBe(200);
    expect(refused.text).toContain('attempts');
    const prefix = await form('/rules', {
      section: 'prefix-add',
      prefix: '+39089',
      verdict: 'trusted-ish',
      label: 'x',
    });
    expect(prefix.status).toBe(200);
    expect(prefix.text).toContain('verdict');
    const saved = await form('/rules', {
      section: 'prefix-add',
      prefix: '+39089',
      verdict: 'suspect',
      label: 'Salerno test',
    });
    expect(saved.location).toBe('/rules?saved=1');
    expect((await page('/rules')).text).toContain('Salerno test');
    // As the office dials it: kept in E.164 (Italian numbers keep their 0 after +39).
    const typed = await form('/rules', {
      section: 'prefix-add',
      prefix: '0828 12',
      verdict: 'nuisance',
      label: 'Eboli',
    });
    expect(typed.location).toBe('/rules?saved=1');
    // and shown as dialled, the E.164 in its title.
    expect((await page('/rules')).text).toMatch(/title="\+39082812" data-label="Prefisso">0828 12<\/td>/);
    // The same prefix again, typed another way: said on the page (it was a 500 and an error log with a stack), the
    // rule as it was, nothing else saved.
    const twice = await form('/rules', {
      section: 'prefix-add',
      prefix: '+39 0828 12',
      verdict: 'suspect',
      label: 'x',
    });
    expect(twice.status).toBe(200);
    expect(twice.text).toContain(
      'Il prefisso 0828 12 è già una regola: per cambiarne la valutazione o l&#39;etichetta, rimuovila prima.',
    );
    expect((await page('/rules')).text.match(/title="\+39082812"/g)).toHaveLength(1);
    expect((await page('/rules')).text).toContain('Eboli');
    const junk = await form('/rules', { section: 'prefix-add', prefix: 'zero-two', verdict: 'nuisance', label: 'x' });
    expect(junk.status).toBe(200);
    expect(junk.text).toContain('come lo componi (0844)');
    // A label longer than the rule's 200 characters (the form's maxlength, a client that ignores it): refused and said,
    // not saved cut to its first 200.
    const long = await form('/rules', {
      section: 'prefix-add',
      prefix: '+39081',
      verdict: 'nuisance',
      label: `Napoli ${'x'.repeat(200)}`,
    });
    expect(long.status).toBe(200);
    expect(long.text).toContain('Non salvato: Etichetta: al massimo 200 caratteri');
    expect((await page('/rules')).text).not.toContain('Napoli x');
    expect((await form('/settings/reset', {})).location).toBe('/settings?saved=1');
    expect((await page('/rules')).text).not.toContain('Salerno test');
  });

  it('dossier: the API wants a subject and a known format', async () => {
    expect((await h.api('GET', '/api/dossier')).status).toBe(400);
    expect((await h.api('GET', '/api/dossier?company=Rossi%20Energia&format=xml')).status).toBe(400);
    expect((await h.api('GET', '/api/dossier?company=Rossi%20Energia')).json).toMatchObject({
      subject: { company: 'Rossi Energia' },
    });
    expect((await page('/dossier?company=Rossi%20Energia')).status).toBe(200);
  });

  it('import: the API and the page share the jobs and their lock; an unknown job is a 404', async () => {
    const res = await bearer('/api/import?format=list&as=trusted', { method: 'POST', body: '+39 02 1234 5678\n' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ written: { mark: 1 } });
    const sniffed = await bearer('/api/import', { method: 'POST', body: '' });
    expect(sniffed.status).toBe(400);
    expect((await h.api('GET', '/api/import/jobs/nope')).status).toBe(404);
    expect((await page('/import?job=nope')).status).toBe(200);
  });

  it('export: the kinds are parsed', async () => {
    expect((await h.api('GET', '/api/export?only=mark,bogus')).status).toBe(400);
    const csv = await bearer('/api/export?format=csv&only=mark');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
  });

  it('feed: the token opens it, a session does not; a lookup wants a hash prefix', async () => {
    expect((await page('/api/feed')).status).toBe(401);
    expect((await bearer('/api/feed')).status).toBe(200);
    expect((await h.api('GET', '/api/feed?since=x')).status).toBe(400);
    expect((await h.api('GET', '/api/feed/lookup?prefix=zz')).status).toBe(400);
  });

  it('auth: an unknown API route with the token is a JSON 404; a page form without the CSRF token is a 403', async () => {
    const unknown = await h.api('GET', '/api/nothing-here');
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ error: expect.stringContaining('no such route') as unknown });
    const noCsrf = await page('/settings/reset', {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
      body: '--x--',
    });
    expect(noCsrf.status).toBe(403);
  });

  it("says a call's reasons and the number's type in the office's language; the API keeps the English", async () => {
    const caller = '+390298765000';
    const marked = await h.api('POST', `/api/numbers/${encodeURIComponent(caller)}/mark`, {
      label: 'nuisance',
      company: 'Rossi Energia',
      category: 'energy',
    });
    expect(marked.status).toBe(200);
    await h.app.register.record(
      newAttempt(caller, h.clock.now() - 60_000, {
        verdict: 'nuisance',
        action: 'reject:607',
        reasons: [
          {
            code: 'marked-nuisance',
            text: 'marked nuisance by you on 5 Nov 2026 (Rossi Energia, energy)',
            weight: 0.99,
            params: { markedAt: '2026-11-05T08:00:00.000Z', company: 'Rossi Energia', category: 'energy' },
          },
          { code: 'withheld', text: 'number withheld', weight: 0.5, params: { why: 'a reason of a later version' } },
        ],
      }),
    );
    const italian = { headers: { cookie: `${cookie}; crocetta_lang=it` } };
    const register = (await page('/register', italian)).text;
    expect(register).toContain('segnato come molesto da voi il 5 nov 2026 (Rossi Energia, energia); number withheld');
    const number = (await page(`/numbers/${encodeURIComponent(caller)}`, italian)).text;
    expect(number).toMatch(/<li>segnato come molesto da voi il \d+ \w+ 2026 \(Rossi Energia, energia\)<\/li>/); // the next call
    expect(number).toContain('rete fissa');
    const english = await page(`/numbers/${encodeURIComponent(caller)}`, {
      headers: { cookie: `${cookie}; crocetta_lang=en` },
    });
    expect(english.text).toContain('marked nuisance by you on');
    expect(english.text).toContain('fixed line');
    const api = await h.api('GET', `/api/numbers/${encodeURIComponent(caller)}`);
    expect(JSON.stringify(api.json)).toContain('marked nuisance by you on');
  });
  it('numbers as the office reads them on the pages, E.164 in links, the CSV and the API; search takes what people type', async () => {
    const foreign = '+442079460958';
    await h.app.register.record(
      newAttempt(foreign, h.clock.now() - 120_000, { callerName: 'London Office', calledNumber: '+390212345670' }),
    );
    const italian = { headers: { cookie: `${cookie}; crocetta_lang=it` } };
    const register = (await page('/register', italian)).text;
    expect(register).toContain(`<a href="/numbers/${encodeURIComponent(foreign)}">+44 20 7946 0958</a>`);
    expect(register).toContain(`<a href="/numbers/${encodeURIComponent(CALLER)}">333 111 2233</a>`);
    expect(register).toContain('>02 1234 5670</td>'); // our number that was called
    expect(register).toContain('<option value="+390212345670">02 1234 5670</option>'); // the filter keeps E.164
    expect(register).not.toContain('>+393331112233<');
    // The number page is titled as people write it, and says where a foreign number is from.
    const number = (await page(`/numbers/${encodeURIComponent(foreign)}`, italian)).text;
    expect(number).toContain('<h1>+44 20 7946 0958</h1>');
    expect(number).toContain('Regno Unito');
    expect(number).toContain('<td class="small" data-label="Preso da">From</td>'); // the header the caller ID was read from
    // What the office types in the search box finds the caller, however it is written.
    for (const typed of ['333 111 2233', '+39 333 111 2233', '0039 333 1112233', '333-111-2233', '111 2233']) {
      const found = (await page(`/register?q=${encodeURIComponent(typed)}`, italian)).text;
      expect(found, typed).toContain('Rossi Energia');
      expect(found, typed).not.toContain('London Office');
    }
    expect((await page(`/register?q=${encodeURIComponent('020 7946 0958')}`, italian)).text).not.toContain('London');
    expect((await page(`/register?q=${encodeURIComponent('+44 20 7946 0958')}`, italian)).text).toContain('London');
    expect((await page('/register?q=London', italian)).text).toContain('London Office');
    // The CSV and the API keep E.164, and so does the CSV of a search.
    const csv = await page(`/register.csv?q=${encodeURIComponent('+44 20 7946 0958')}`);
    expect(csv.text).toContain(`,'${foreign},`);
    expect(csv.text.trim().split('\r\n')).toHaveLength(2);
    const api = await h.api('GET', `/api/attempts?number=${encodeURIComponent(foreign)}`);
    expect(api.json).toMatchObject({ attempts: [{ callerKey: foreign, callerE164: foreign }] });
  });

  it('categories in the office language: shown in Italian, a name typed in Italian kept as the known category', async () => {
    const caller = '+390298765111';
    const path = `/numbers/${encodeURIComponent(caller)}`;
    await h.app.register.record(newAttempt(caller, h.clock.now() - 30_000, { callerName: 'Promo Fibra' }));
    expect(
      (await form(`${path}/mark`, { label: 'nuisance', company: 'Demo Fibra', category: 'Telefonia' })).status,
    ).toBe(303);
    const json = await h.api('GET', `/api/numbers/${encodeURIComponent(caller)}`);
    expect(json.json).toMatchObject({ mark: { company: 'Demo Fibra', category: 'telecom' } });
    const italian = { headers: { cookie: `${cookie}; crocetta_lang=it` } };
    const rankings = (await page('/rankings', italian)).text;
    expect(rankings).toContain('<option value="telecom">telefonia</option>');
    expect(rankings).toMatch(/Demo Fibra<\/a><\/td><td data-label="Categoria">telefonia<\/td>/);
    expect(rankings).not.toMatch(/>telecom</);
    const number = (await page(path, italian)).text;
    expect(number).toContain('value="telefonia"'); // the mark form, ready to send again
    expect(number).toContain('<option value="energia">');
    const english = (await page('/rankings', { headers: { cookie: `${cookie}; crocetta_lang=en` } })).text;
    expect(english).toContain('<option value="telecom">telecoms</option>');
  });

  it('the icon: /favicon.ico is an icon, for the login page too (no session)', async () => {
    const res = await fetch(h.url('/favicon.ico'), { redirect: 'manual' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/x-icon');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 6)]).toEqual([0, 0, 1, 0, 1, 0]); // ICONDIR: an icon, one image
  });

  it('import: a file with no number in it says so, in the page language; the format names too', async () => {
    const upload = async (lang: 'it' | 'en', body: string) => {
      const data = new FormData();
      data.set('_csrf', csrf);
      data.set('format', 'list');
      data.set('file', new Blob([body], { type: 'text/plain' }), 'vuoto.txt');
      const res = await fetch(h.url('/import'), {
        method: 'POST',
        body: data,
        headers: { cookie: `${cookie}; crocetta_lang=${lang}` },
      });
      return res.text();
    };
    const it_ = await upload('it', '\n# numeri da bloccare\n\n');
    expect(it_).toContain('Il file non conteneva nessun numero di telefono: non è stato importato nulla');
    expect(it_).not.toContain('Importazione terminata');
    expect(it_).toContain('Elenco semplice, un numero per riga');
    expect(it_).not.toMatch(/Plain list|crocetta export/);
    const en = await upload('en', '');
    expect(en).toContain('The file had no phone numbers: nothing was imported');
    expect(en).not.toMatch(/elenco semplice/i);
    // A file with numbers still says it finished.
    expect(await upload('it', '02 1234 5600\n')).toContain('Importazione terminata');
  });

  it('import: a file refused at a line counts the lines read up to it, not 0', async () => {
    const data = new FormData();
    data.set('_csrf', csrf);
    data.set('format', 'list');
    data.set(
      'file',
      new Blob(['# lista di Mario\n02 8717 6902\n+39 02 87176903\nnon-un-numero\n'], { type: 'text/plain' }),
      'amico.txt',
    );
    const res = await fetch(h.url('/import'), {
      method: 'POST',
      body: data,
      headers: { cookie: `${cookie}; crocetta_lang=it` },
    });
    const text = await res.text();
    expect(text).toContain('<strong>riga 4</strong>: non è un numero di telefono (contiene lettere)');
    expect(text).toContain('<div class="n" data-field="rowsRead">4</div>');
    expect(text).toContain('<div class="n" data-field="imported">0</div>');
  });
});
