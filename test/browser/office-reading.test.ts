/**
 * The panel as an Italian office reads it, in a real browser (Debian's chromium via playwright-core) against the real
 * app and the drachtio double: numbers written as people write them (national for Italian numbers, international
 * for foreign ones, the withheld and junk callers said sensibly) with E.164 kept in links; the search box takes a
 * number as typed; categories in Italian; every page in one language; the opening hours readable whole at 1366 px and
 * on a phone; no request answered 404 (the icon); an import of a file without numbers says so; the import limit in
 * MB; a company's dossier says its mark once for all its numbers. Screenshots go to
 * test-artifacts/browser/ (a picture, never a check).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { buildInvite } from '../support/drachtio-double.js';
import { canRunBrowser, logIn, TestBrowser } from '../support/browser.js';
import { startHarness, type Harness } from '../support/crocetta-harness.js';
import { saveScreenshot } from './artifact.js';

const PASSWORD = 'office-Pa55word!';
const DID = '+390212345670';
const CENTRE = '+390298765432';
/** Another number of the call centre's company. */
const CENTRE_2 = '+390298700002';
const LONDON = '+442079460958';
const JUNK = 'OFFERTA-2x1';
const HOURS = '08:30-13:00, 14:30-18:30';
const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'browser');

let h: Harness;
const browser = new TestBrowser();
/** Every answer of 400 or more the browser got, with its URL. */
const failed: string[] = [];

function invite(from: string, extra: Partial<Parameters<typeof buildInvite>[0]> = {}) {
  return h.double.injectRequest(buildInvite({ from, to: DID, requestUri: `sip:${DID}@127.0.0.1`, ...extra }));
}

async function office(
  width: number,
  height: number,
  locale = 'it-IT',
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ locale, viewport: { width, height } });
  const page = await context.newPage();
  page.on('response', (r) => {
    if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
  });
  await logIn(page, h, PASSWORD);
  return { context, page };
}

