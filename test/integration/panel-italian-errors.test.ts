/**
 * The panel's refusals in the office's language, over real HTTP: a setting the config's schema refuses names the
 * field as the page labels it and says in Italian what to write; a form with an expired CSRF token, an unknown page,
 * a form too large and the upload form's JSON answer are Italian too; the English pages say the same in English
 * sentences of their own (they said the JSON API's words, where a page and the API share an error), and the JSON API
 * keeps its English messages byte for byte (scripts and the CLI read them).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RegisterUnavailableError } from '../../src/store/index.js';
import { panelSession, type PanelSession } from '../support/panel-session.js';
import { startHarness, TOKEN, type Harness } from '../support/crocetta-harness.js';

const PASSWORD = 'italian-errors-password';
let h: Harness;

async function post(s: PanelSession, path: string, form: Record<string, string>, csrf = s.csrf): Promise<Response> {
  return fetch(h.url(path), {
    method: 'POST',
    headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    body: new URLSearchParams({ _csrf: csrf, ...form }).toString(),
    redirect: 'manual',
  });
}

/** The page's refusal notice, as text. */
function notice(page: string): string {
  const m = /<p class="notice error"[^>]*>([^<]*)<\/p>/.exec(page);
  return (m?.[1] ?? '')
    .replaceAll('&#39;', "'")
    .replaceAll('&quot;', '"')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>');
}

/** An error page's message (`<h1>title</h1><p>message</p>`), as text. */
function errorMessage(page: string): string {
  const m = /<h1>[^<]*<\/h1><p>([^<]*)<\/p>/.exec(page);
  return (m?.[1] ?? '')
    .replaceAll('&#39;', "'")
    .replaceAll('&quot;', '"')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}

/** The JSON API's answer, byte for byte (with the API token, as a script asks). */
async function apiAnswer(method: string, path: string, body?: string): Promise<{ status: number; body: string }> {
  const res = await fetch(h.url(path), {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body }),
  });
  return { status: res.status, body: await res.text() };
}

/** The error notice of the page a refused form comes back to. */
async function noticeAfter(s: PanelSession, path: string, form: Record<string, string>): Promise<string> {
  return notice(await (await post(s, path, form)).text());
}

/** An error a page and the JSON API both say (the catalogue's key): how each gets it, and what each says. */
interface Shared {
  key: string;
  /** Makes the register fail for the request, when the error needs it; returns the undo. */
  fault?: () => () => void;
  /** The English page: its request, status and words; `was` what it said before (the API's words, or their start). */
  page?: { path: string; form?: Record<string, string>; status: number; said: string; was: string };
  /** The JSON API's request (with the API token) and its answer, byte for byte, as it always was. */
  api?: { method: string; path: string; body?: string; status: number; answer: string };
}

