/**
 * A withheld caller (Privacy: id, its number asserted by the carrier) as an Italian office sees it in a real browser
 * (Debian's chromium via playwright-core), at 1366 px and on a phone (390 px): the register names it
 * "Numero nascosto · A3F9" on each of its rows, never its digits, and the page still fits the window; its link opens
 * its page, where the office marks it nuisance, and its next call is refused (user37, session 37: the register showed
 * "333 999 8877 (nascosto)"). Screenshots go to test-artifacts/browser/.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { canRunBrowser, openLoggedIn, TestBrowser } from '../support/browser.js';
import { startHarness, type Harness } from '../support/crocetta-harness.js';
import { buildInvite } from '../support/drachtio-double.js';
import { saveScreenshot } from './artifact.js';

const PASSWORD = 'office-Pa55word!';
const DID = '+390612345678';
const HIDDEN = '+393339998877';
const DIGITS = /3339998877|333 999 8877|999 8877/;
const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'browser');

let h: Harness;
const browser = new TestBrowser();

function withheldCall(): Promise<number> {
  const invite = buildInvite({
    from: '"Anonymous" <sip:anonymous@anonymous.invalid>',
    pai: `tel:${HIDDEN}`,
    privacy: 'id',
    to: DID,
    requestUri: `sip:${DID}@127.0.0.1`,
  });
  return h.double
    .injectRequest(invite)
    .waitForFinal()
    .then((f) => f.status);
}

function open(width: number): Promise<Page> {
  return openLoggedIn(browser, h, PASSWORD, { path: '/register', width, locale: 'it-IT' });
}

describe.skipIf(!canRunBrowser)('a withheld caller in the panel, in a browser', () => {
  browser.around(
    async () => {
      h = await startHarness({ ADMIN_PASSWORD: PASSWORD });
      h.double.onProxy(() => [{ status: 200 }]);
      for (let i = 0; i < 2; i++) {
        expect(await withheldCall()).toBe(200);
        h.clock.advance(3600_000);
      }
      await h.app.register.flush();
    },
    () => h?.stop(),
  );

  it.each([1366, 390])('the register at %i px names it "Numero nascosto · A3F9", never its digits', async (width) => {
    const page = await open(width);
    await saveScreenshot(page, join(ARTIFACTS, `withheld-register-${width}.png`), { fullPage: false });
    const names = (await page.locator('#register a.hidden-caller').allInnerTexts()).map((n) => n.replace(/\s+/g, ' '));
    expect(names).toHaveLength(2);
    expect(names[0]).toMatch(/^Numero nascosto · [0-9A-F]{4}$/);
    expect(names[1]).toBe(names[0]);
    // On one line: at 1366 px it wrapped after the dot in the number column (user38, session 38).
    const lines = await page.evaluate(
      `[...document.querySelectorAll('#register a.hidden-caller')].map((a) => a.getClientRects().length)`,
    );
    expect(lines).toEqual([1, 1]);
    expect(await page.locator('body').innerText()).not.toMatch(DIGITS);
    expect(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBe(0);
    await page.context().close();
  });

  it('the search finds it by the name the register shows (before: "A3F9" found nothing), still not by its digits', async () => {
    const page = await open(1366);
    const name = (await page.locator('#register a.hidden-caller').first().innerText()).replace(/\s+/g, ' ');
    const tag = name.slice(-4);
    const search = async (text: string): Promise<string[]> => {
      await page.fill('form.filters input[name=q]', text);
      await Promise.all([page.waitForURL(/[?&]q=/), page.getByRole('button', { name: 'Filtra' }).click()]);
      return (await page.locator('#register tbody td.c-number').allInnerTexts()).map((n) => n.replace(/\s+/g, ' '));
    };
    expect(await search(tag.toLowerCase())).toEqual([name, name]);
    expect(await search(name)).toEqual([name, name]);
    expect(await search(`withheld number ${tag}`)).toEqual([name, name]);
    // The view's CSV follows the search: its two calls, by its token.
    const href = (await page.locator('form.filters a[download]').first().getAttribute('href')) ?? '';
    const csv = String(await page.evaluate(`fetch(${JSON.stringify(href)}).then((r) => r.text())`));
    expect(csv.trim().split('\n')).toHaveLength(3);
    expect(csv).not.toMatch(DIGITS);
    // Another name, or its digits, find none of its calls.
    expect(await search(tag === 'FFFF' ? '0000' : 'FFFF')).toEqual([]);
    expect(await search('333 999 8877')).toEqual([]);
    await page.context().close();
  });

  it('its page is reached from the register, marked nuisance there, and its next call is refused', async () => {
    const page = await open(1366);
    const link = page.locator('#register a.hidden-caller').first();
    const name = (await link.innerText()).replace(/\s+/g, ' ');
    await Promise.all([page.waitForURL(/\/numbers\/hidden%3A/), link.click()]);
    expect(await page.locator('h1').innerText()).toBe(name);
    await page.fill('details.mark input[name=company]', 'Call centre nascosto');
    await Promise.all([page.waitForURL(/marked=nuisance/), page.click('details.mark button[value=nuisance]')]);
    await saveScreenshot(page, join(ARTIFACTS, 'withheld-number-marked.png'), { fullPage: false });
    expect(await page.locator('p.notice[data-marked=nuisance]').innerText()).toContain(name);
    expect(page.url()).not.toMatch(DIGITS);
    expect(await page.locator('body').innerText()).not.toMatch(DIGITS);
    expect(await withheldCall()).toBe(607);
    await page.context().close();
  });
});
