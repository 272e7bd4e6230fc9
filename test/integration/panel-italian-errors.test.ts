/**
 * The panel's refusals in the office's language, over real HTTP: a setting the config's schema refuses names the
 * field as the page labels it and says in Italian what to write; a form with an expired CSRF token, an unknown page,
 * a form too large and the upload form's JSON answer are Italian too; English stays English, and the JSON API keeps
 * its English messages (scripts and the CLI read them).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { panelSession, type PanelSession } from '../support/panel-session.js';
import { startHarness, type Harness } from '../support/crocetta-harness.js';

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

/** The error notice of the page a refused form comes back to. */
async function noticeAfter(s: PanelSession, path: string, form: Record<string, string>): Promise<string> {
  return notice(await (await post(s, path, form)).text());
}

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
      'Non salvato: Azione per esito, fidato: scegli un’azione dell’elenco (allow, tag, reject, reject:<400-699>, ' +
        'announce-early, announce-answer, hangup, check o check:<1-60>); ' +
        'Azione per esito, sospetto: l’attesa di check:<secondi> va da 1 a 60 secondi',
    );

    expect(await noticeAfter(it_, '/settings', { section: 'rule-add', dids: '02 12 34 ab', action: 'reject' })).toBe(
      'Non salvato: Regola 1, I nostri numeri: scrivi uno dei nostri numeri, per esempio +39 02 1234 5678 oppure 0212345678',
    );

    expect(
      await noticeAfter(it_, '/settings', {
        section: 'hours',
        mon: '18:00-09:00',
        holidays: 'IT',
        closed: '31-12-2026',
      }),
    ).toBe(
      'Non salvato: Orario di apertura, Lunedì: l’apertura deve venire prima della chiusura; ' +
        'Giorni di chiusura: scrivi un giorno come 2026-12-24, 12-24 (ogni anno) o un periodo come 2026-08-10..2026-08-21',
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

    const enCsrf = await post(en, '/settings', { trusted: 'allow' }, 'stale-token');
    expect(await enCsrf.text()).toContain('this form has expired or did not come from the panel');
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
