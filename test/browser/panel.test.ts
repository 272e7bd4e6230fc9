/**
 * The panel in a real browser (Debian's chromium driven by playwright-core) against the real app, the drachtio
 * double and a real SQLite register: log in, read the register, mark a caller from it, see the next INVITE
 * refused and the company in the rankings; hostile display names stay text; forms without CSRF are refused;
 * Italian and English. Screenshots go to test-artifacts/browser/.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { buildInvite } from '../support/drachtio-double.js';
import { canRunBrowser, logIn, TestBrowser } from '../support/browser.js';
import { startHarness, type Harness } from '../support/crocetta-harness.js';
import { saveScreenshot } from './artifact.js';

const PASSWORD = 'office-Pa55word!';
const DID = '+390612345678';
const NUISANCE = '+390298765432';
const XSS_NAME = '<img src=x onerror=alert(1)>';
/** A caller ID that is no phone number, as some carriers send one. */
const JUNK = 'OFFERTA-2x1';
const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'browser');

const canRun = canRunBrowser;

let h: Harness;
const browser = new TestBrowser();
const dialogs: string[] = [];

function invite(from: string, extra: Partial<Parameters<typeof buildInvite>[0]> = {}) {
  return h.double.injectRequest(buildInvite({ from, to: DID, requestUri: `sip:${DID}@127.0.0.1`, ...extra }));
}

async function newContext(locale: string): Promise<BrowserContext> {
  const context = await browser.newContext({ locale, viewport: { width: 1280, height: 900 } });
  context.on('page', (p) => p.on('dialog', (d) => void (dialogs.push(d.message()), d.dismiss())));
  return context;
}

async function login(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  page.on('dialog', (d) => void (dialogs.push(d.message()), d.dismiss()));
  await logIn(page, h, PASSWORD, { from: '/' });
  return page;
}

async function shot(page: Page, name: string): Promise<void> {
  await saveScreenshot(page, join(ARTIFACTS, `${name}.png`));
}

