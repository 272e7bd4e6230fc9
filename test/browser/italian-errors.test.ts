/**
 * The panel's refusals as the Italian office sees them, in a real browser (Debian's chromium, playwright-core)
 * against the real app: opening hours the schema refuses, a rule with a number that is not one, a form whose CSRF
 * token expired (the session ended in another tab), an address that does not exist, a broken CSV import. Every one
 * is said in Italian. Screenshots in test-artifacts/browser/italian-*.png.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { canRunBrowser, logIn, TestBrowser } from '../support/browser.js';
import { startHarness, type Harness } from '../support/crocetta-harness.js';
import { saveScreenshot } from './artifact.js';

const PASSWORD = 'office-Pa55word!';
const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'browser');
/** Words of the English messages that must not reach the Italian pages. */
const ENGLISH = /\b(expected|invalid|must|no such|not found|reload|CSRF|request)\b/i;

let h: Harness;
const browser = new TestBrowser();
let context: BrowserContext;
let page: Page;

async function shot(name: string): Promise<void> {
  await saveScreenshot(page, join(ARTIFACTS, `italian-${name}.png`));
}

describe.skipIf(!canRunBrowser)('refusals on the Italian panel, in a browser', () => {
  browser.around(
    async () => {
      mkdirSync(ARTIFACTS, { recursive: true });
      h = await startHarness({ ADMIN_PASSWORD: PASSWORD });
    },
    () => h?.stop(),
  );

  beforeAll(async () => {
    context = await browser.newContext({ locale: 'it-IT', viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    await logIn(page, h, PASSWORD);
  }, 120_000);

  it('says refused settings in Italian, naming the field as the page labels it', async () => {
    await page.goto(h.url('/settings'));
    const hours = page.locator('form:has(input[name=section][value=hours])');
    await hours.locator('input[name=mon], textarea[name=mon]').fill('18:00-09:00');
    await Promise.all([page.waitForLoadState('load'), hours.locator('button[type=submit]').click()]);
    const notice = (await page.locator('p.notice.error').textContent()) ?? '';
    expect(notice).toBe('Non salvato: Orario di apertura, Lunedì: l’apertura deve venire prima della chiusura');
    await shot('settings-hours');

    const rule = page.locator('form#rule-new');
    await rule.locator('input[name=dids]').fill('centralino');
    await Promise.all([page.waitForLoadState('load'), rule.locator('button[type=submit]').click()]);
    const ruleNotice = (await page.locator('p.notice.error').textContent()) ?? '';
    expect(ruleNotice).toMatch(/^Non salvato: Regola 1, I nostri numeri: scrivi uno dei nostri numeri, per esempio/);
    expect(ruleNotice).not.toMatch(ENGLISH);
    await shot('settings-rule');
  });

  it('says an expired form and an unknown address in Italian', async () => {
    await page.goto(h.url('/settings'));
    // The session's token changed (logged out and in again in another tab): this page's forms carry the old one.
    await page.locator('input[name=_csrf]').evaluateAll((inputs) => {
      for (const input of inputs as unknown as Array<{ value: string }>) input.value = 'old-token';
    });
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/settings') && r.request().method() === 'POST'),
      page.locator('form[action="/settings"] button.primary').first().click(),
    ]);
    expect(answer.status()).toBe(403);
    await page.waitForLoadState('load');
    expect(await page.locator('h1').textContent()).toBe('Non consentito');
    const text = (await page.locator('main, body').first().textContent()) ?? '';
    expect(text).toContain('Questo modulo è scaduto o non è stato inviato dal pannello');
    expect(text).not.toMatch(ENGLISH);
    await shot('csrf');

    const missing = await page.goto(h.url('/registro'));
    expect(missing?.status()).toBe(404);
    expect(await page.locator('h1').textContent()).toBe('Non trovato');
    expect((await page.locator('body').textContent()) ?? '').not.toMatch(ENGLISH);
    await shot('not-found');
  });

  it("says a broken CSV's problem in Italian on the import page", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crocetta-it-csv-'));
    const csv = join(dir, 'elenco.csv');
    writeFileSync(csv, 'number,label\n"0299887766,nuisance\n');
    await page.goto(h.url('/import'));
    await page.selectOption('select[name=format]', 'csv');
    await page.setInputFiles('input[name=file]', csv);
    await Promise.all([page.waitForURL(/\/import\?job=/), page.click('form[data-import] button[type=submit]')]);
    await expect.poll(() => page.locator('#import-status').getAttribute('data-state')).toBe('refused');
    const error = (await page.locator('#import-errors li').first().textContent()) ?? '';
    expect(error).toBe('riga 2: CSV non valido: una virgoletta aperta non viene mai chiusa (file troncato?)');
    await shot('import-csv');
  });
});