const LONG = '1'.repeat(65);
const SHARED: Shared[] = [
  {
    key: 'errorNoRoute',
    page: {
      path: '/no-such-page',
      status: 404,
      said: 'This page does not exist (/no-such-page): check the address or go back to the dashboard.',
      was: 'no such route: GET /no-such-page',
    },
    api: {
      method: 'GET',
      path: '/api/no-such-thing',
      status: 404,
      answer: '{"error":"no such route: GET /api/no-such-thing"}',
    },
  },
  {
    key: 'errorNumberRequired',
    page: {
      path: `/numbers/${LONG}`,
      status: 400,
      said: 'A phone number is needed (at most 64 characters).',
      was: 'a phone number is required (at most 64 characters)',
    },
    api: {
      method: 'GET',
      path: `/api/numbers/${LONG}`,
      status: 400,
      answer: '{"error":"a phone number is required (at most 64 characters)"}',
    },
  },
  {
    key: 'errorNotNumber',
    page: {
      path: '/numbers/abc',
      status: 400,
      said: 'This is not a phone number: "abc".',
      was: 'not a phone number: "abc"',
    },
    api: { method: 'GET', path: '/api/numbers/abc', status: 400, answer: '{"error":"not a phone number: \\"abc\\""}' },
  },
  {
    key: 'errorInvalidRequest',
    // The page names its field, the API its parameter (zod-error-text.ts): only the sentence around them changed.
    page: {
      path: '/numbers/0212345678/mark',
      form: { label: 'bogus' },
      status: 400,
      said: 'Request not valid: Label: choose one of: nuisance, trusted, none',
      was: 'invalid request:',
    },
    api: {
      method: 'GET',
      path: '/api/attempts?limit=0',
      status: 400,
      answer: '{"error":"invalid request: limit: expected a whole number from 1 to 1000"}',
    },
  },
  {
    key: 'errorBodyTooLarge',
    page: {
      path: '/rules',
      form: { section: 'prefix-add', label: 'x'.repeat(20_000) },
      status: 413,
      said: 'The form you sent is too large: shorten its texts and try again.',
      was: 'request entity too large',
    },
    api: {
      method: 'POST',
      path: '/api/numbers/0212345678/mark',
      body: JSON.stringify({ label: 'nuisance', company: 'x'.repeat(70_000) }),
      status: 413,
      answer: '{"error":"request entity too large"}',
    },
  },
  {
    key: 'errorInternal',
    fault: () => {
      const reads = vi.spyOn(h.app.register, 'numberSummary').mockRejectedValue(new Error('disk exploded'));
      return () => reads.mockRestore();
    },
    page: {
      path: '/numbers/0212345678',
      status: 500,
      said: 'Internal error: the request did not go through. Try again; if it happens again, the service log says why.',
      was: 'internal error',
    },
    api: { method: 'GET', path: '/api/numbers/0212345678', status: 500, answer: '{"error":"internal error"}' },
  },
  {
    key: 'errorRegisterUnavailable',
    fault: () => {
      const marks = vi.spyOn(h.app.register, 'mark').mockRejectedValue(new RegisterUnavailableError());
      return () => marks.mockRestore();
    },
    page: {
      path: '/numbers/0212345678/mark',
      form: { label: 'nuisance' },
      status: 503,
      said: 'The register cannot write at the moment (disk full, disk errors or file locked): nothing was changed, try again later.',
      was: 'the register cannot write at the moment (disk full, I/O errors or locked): nothing was changed, try again later',
    },
    api: {
      method: 'POST',
      path: '/api/numbers/0212345678/mark',
      body: '{"label":"nuisance"}',
      status: 503,
      answer:
        '{"error":"the register cannot write at the moment (disk full, I/O errors or locked): nothing was changed, try again later"}',
    },
  },
  {
    // Only the JSON API parses a JSON body (express.json on /api/numbers/:number/mark and /appeal): no page says it.
    key: 'errorBadJson',
    api: {
      method: 'POST',
      path: '/api/numbers/0212345678/mark',
      body: '{"label":',
      status: 400,
      answer: '{"error":"invalid JSON body"}',
    },
  },
];