describe.skipIf(!canRunBrowser)('the panel as an Italian office reads it', () => {
  browser.around(
    async () => {
      mkdirSync(ARTIFACTS, { recursive: true });
      h = await startHarness({ ADMIN_PASSWORD: PASSWORD });
      h.double.onProxy(() => [{ status: 180 }, { status: 486 }]);
      // A call centre (national in From), a caller abroad, a withheld caller, a caller ID that is no number.
      await invite(`"Offerte Luce" <sip:0298765432@203.0.113.10>`).waitForFinal();
      await invite(`"London Office" <sip:${LONDON}@203.0.113.20>`).waitForFinal();
      await invite(`"Anonymous" <sip:anonymous@anonymous.invalid>`, {
        extraHeaders: { Privacy: 'id' },
      }).waitForFinal();
      await invite(`"Offerta" <sip:${JUNK}@203.0.113.40>`).waitForFinal();
      const mark = await h.api('POST', `/api/numbers/${encodeURIComponent(CENTRE)}/mark`, {
        label: 'nuisance',
        company: 'Example Energia',
        category: 'energy',
      });
      expect(mark.status).toBe(200);
      // Its next call is refused, with the mark in the reason.
      expect((await invite(`"Offerte Luce" <sip:0298765432@203.0.113.10>`).waitForFinal()).status).toBe(607);
      await h.app.register.flush();
    },
    () => h?.stop(),
  );

  it('writes numbers as people do, keeps E.164 in links, and finds a number however it is typed', async () => {
    const { context, page } = await office(1366, 768);
    await page.goto(h.url('/register'));
    const numbers = await page.locator('#register td.c-number').allTextContents();
    expect(numbers.map((n) => n.trim())).toEqual(
      expect.arrayContaining(['02 9876 5432', '+44 20 7946 0958', 'nascosto', JUNK]),
    );
    for (const n of numbers) expect(n).not.toMatch(/\+39\d/);
    expect(await page.locator('#register td.c-called').first().textContent()).toBe('02 1234 5670');
    expect(await page.locator('#register a', { hasText: '02 9876 5432' }).first().getAttribute('href')).toBe(
      `/numbers/${encodeURIComponent(CENTRE)}`,
    );
    await saveScreenshot(page, join(ARTIFACTS, 'office-register.png'), { fullPage: false });

    for (const typed of ['02 9876 5432', '0039 02 9876 5432', '+39 029 876 5432', '9876 5432']) {
      await page.fill('input[name=q]', typed);
      await Promise.all([page.waitForURL(/q=/), page.click('form.filters button[type=submit]')]);
      const found = (await page.locator('#register td.c-number').allTextContents()).map((n) => n.trim());
      expect(found.length, typed).toBe(2);
      expect(new Set(found), typed).toEqual(new Set(['02 9876 5432']));
    }

    await page.goto(h.url(`/numbers/${encodeURIComponent(LONDON)}`));
    expect(await page.locator('h1').textContent()).toBe('+44 20 7946 0958');
    expect(await page.locator('#number-kind').textContent()).toContain('Regno Unito');
    await page.goto(h.url('/'));
    // The most insistent callers (the table after "I nostri numeri", which lists our own numbers).
    const offenders = page.locator('h2:text-is("I più insistenti della settimana") ~ .scroll table').first();
    expect(await offenders.textContent()).toContain('02 9876 5432');
    await context.close();
  });

  it('names categories in Italian on Italian pages, and in English on English ones', async () => {
    const { context, page } = await office(1366, 768);
    await page.goto(h.url('/rankings'));
    const row = page.locator('#companies tbody tr', { hasText: 'Example Energia' });
    expect(await row.locator('td').nth(2).textContent()).toBe('energia');
    expect(await page.locator('select[name=category] option').allTextContents()).toEqual([
      'tutte le categorie',
      'energia',
    ]);
    await page.goto(h.url('/register'));
    expect(await page.locator('#register td.reason', { hasText: 'Example Energia' }).first().textContent()).toContain(
      '(Example Energia, energia)',
    );
    await page.goto(h.url('/rankings?lang=en'));
    expect(await page.locator('#companies tbody tr td').nth(2).textContent()).toBe('energy');
    await context.close();
  });

  it('shows the opening hours whole at 1366 × 768 and on a phone', async () => {
    const { context, page } = await office(1366, 768);
    await page.goto(h.url('/settings'));
    for (const day of ['mon', 'tue', 'wed', 'thu', 'fri']) await page.fill(`#business-hours input[name=${day}]`, HOURS);
    await Promise.all([page.waitForURL(/\/settings/), page.click('#business-hours button[type=submit]')]);
    await context.close();
    for (const [width, height] of [
      [1366, 768],
      [390, 844],
    ] as const) {
      const { context: c, page: p } = await office(width, height);
      await p.goto(h.url('/settings'));
      expect(await p.locator('#business-hours input[name=mon]').inputValue()).toBe(HOURS);
      // Each day's field shows its whole value (nothing scrolled out of sight), and the page does not scroll sideways.
      const cut: string[] = await p.evaluate(`[...document.querySelectorAll('#business-hours input')]
        .filter((i) => i.scrollWidth > i.clientWidth + 1).map((i) => i.name)`);
      expect(cut, `${width} px`).toEqual([]);
      expect(await p.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBe(0);
      expect(await p.locator('select[name=holidays] option:checked').textContent()).toBe('Italia');
      await saveScreenshot(p, join(ARTIFACTS, `office-settings-${width}.png`));
      await c.close();
    }
  });

  it('takes a prefix rule typed as the office dials it, keeps it in E.164 and shows it as dialled', async () => {
    const { context, page } = await office(1366, 768);
    await page.goto(h.url('/rules'));
    const form = page.locator('form:has(input[name=section][value=prefix-add])');
    await form.locator('input[name=prefix]').fill('0828 12');
    await form.locator('input[name=label]').fill('Call centre Eboli');
    await Promise.all([page.waitForURL(/\/rules\?saved=1/), form.locator('button[type=submit]').click()]);
    const row = page.locator('tr', { hasText: 'Call centre Eboli' });
    expect(await row.locator('td.mono').textContent()).toBe('0828 12');
    expect(await row.locator('td.mono').getAttribute('title')).toBe('+39082812');
    // Its next caller from that block is screened by it.
    const next = await invite(`"Offerte" <sip:0828123456@203.0.113.50>`).waitForFinal();
    expect(next.status).toBe(607);
    await context.close();
  });

  it("says a company's mark once in its dossier, after all its numbers", async () => {
    // A second number of the call centre's company, marked alike.
    const mark = await h.api('POST', `/api/numbers/${encodeURIComponent(CENTRE_2)}/mark`, {
      label: 'nuisance',
      company: 'Example Energia',
      category: 'energy',
    });
    expect(mark.status).toBe(200);
    const { context, page } = await office(1366, 768);
    await page.goto(h.url(`/dossier?company=${encodeURIComponent('Example Energia')}`));
    const facts = page.locator('.dossier-facts');
    expect(await facts.locator('dt').nth(3).textContent()).toBe('Numeri coperti');
    const covered = (await facts.locator('dd').nth(3).textContent()) ?? '';
    expect(covered).toMatch(/^02 98\d\d \d{4}, 02 98\d\d \d{4} \(molesto, Example Energia, energia\)$/);
    expect(covered).toContain('02 9876 5432');
    expect(covered).toContain('02 9870 0002');
    await saveScreenshot(page, join(ARTIFACTS, 'office-dossier.png'));
    await context.close();
  });

  it('writes the import limit as people write it', async () => {
    const { context, page } = await office(1366, 768);
    await page.goto(h.url('/import'));
    expect(await page.locator('main').textContent()).toContain('Al massimo 512 MB.');
    expect(await page.locator('main').textContent()).not.toContain('MiB');
    await context.close();
  });

  it('keeps each page in one language, says a file without numbers had none, and asks for nothing that is missing', async () => {
    const { context, page } = await office(1366, 768);
    await page.goto(h.url('/import'));
    const formats = await page.locator('select[name=format] option').allTextContents();
    expect(formats).toContain('Elenco semplice, un numero per riga (.txt)');
    for (const f of formats) expect(f).not.toMatch(/Plain list|contacts|phonebook|records|export \(/);
    const empty = join(ARTIFACTS, 'elenco-vuoto.txt');
    writeFileSync(empty, '\n# numeri da bloccare\n\n');
    await page.selectOption('select[name=format]', 'list');
    await page.setInputFiles('input[name=file]', empty);
    await Promise.all([page.waitForURL(/job=/), page.click('form.import-form button[type=submit]')]);
    await page.locator('#import-status[data-state=done]').waitFor();
    expect(await page.locator('#import-status h2').first().textContent()).toContain(
      'Il file non conteneva nessun numero di telefono',
    );
    expect(await page.locator('#import-status').textContent()).not.toContain('terminata');
    await saveScreenshot(page, join(ARTIFACTS, 'office-import-empty.png'));

    for (const path of ['/', '/register', '/rankings', '/rules', '/settings', '/dossier']) await page.goto(h.url(path));
    await page.goto(h.url('/favicon.ico'));
    expect(failed).toEqual([]);
    await context.close();
  });
});