describe.skipIf(!canRun)('the panel in a browser', () => {
  browser.around(
    async () => {
      mkdirSync(ARTIFACTS, { recursive: true });
      h = await startHarness({ ADMIN_PASSWORD: PASSWORD });
      h.double.onProxy(() => [{ status: 180 }, { status: 486 }]);
      // A seeded register: a call centre twice, a hostile display name and user agent, a second energy company.
      for (const from of [
        `"Offerte Luce" <sip:0298765432@203.0.113.10>`,
        `"Offerte Luce" <sip:0298765432@203.0.113.10>`,
      ]) {
        await invite(from).waitForFinal();
        h.clock.advance(600_000);
      }
      await invite(`"${XSS_NAME}" <sip:+393331234567@203.0.113.20>`, {
        extraHeaders: { 'User-Agent': '<script>alert(2)</script>' },
      }).waitForFinal();
      await invite(`"Gas Promo" <sip:0611223344@203.0.113.30>`).waitForFinal();
      await invite(`"Offerta" <sip:${JUNK}@203.0.113.40>`).waitForFinal();
      const mark = await h.api('POST', '/api/numbers/0611223344/mark', {
        label: 'nuisance',
        company: 'Altra Luce',
        category: 'energy',
      });
      expect(mark.status).toBe(200);
      await h.app.register.flush();
    },
    () => h?.stop(),
  );

  it('logs in, marks a caller nuisance from the register, refuses its next INVITE and ranks its company', async () => {
    const context = await newContext('en-GB');
    const page = await login(context);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Dashboard');
    await page.locator('canvas[data-chart][width]').first().waitFor(); // Chart.js drew it
    await shot(page, 'dashboard');

    await page.goto(h.url('/register'));
    // The caller as the office writes it, linked by its E.164.
    const rows = page.locator('#register tbody tr', { hasText: '02 9876 5432' });
    const row = rows.first();
    await expect.poll(() => rows.count()).toBe(2);
    expect(await row.locator('a', { hasText: '02 9876 5432' }).getAttribute('href')).toBe(
      `/numbers/${encodeURIComponent(NUISANCE)}`,
    );
    expect(await row.locator('.ticks + .small').textContent()).toBe('2');
    await shot(page, 'register');
    await row.locator('summary').click();
    await row.locator('input[name=company]').fill('Example Energia');
    await row.locator('input[name=category]').fill('energy');
    await Promise.all([page.waitForURL(/\/register/), row.locator('button[value=nuisance]').click()]);

    const call = invite(`"Offerte Luce" <sip:0298765432@203.0.113.10>`);
    const final = await call.waitForFinal();
    expect(final.status).toBe(607);
    expect(call.proxy).toBeUndefined();
    await h.app.register.flush();

    await page.goto(h.url('/rankings'));
    const company = page.locator('#companies tbody tr', { hasText: 'Example Energia' });
    expect(await company.locator('td').nth(3).textContent()).toBe('3');
    expect(await company.locator('td').nth(4).textContent()).toBe('1');
    expect(await page.locator('.advice').textContent()).toMatch(/Altra Luce bothered you least \(attempts: 1\)/);
    await page.locator('canvas[data-chart][width]').first().waitFor(); // Chart.js drew it
    // Attempts are whole: the lying bars' value axis (x) ticks 0, 1, 2, 3, never 0.5 (it did, up to 3 attempts).
    const axis: { indexAxis: string; x: number[] } = await page.evaluate(`(() => {
      const chart = window.Chart.getChart(document.querySelector('canvas[data-chart][width]'));
      return { indexAxis: chart.options.indexAxis, x: chart.scales.x.ticks.map((t) => t.value) };
    })()`);
    expect(axis.indexAxis).toBe('y');
    expect(axis.x[0]).toBe(0);
    expect(axis.x).toContain(3);
    expect(axis.x.filter((v) => !Number.isInteger(v))).toEqual([]);
    await shot(page, 'rankings');

    await page.goto(h.url(`/numbers/${encodeURIComponent(NUISANCE)}`));
    expect(await page.locator('main').textContent()).toMatch(/Example Energia/);
    expect(await page.locator('.timeline').textContent()).toMatch(/3/);
    await shot(page, 'number');

    const api = await h.api('GET', '/api/rankings/companies?since=2026-11-01&until=2026-11-30&category=energy');
    expect(api.status).toBe(200);
    expect(api.json).toMatchObject({
      companies: [
        { company: 'Example Energia', attempts: 3, stopped: 1 },
        { company: 'Altra Luce', attempts: 1 },
      ],
    });
    await context.close();
  });

  it('shows a hostile display name and user agent as text, and no dialog fires', async () => {
    const context = await newContext('en-GB');
    const page = await login(context);
    await page.goto(h.url('/register'));
    await expect.poll(() => page.locator('#register td', { hasText: XSS_NAME }).count()).toBe(1);
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    await page.goto(h.url(`/numbers/${encodeURIComponent('+393331234567')}`));
    expect(await page.locator('main').textContent()).toContain('<script>alert(2)</script>');
    expect(await page.locator('main script').count()).toBe(0);
    await page.waitForTimeout(300);
    expect(dialogs).toEqual([]);
    await context.close();
  });

  it('refuses a form without the CSRF token, or with a wrong one', async () => {
    const context = await newContext('en-GB');
    await login(context);
    const url = h.url(`/numbers/${encodeURIComponent('+393331234567')}/mark`);
    const missing = await context.request.post(url, { form: { label: 'trusted' }, maxRedirects: 0 });
    expect(missing.status()).toBe(403);
    const wrong = await context.request.post(url, { form: { label: 'trusted', _csrf: 'forged' }, maxRedirects: 0 });
    expect(wrong.status()).toBe(403);
    const settings = await context.request.post(h.url('/settings'), { form: { nuisance: 'allow' }, maxRedirects: 0 });
    expect(settings.status()).toBe(403);
    expect(h.app.register.evidenceFor('+393331234567').mark).toBeNull();
    await context.close();
  });

  it('speaks Italian and English', async () => {
    const context = await newContext('it-IT');
    const page = await context.newPage();
    await page.goto(h.url('/login'));
    expect(await page.locator('h1').textContent()).toContain('Accedi a crocetta');
    await page.close();
    const logged = await login(context);
    expect(await logged.locator('h1').textContent()).toBe('Cruscotto');
    expect(await logged.locator('html').getAttribute('lang')).toBe('it');
    await logged.goto(h.url('/rankings?lang=en'));
    expect(await logged.locator('h1').textContent()).toBe('Rankings');
    await logged.goto(h.url('/register?lang=it'));
    expect(await logged.locator('h1').textContent()).toBe('Registro');
    await context.close();
  });

  it('says what was done with each call in words, in Italian and English, and filters by them', async () => {
    const context = await newContext('it-IT');
    const page = await login(context);
    await page.goto(h.url('/register'));
    const actions = () => page.locator('#register td.c-action').allTextContents();
    // The first test marked the centre: its third call got 607; the others were let through.
    expect(await actions()).toContain('rifiutata (607 indesiderata)');
    expect(await actions()).toContain('lasciata passare');
    for (const a of await actions())
      expect(a).not.toMatch(/^(allow|tag|reject|redirect|announce|hangup|check|no-pbx|unroutable)\b/);
    // The configuration's word stays at hand, as the cell's tooltip.
    expect(await page.locator('#register td.c-action span[title="reject:607"]').count()).toBe(1);
    const options = await page.locator('select[name=action] option').allTextContents();
    expect(options).toEqual([
      'qualsiasi',
      'lasciata passare',
      'passata, segnata sospetta',
      'rifiutata',
      'mandata al centralino (redirect)',
      'messaggio di rifiuto, senza risposta',
      'risposta con il messaggio di rifiuto',
      'risposta e chiusa subito',
      'verifica umana (premere un tasto)',
      'lasciata passare, nessun centralino registrato (480)',
      'non inoltrata, numero chiamato illeggibile',
    ]);
    // The filter's URL keeps the configuration's word, so links and bookmarks stay valid.
    await page.selectOption('select[name=action]', { label: 'rifiutata' });
    await Promise.all([page.waitForURL(/action=reject/), page.click('form.filters button[type=submit]')]);
    expect(await actions()).toEqual(['rifiutata (607 indesiderata)']);
    await shot(page, 'register-it-refused');
    await page.goto(h.url(`/numbers/${encodeURIComponent(NUISANCE)}`));
    expect(await page.locator('main table').last().textContent()).toContain('rifiutata (607 indesiderata)');
    await page.goto(h.url('/register?lang=en'));
    expect(await actions()).toContain('refused (607 unwanted)');
    expect(await actions()).toContain('let through');
    await context.close();
  });

  it("titles a junk caller's page with the caller ID it sent, as text", async () => {
    const context = await newContext('it-IT');
    const page = await login(context);
    await page.goto(h.url('/register'));
    await Promise.all([page.waitForURL(/\/numbers\//), page.locator('#register a', { hasText: JUNK }).click()]);
    expect(await page.locator('h1').textContent()).toBe(JUNK);
    expect(await page.title()).toBe(`${JUNK} · crocetta`);
    expect(await page.locator('#raw-caller').textContent()).toMatch(/non è un numero di telefono valido/);
    await shot(page, 'number-junk');
    // Whatever a raw key holds stays text: a hostile one in the URL is shown, never run.
    const hostile = '<script>alert(3)</script>';
    await page.goto(h.url(`/numbers/${encodeURIComponent(`raw:${hostile}`)}`));
    expect(await page.locator('h1').textContent()).toBe(hostile);
    expect(await page.locator('main script').count()).toBe(0);
    await page.waitForTimeout(300);
    expect(dialogs).toEqual([]);
    await context.close();
  });

  it('applies a changed action from the settings page to the next call, without restart', async () => {
    const context = await newContext('en-GB');
    const page = await login(context);
    await page.goto(h.url('/settings'));
    await page.selectOption('#action-nuisance', 'reject:608');
    await Promise.all([page.waitForURL(/saved=1/), page.click('form[action="/settings"] button[type=submit]')]);
    expect(await page.locator('.notice').textContent()).toMatch(/next call/);
    await shot(page, 'settings');
    expect((await invite(`"Offerte Luce" <sip:0298765432@203.0.113.10>`).waitForFinal()).status).toBe(608);
    await context.close();
  });
});