describe("the panel's refusals in the office's language", () => {
  let it_: PanelSession;
  let en: PanelSession;

  beforeAll(async () => {
    h = await startHarness({ ADMIN_PASSWORD: PASSWORD });
    it_ = await panelSession((path) => h.url(path), PASSWORD, 'it');
    en = await panelSession((path) => h.url(path), PASSWORD, 'en');
  });
  afterAll(async () => {
    await h.stop();
  });

  it('names the refused setting as the page labels it and says what to write, in Italian', async () => {
    const repeat = await post(it_, '/rules', { section: 'repeat', enabled: '1', attempts: 'tre', withinDays: '400' });
    expect(repeat.status).toBe(200);
    expect(notice(await repeat.text())).toBe(
      'Non salvato: Molesto dal tentativo N: scrivi un numero; entro giorni: al massimo 365',
    );

    expect(
      await noticeAfter(it_, '/rules', {
        section: 'prefix-add',
        prefix: 'zero otto',
        verdict: 'nuisance',
        label: 'x',
      }),
    ).toBe(
      'Non salvato: Prefisso: scrivi un prefisso di numero di telefono, come lo componi (0844) o internazionale (+390844)',
    );

    expect(
      await noticeAfter(it_, '/settings', {
        trusted: 'suona',
        unknown: 'allow',
        suspect: 'check:99',
        nuisance: 'reject',
      }),
    ).toBe(
      'Non salvato: Azione per valutazione, fidato: scegli un’azione dell’elenco (allow, tag, reject, reject:<400-699>, ' +
        'announce-early, announce-answer, hangup, check o check:<1-60>); ' +
        'Azione per valutazione, sospetto: l’attesa di check:<secondi> va da 1 a 60 secondi',
    );

    expect(await noticeAfter(it_, '/settings', { section: 'rule-add', dids: '02 12 34 ab', action: 'reject' })).toBe(
      'Non salvato: Regola 1, I nostri numeri: scrivi uno dei nostri numeri, per esempio +39 02 1234 5678 oppure 0212345678',
    );

    expect(
      await noticeAfter(it_, '/settings', {
        section: 'hours',
        mon: '18:00-09:00',
        holidays: 'IT',
        closed: '31-02-2026',
      }),
    ).toBe(
      'Non salvato: Orario di apertura, Lunedì: l’apertura deve venire prima della chiusura; ' +
        'Giorni di chiusura: scrivi un giorno come gg/mm/aaaa, per esempio 24/12/2026, 24/12 (ogni anno) o un periodo ' +
        'come 10/08/2026..21/08/2026',
    );
    // Nothing was saved: no prefix rule "zero otto", the repeat rule as before.
    const rules = await (await fetch(h.url('/rules'), { headers: { cookie: it_.cookie } })).text();
    expect(rules).not.toContain('zero otto');
    expect(rules).not.toMatch(/name="attempts"[^>]*value="tre"/);
  });

  it('keeps the English page English', async () => {
    // The field as the English page labels it, what to write in plain words (was zod's own "attempts: Invalid input:
    // expected number, received NaN"), the schema's own message as written.
    expect(
      await noticeAfter(en, '/rules', { section: 'repeat', enabled: '1', attempts: 'three', withinDays: '7' }),
    ).toBe('Not saved: Nuisance from the Nth attempt: write a number');
    expect(await noticeAfter(en, '/settings', { section: 'rule-add', dids: '02 12 34 ab', action: 'reject' })).toBe(
      'Not saved: Rule 1, Our numbers: expected one of our numbers, such as +39 02 1234 5678 or 0212345678',
    );
    expect(
      await noticeAfter(en, '/settings', {
        trusted: 'ring',
        unknown: 'allow',
        suspect: 'allow',
        nuisance: 'reject',
      }),
    ).toMatch(/^Not saved: Action per verdict, trusted: expected allow, tag, reject/);
    // A closed day refused in the page's form, day first as the field's label and its other date fields say (was the
    // schema's own "expected a day such as 2026-12-24, 12-24 (every year) or a range 2026-08-10..2026-08-21").
    expect(await noticeAfter(en, '/settings', { section: 'hours', holidays: 'IT', closed: '31-02-2026' })).toBe(
      'Not saved: Closed days: write a day as dd/mm/yyyy, day first, e.g. 24/12/2026, 24/12 (every year) or a range ' +
        '10/08/2026..21/08/2026',
    );
  });

  it("says a dossier period it cannot read in the page's words, in both languages, and the API's in its own", async () => {
    const dossierPage = async (s: PanelSession, query: string): Promise<{ status: number; text: string }> => {
      const res = await fetch(h.url(`/dossier?company=Acme&${query}`), {
        headers: { cookie: s.cookie, accept: 'text/html' },
      });
      return { status: res.status, text: (await res.text()).replaceAll('&#39;', "'") };
    };
    const cases: Array<[PanelSession, string, string]> = [
      [it_, 'since=31/11/2026', 'La data «Dal» non si legge: scrivila come gg/mm/aaaa, per esempio 24/12/2026.'],
      [it_, 'until=ieri', 'La data «Al» non si legge: scrivila come gg/mm/aaaa, per esempio 24/12/2026.'],
      [it_, 'since=05/12/2026&until=04/12/2026', 'La data «Dal» deve venire prima della data «Al».'],
      // Was the API's words: 'since: expected a day (YYYY-MM-DD), an ISO 8601 instant or ms since epoch, got "31/11/2026"'.
      [en, 'since=31/11/2026', 'The date “From” cannot be read: write it day first, dd/mm/yyyy, e.g. 24/12/2026.'],
      [en, 'until=yesterday', 'The date “To” cannot be read: write it day first, dd/mm/yyyy, e.g. 24/12/2026.'],
      [en, 'since=05/12/2026&until=04/12/2026', 'The date “From” must come before the date “To”.'],
    ];
    for (const [session, query, said] of cases) {
      const page = await dossierPage(session, query);
      expect(page.status, query).toBe(400);
      expect(page.text, query).toContain(said);
      expect(page.text, query).not.toMatch(/since: |until: |YYYY-MM-DD/);
    }
    // The JSON API names its parameters and the forms it takes, as documented.
    const api = async (query: string) =>
      (
        (await (
          await fetch(h.url(`/api/dossier?company=Acme&${query}`), { headers: { cookie: it_.cookie } })
        ).json()) as {
          error: string;
        }
      ).error;
    expect(await api('since=31/11/2026')).toBe(
      'since: expected a day (YYYY-MM-DD), an ISO 8601 instant or ms since epoch, got "31/11/2026"',
    );
    expect(await api('until=yesterday')).toMatch(/^until: expected a day \(YYYY-MM-DD\)/);
    expect(await api('since=2026-12-05&until=2026-12-04')).toBe('since: must be before until');
  });

  it("says a dossier asked for a company and a number in the page's words, in both languages, and the API's in its own", async () => {
    const dossierPage = async (s: PanelSession): Promise<{ status: number; text: string }> => {
      const res = await fetch(h.url('/dossier?company=Acme&number=0212345678'), {
        headers: { cookie: s.cookie, accept: 'text/html' },
      });
      return { status: res.status, text: await res.text() };
    };
    const cases: Array<[PanelSession, string]> = [
      [it_, 'Scegli un’azienda oppure un numero, non entrambi.'],
      // Was the API's words: 'company, number: give one of them, not both'.
      [en, 'Choose a company or a number, not both.'],
    ];
    for (const [session, said] of cases) {
      const page = await dossierPage(session);
      expect(page.status).toBe(400);
      expect(page.text).toContain(`<p>${said}</p>`);
      expect(page.text).not.toContain('company, number');
    }
    const api = await fetch(h.url('/api/dossier?company=Acme&number=0212345678'), { headers: { cookie: it_.cookie } });
    expect(api.status).toBe(400);
    expect(await api.json()).toEqual({ error: 'company, number: give one of them, not both' });
  });

  it("says a rankings period that ends before it starts in the JSON API's words: no page takes since/until", async () => {
    for (const s of [it_, en]) {
      const res = await fetch(h.url('/api/rankings/companies?since=2026-12-05&until=2026-12-04'), {
        headers: { cookie: s.cookie },
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error: 'since: must not be after until' });
    }
    // The page takes a period (7, 30… days), never since/until: nothing there can end before it starts.
    const page = await fetch(h.url('/rankings?since=2026-12-05&until=2026-12-04'), {
      headers: { cookie: en.cookie, accept: 'text/html' },
    });
    expect(page.status).toBe(200);
  });

  it("says a rule form the page no longer matches in the page's words, in both languages", async () => {
    const pageText = async (res: Response): Promise<string> => (await res.text()).replaceAll('&#39;', "'");
    const added = await post(en, '/settings', { section: 'rule-add', dids: '0212345678', action: 'reject' });
    expect(added.status).toBe(303);
    try {
      const cases: Array<[PanelSession, string, string]> = [
        [it_, '9', 'Questa regola non esiste più (la pagina non era aggiornata): ricarica la pagina e riprova.'],
        [it_, '0', 'Operazione sconosciuta sulla regola: ricarica la pagina e riprova.'],
        // Were the form's field names: 'index: no such rule (the page may be out of date)', 'op: expected save, …'.
        [en, '9', 'This rule no longer exists (the page was out of date): reload the page and try again.'],
        [en, '0', 'Unknown operation on the rule: reload the page and try again.'],
      ];
      for (const [session, index, said] of cases) {
        const res = await post(session, '/settings', { section: 'rule', index, op: 'bogus' });
        expect(res.status, said).toBe(400);
        expect(await pageText(res), said).toContain(`<p>${said}</p>`);
      }
    } finally {
      expect((await post(en, '/settings', { section: 'rule', index: '0', op: 'remove' })).status).toBe(303);
    }
  });

  it.each(SHARED.flatMap((c) => (c.page === undefined ? [] : [{ ...c, page: c.page }])))(
    "$key: the English page says it in the page's words",
    async ({ fault, page }) => {
      const undo = fault?.();
      try {
        const res =
          page.form === undefined
            ? await fetch(h.url(page.path), { headers: { cookie: en.cookie, accept: 'text/html' } })
            : await post(en, page.path, page.form);
        expect(res.status).toBe(page.status);
        const said = errorMessage(await res.text());
        expect(said).toBe(page.said);
        expect(said.startsWith(page.was), said).toBe(false);
      } finally {
        undo?.();
      }
    },
  );

  it.each(SHARED.flatMap((c) => (c.api === undefined ? [] : [{ ...c, api: c.api }])))(
    '$key: the JSON API answers as it always has, byte for byte',
    async ({ fault, api }) => {
      const undo = fault?.();
      try {
        expect(await apiAnswer(api.method, api.path, api.body)).toEqual({ status: api.status, body: api.answer });
      } finally {
        undo?.();
      }
    },
  );

  // The errors only the panel's pages say (no API route throws them): the English catalogue is their only English.
  it("errorNotUpload: the English page says a form without a readable upload in the page's words", async () => {
    // busboy refuses a multipart form without its boundary (was 'expected a file upload (multipart/form-data)').
    const res = await fetch(h.url('/import'), {
      method: 'POST',
      headers: { cookie: en.cookie, accept: 'text/html', 'content-type': 'multipart/form-data' },
      body: 'x',
    });
    expect(res.status).toBe(400);
    expect(errorMessage(await res.text())).toBe('No file arrived: choose the file and press the button again.');
  });

  it("errorUploadUnreadable: the English page says an upload cut short in the page's words", async () => {
    // It ends mid-field, before any file, so no import starts (was 'the upload could not be read (multipart/form-data)').
    const res = await fetch(h.url('/import'), {
      method: 'POST',
      headers: { cookie: en.cookie, accept: 'text/html', 'content-type': 'multipart/form-data; boundary=XyZ' },
      body: '--XyZ\r\nContent-Disposition: form-data; name="format"\r\n\r\nlis',
    });
    expect(res.status).toBe(400);
    expect(errorMessage(await res.text())).toBe('The file you sent could not be read: try uploading it again.');
  });

  it("errorCsrf: the English page says an expired form in the page's words, as the Italian page does", async () => {
    // Was 'this form has expired or did not come from the panel (CSRF token missing or wrong): reload the page and try again'.
    const res = await post(en, '/settings', { trusted: 'allow' }, 'stale-token');
    expect(res.status).toBe(403);
    expect(errorMessage(await res.text())).toBe(
      'This form has expired or was not sent from the panel, so it was not accepted and nothing changed. Reload the page and try again.',
    );
  });

  it('refuses a login form posted without a session by its CSRF check (errorNoSession was never said)', async () => {
    const login = new URLSearchParams({ _csrf: 'x', password: PASSWORD }).toString();
    const form = { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' };
    const noSession = await fetch(h.url('/login'), {
      method: 'POST',
      headers: { ...form, cookie: 'crocetta_lang=en' },
      body: login,
      redirect: 'manual',
    });
    expect(noSession.status).toBe(403);
    expect(errorMessage(await noSession.text())).toMatch(/^This form has expired or was not sent from the panel/);
    // Any other spelling of the path reaches the route only with a logged-in session: without one, the login page.
    for (const path of ['/LOGIN', '/login/']) {
      const other = await fetch(h.url(path), { method: 'POST', headers: form, body: login, redirect: 'manual' });
      expect([other.status, other.headers.get('location')], path).toEqual([303, '/login']);
    }
  });

  it('says an expired form, an unknown page and a form too large in Italian', async () => {
    const csrf = await post(it_, '/settings', { trusted: 'allow' }, 'stale-token');
    expect(csrf.status).toBe(403);
    const csrfPage = await csrf.text();
    expect(csrfPage).toContain('<html lang="it"');
    expect(csrfPage).toContain('<h1>Non consentito</h1>');
    expect(csrfPage).toContain('Questo modulo è scaduto o non è stato inviato dal pannello');
    expect(csrfPage).toContain('Ricarica la pagina e riprova.');
    expect(csrfPage).not.toContain('CSRF token');

    const missing = await fetch(h.url('/pagina-che-non-esiste'), {
      headers: { cookie: it_.cookie, accept: 'text/html' },
    });
    expect(missing.status).toBe(404);
    const missingPage = await missing.text();
    expect(missingPage).toContain('<h1>Non trovato</h1>');
    expect(missingPage).toContain('Questa pagina non esiste (/pagina-che-non-esiste)');
    expect(missingPage).not.toContain('no such route');

    const large = await post(it_, '/rules', { section: 'prefix-add', label: 'x'.repeat(20_000) });
    expect(large.status).toBe(413);
    const largePage = await large.text();
    expect(largePage).toContain('<h1>Troppo grande</h1>');
    expect(largePage).toContain('Il modulo inviato è troppo grande');
  });

  it("answers panel.js's upload form in Italian, and the JSON API in English", async () => {
    const form = new FormData();
    form.set('format', 'list');
    form.set('file', new Blob(['0212345678\n']), 'numeri.txt');
    const upload = await fetch(h.url('/import?async=1'), {
      method: 'POST',
      headers: { cookie: it_.cookie, accept: 'application/json', 'x-csrf-token': 'stale-token' },
      body: form,
    });
    expect(upload.status).toBe(403);
    expect(((await upload.json()) as { error: string }).error).toMatch(/^Questo modulo è scaduto/);

    const api = await fetch(h.url('/api/no-such-thing'), { headers: { cookie: it_.cookie } });
    expect(api.status).toBe(404);
    expect(await api.json()).toEqual({ error: 'no such route: GET /api/no-such-thing' });
    const apiLimit = await fetch(h.url('/api/attempts?limit=0'), { headers: { cookie: it_.cookie } });
    expect(apiLimit.status).toBe(400);
    expect(((await apiLimit.json()) as { error: string }).error).toBe(
      'invalid request: limit: expected a whole number from 1 to 1000',
    );
  });
});
