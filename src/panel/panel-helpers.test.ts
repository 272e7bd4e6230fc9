import { describe, expect, it } from 'vitest';
import { LoginLimiter, hashPassword, parseCookies, verifyPassword } from './auth.js';
import { csvField } from './csv.js';
import { escapeHtml, html, raw } from './html.js';
import { localeFor, pickLang } from './i18n.js';
import { leastBothering, rankingsPage } from './pages/rankings.js';
import { dashboardPage } from './pages/dashboard.js';
import { outcomeText } from './pages/number.js';
import { linesNowCard } from './pages/policies.js';
import { actionText } from './action-text.js';

describe('panel helpers', () => {
  it('escape every interpolated value, once', () => {
    const name = '<img src=x onerror=alert(1)>';
    expect(html`<td title="${'"x" & \'y\''}">${name}</td>`.value).toBe(
      '<td title="&quot;x&quot; &amp; &#39;y&#39;">&lt;img src=x onerror=alert(1)&gt;</td>',
    );
    expect(html`<p>${html`<b>${'&'}</b>`}${raw('<br>')}${[1, '<', null, false]}</p>`.value).toBe(
      '<p><b>&amp;</b><br>1&lt;</p>',
    );
    expect(escapeHtml('`')).toBe('&#96;');
  });

  it('write CSV fields that a spreadsheet will not run as formulas', () => {
    expect(csvField('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvField('+390212345678')).toBe("'+390212345678"); // text, not 3.90212E+11
    expect(csvField('-1.5')).toBe('-1.5');
    expect(csvField('-1+2')).toBe("'-1+2");
    expect(csvField(0.99)).toBe('0.99');
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField(null)).toBe('');
  });

  it("list the rankings' categories in the order of the names the page shows", () => {
    const options = (lang: 'it' | 'en') => {
      const loc = localeFor(lang, 'Europe/Rome', 'IT');
      const ctx = { loc, csrf: 'x', path: '/rankings', now: 0, timeZone: 'Europe/Rome' };
      const page = rankingsPage(ctx, {
        period: '30',
        category: undefined,
        categories: ['energy', 'insurance', 'pannelli', 'telecom'],
        companies: [],
        numbers: [],
      }).value;
      return [...page.matchAll(/<option value="([a-z]+)">/g)].map((m) => m[1]);
    };
    // assicurazioni, energia, pannelli, telefonia; energy, insurance, pannelli, telecoms
    expect(options('it')).toEqual(['insurance', 'energy', 'pannelli', 'telecom']);
    expect(options('en')).toEqual(['energy', 'insurance', 'pannelli', 'telecom']);
  });

  it("name the dashboard's counts after their period in lower case: Oggi: tentativi, Today: attempts", () => {
    const page = (lang: 'it' | 'en') =>
      dashboardPage(
        { loc: localeFor(lang, 'Europe/Rome', 'IT'), csrf: 'x', path: '/', now: 0, timeZone: 'Europe/Rome' },
        {
          today: { attempts: 3, stopped: 1, unreached: 0 },
          week: { attempts: 9, stopped: 4, unreached: 0 },
          perDay: [],
          topOffenders: [],
        },
      ).value;
    const labels = (lang: 'it' | 'en') => [...page(lang).matchAll(/<div class="l">([^<]*)<\/div>/g)].map((m) => m[1]);
    expect(labels('it')).toEqual([
      'Oggi: tentativi',
      'Oggi: fermati',
      'Oggi: passati',
      'Questa settimana: tentativi',
      'Questa settimana: fermati',
      'Questa settimana: passati',
    ]);
    expect(labels('en')).toEqual([
      'Today: attempts',
      'Today: stopped',
      'Today: passed',
      'This week: attempts',
      'This week: stopped',
      'This week: passed',
    ]);
  });

  it('count the calls let through that reached no PBX apart from those that passed, in the cards and the chart', () => {
    const day = {
      day: 20_000,
      attempts: 5,
      stopped: 1,
      unreached: 3,
      byVerdict: { trusted: 0, unknown: 5, suspect: 0, nuisance: 0 },
    };
    const page = (lang: 'it' | 'en', unreached: number) =>
      dashboardPage(
        { loc: localeFor(lang, 'Europe/Rome', 'IT'), csrf: 'x', path: '/', now: 0, timeZone: 'Europe/Rome' },
        {
          today: { attempts: 5, stopped: 1, unreached: Math.min(unreached, 3) },
          week: { attempts: 9, stopped: 4, unreached },
          perDay: [{ ...day, unreached: Math.min(unreached, 3) }],
          topOffenders: [],
        },
      ).value;
    const cards = (html: string) =>
      [...html.matchAll(/<div class="n">([^<]*)<\/div><div class="l">([^<]*)<\/div>/g)].map((m) => `${m[2]}: ${m[1]}`);
    expect(cards(page('it', 4))).toEqual([
      'Oggi: tentativi: 5',
      'Oggi: fermati: 1',
      'Oggi: passati: 1',
      'Oggi: non recapitati: 3',
      'Questa settimana: tentativi: 9',
      'Questa settimana: fermati: 4',
      'Questa settimana: passati: 1',
      'Questa settimana: non recapitati: 4',
    ]);
    expect(page('it', 4)).toContain(
      'Non recapitati: chiamate che crocetta ha lasciato passare ma che non sono arrivate a nessuno in ufficio: nessun centralino era registrato per riceverle',
    );
    expect(page('it', 4)).toContain('il centralino non ha risposto o si è detto non disponibile (408, 503)');
    expect(page('it', 4)).toContain('oppure il chiamante non ha superato la verifica');
    expect(page('en', 4)).toContain(
      'Undelivered: calls crocetta let through that reached nobody in the office: no PBX was registered',
    );
    expect(page('en', 4)).toContain('the PBX did not answer or said it was unavailable (408, 503)');
    expect(page('en', 4)).toContain('or the caller did not pass the human check');
    const datasets = (html: string) =>
      (
        JSON.parse((/data-chart="([^"]*)"/.exec(html)?.[1] ?? '').replace(/&quot;/g, '"').replace(/&amp;/g, '&')) as {
          datasets: Array<{ label: string; data: number[] }>;
        }
      ).datasets.map((d) => [d.label, d.data]);
    expect(datasets(page('en', 4))).toEqual([
      ['Stopped', [1]],
      ['Passed', [1]],
      ['Undelivered', [3]],
    ]);
    // None this week (the usual case): the three cards a period and two series, as before.
    expect(cards(page('en', 0))).toEqual([
      'Today: attempts: 5',
      'Today: stopped: 1',
      'Today: passed: 4',
      'This week: attempts: 9',
      'This week: stopped: 4',
      'This week: passed: 5',
    ]);
    expect(datasets(page('en', 0)).map(([label]) => label)).toEqual(['Stopped', 'Passed']);
    expect(page('en', 0)).not.toContain('unreached-note');
  });

  // Italian groups from five digits on (CLDR: 2345, 12.345); English from four (2,345).
  it("write the rankings' counts as the page's language writes numbers, 12.345 in Italian, 12,345 in English", () => {
    const page = (lang: 'it' | 'en') =>
      rankingsPage(
        { loc: localeFor(lang, 'Europe/Rome', 'IT'), csrf: 'x', path: '/rankings', now: 0, timeZone: 'Europe/Rome' },
        {
          period: '365',
          category: undefined,
          categories: ['energy'],
          companies: [
            { company: 'Example Energia', category: 'energy', attempts: 12_345, stopped: 10_345, numbers: 11_200 },
            { company: 'Esempio Gas', category: 'energy', attempts: 23_456, stopped: 13_456, numbers: 11_300 },
          ],
          numbers: [
            {
              callerKey: '+390298765432',
              label: 'nuisance',
              company: 'Example Energia',
              category: 'energy',
              displayName: null,
              attempts: 43_210,
              stopped: 12_340,
            },
          ],
        },
      ).value;
    const it = page('it');
    const en = page('en');
    for (const [text, n] of [
      [it, ['12.345', '10.345', '11.200', '43.210', '12.340']],
      [en, ['12,345', '10,345', '11,200', '43,210', '12,340']],
    ] as const) {
      for (const v of n) expect(text).toContain(`>${v}<`);
      expect(text).not.toMatch(/>(12345|10345|11200|43210|12340)</);
    }
    expect(it).toContain('(tentativi: 12.345)');
    expect(en).toContain('(attempts: 12,345)');
  });

  it("say what each line would do, and why a remembered check changed it, in the page's language", () => {
    const loc = localeFor('it', 'Europe/Rome', 'IT');
    const ctx = { loc, csrf: 'x', path: '/numbers/%2B390212345678', now: 0, timeZone: 'Europe/Rome' };
    const note = {
      code: 'check-remembered',
      text: 'passed the check on 3 Nov 2026: let through without one for 30 days',
      weight: 0,
      params: { passedAt: '2026-11-03T10:00:00.000Z' },
    };
    const card = linesNowCard(ctx, {
      time: '03/11/26, 10:00',
      state: 'aperto',
      lines: [
        {
          did: '02 1234 5670',
          name: 'sales',
          verdict: 'suspect',
          choice: { action: { kind: 'tag' }, rule: null, open: null },
          note,
        },
      ],
    }).value;
    expect(card).toContain('ha superato la verifica il 3 nov 2026: passa senza verifica per 30 giorni');
    expect(card).toContain('<span title="tag">passata, segnata sospetta</span>');
    expect(card).not.toContain('passed the check');
  });

  it('name actions in words, keeping an unknown one as written', () => {
    expect(actionText('it', 'reject:607')).toBe('rifiutata (607 indesiderata)');
    expect(actionText('it', 'reject')).toBe('rifiutata (607 indesiderata)');
    expect(actionText('en', 'reject:499')).toBe('refused (code 499)');
    expect(actionText('it', 'check:12')).toBe('verifica umana (12 s per premere un tasto)');
    expect(actionText('en', 'announce-early')).toBe('refusal message, not answered');
    expect(actionText('it', 'unroutable')).toBe('non inoltrata, numero chiamato illeggibile');
    expect(actionText('en', 'unroutable')).toBe('not forwarded, the called number unreadable');
    expect(actionText('it', 'teleport')).toBe('teleport');
    expect(actionText('it', 'allow:x')).toBe('allow:x');
  });

  it('choose the language from the cookie, then Accept-Language, else Italian', () => {
    expect(pickLang('en', 'it-IT')).toBe('en');
    expect(pickLang(undefined, 'de-DE,en;q=0.8,it;q=0.5')).toBe('en');
    expect(pickLang(undefined, 'it-IT,it;q=0.9,en;q=0.8')).toBe('it');
    expect(pickLang('xx', 'fr')).toBe('it');
    const it = localeFor('it', 'Europe/Rome', 'IT');
    expect(it.dateTime(Date.parse('2026-11-04T23:30:00Z'))).toBe('05/11/26, 00:30');
    expect(it.t('leastAdviceAll', { company: 'X', n: 2 })).toMatch(/X ti ha disturbato meno \(tentativi: 2\)/);
  });

  it('hash the admin password with scrypt and verify it in constant time', async () => {
    const hash = await hashPassword('s3cret pass');
    expect(hash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(hash).not.toContain('s3cret');
    expect(await verifyPassword('s3cret pass', hash)).toBe(true);
    expect(await verifyPassword('s3cret pasS', hash)).toBe(false);
    expect(await verifyPassword('x', 'garbage')).toBe(false);
  });

  it('limit failed logins per client within a window', () => {
    let now = 0;
    const limiter = new LoginLimiter(3, 1000, () => now);
    for (let i = 0; i < 3; i++) limiter.fail('a');
    expect(limiter.blocked('a')).toBe(true);
    expect(limiter.blocked('b')).toBe(false);
    now = 1001;
    expect(limiter.blocked('a')).toBe(false);
  });

  it('parse cookies, ignoring malformed values', () => {
    expect([...parseCookies('a=1; b=%E0%A4%A; c=x%20y; a=2').entries()]).toEqual([
      ['a', '1'],
      ['c', 'x y'],
    ]);
  });

  it('find the company that bothered least in each category', () => {
    const least = leastBothering([
      { company: 'A', category: 'energy', attempts: 9, stopped: 0, numbers: 1 },
      { company: 'C', category: 'energy', attempts: 1, stopped: 0, numbers: 1 },
      { company: 'B', category: 'energy', attempts: 1, stopped: 0, numbers: 1 },
      { company: 'T', category: 'telecom', attempts: 4, stopped: 0, numbers: 1 },
    ]);
    expect(least.get('energy')?.company).toBe('B');
    expect(least.get('telecom')?.company).toBe('T');
  });

  it('advise no supplier by the alphabet: a tie for the fewest names every company that tied, an even field says so', () => {
    const advice = (lang: 'it' | 'en', companies: Array<[string, string | null, number]>) =>
      [
        ...rankingsPage(
          { loc: localeFor(lang, 'Europe/Rome', 'IT'), csrf: 'x', path: '/rankings', now: 0, timeZone: 'Europe/Rome' },
          {
            period: '7',
            category: undefined,
            categories: ['energy'],
            companies: companies.map(([company, category, attempts]) => ({
              company,
              category,
              attempts,
              stopped: 0,
              numbers: 1,
            })),
            numbers: [],
          },
        ).value.matchAll(/<p class="advice">([^<]*)<\/p>/g),
      ].map((m) => m[1]);
    // Seen on a first day: Gas Sereno and Luce Facile Srl 3 attempts each, and the advice named Gas Sereno alone.
    expect(
      advice('it', [
        ['Luce Facile Srl', 'energy', 3],
        ['Gas Sereno', 'energy', 3],
      ]),
    ).toEqual([
      'Le aziende di energia che hai segnato ti hanno disturbato allo stesso modo (tentativi: 3 ciascuna): la classifica non sa ancora dirti quale fornitore scegliere.',
    ]);
    expect(
      advice('en', [
        ['Volta', 'energy', 9],
        ['Luce Facile Srl', 'energy', 3],
        ['Gas Sereno', 'energy', 3],
        ['A', null, 2],
        ['B', null, 5],
      ]),
    ).toEqual([
      'Of the energy companies you marked, Gas Sereno and Luce Facile Srl bothered you least (attempts: 3 each): if you are choosing a supplier, those are the ones to consider.',
      'Of the companies you marked, A bothered you least (attempts: 2).',
    ]);
    expect(
      advice('it', [
        ['Volta', 'energy', 9],
        ['Luce Facile Srl', 'energy', 3],
        ['Gas Sereno', 'energy', 3],
        ['Sole', 'energy', 3],
      ]),
    ).toEqual([
      'Tra le aziende di energia che hai segnato, Gas Sereno, Luce Facile Srl e Sole ti hanno disturbato meno (tentativi: 3 ciascuna): se devi scegliere un fornitore, sono quelle da considerare.',
    ]);
    // One company fewer than the rest: named alone, as before.
    expect(
      advice('en', [
        ['Volta', 'energy', 9],
        ['Gas Sereno', 'energy', 3],
      ]),
    ).toEqual([
      'Of the energy companies you marked, Gas Sereno bothered you least (attempts: 3): if you are choosing a supplier, that is the one to consider.',
    ]);
  });

  it('show how long the office talked, or how much of the message the caller heard', () => {
    const t = localeFor('it', 'Europe/Rome', 'IT');
    const en = localeFor('en', 'Europe/Rome', 'IT');
    expect(outcomeText(t, { outcome: 'answered', finalStatus: 200, talkMs: 240_400 })).toBe(
      'risposta 200 · parlato 4:00',
    );
    expect(outcomeText(en, { outcome: 'rejected', finalStatus: 607, playedMs: 6_360 })).toBe(
      'rejected 607 · message played 0:06',
    );
    expect(outcomeText(t, { outcome: 'declined', finalStatus: 603 })).toBe('non accettata 603');
    // A forwarded call the PBX never answered in time: drachtio's own 408, or nothing at all.
    expect(outcomeText(t, { outcome: 'timeout', finalStatus: 408 })).toBe('nessuna risposta in tempo 408');
    expect(outcomeText(en, { outcome: 'timeout', finalStatus: null })).toBe('no answer in time');
    // The human check: its result and how long it took.
    expect(outcomeText(en, { outcome: 'answered', finalStatus: 200, check: 'passed', checkMs: 2_430 })).toBe(
      'answered 200 · check passed (2.4 s)',
    );
    expect(
      outcomeText(t, { outcome: 'rejected', finalStatus: 200, check: 'no-digit', checkMs: 13_800, playedMs: 6_400 }),
    ).toBe('respinta 200 · verifica: nessun tasto (13,8 s) · messaggio ascoltato 0:06');
    expect(outcomeText(t, { outcome: 'answered', finalStatus: 200, check: 'passed', checkMs: 2_430 })).toBe(
      'risposta 200 · verifica superata (2,4 s)',
    );
    expect(outcomeText(t, { outcome: 'answered', finalStatus: 200, check: 'hung-up', checkMs: null })).not.toMatch(
      /\(/,
    );
  });
});
