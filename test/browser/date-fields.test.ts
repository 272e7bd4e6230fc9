/**
 * The panel's date fields in a real browser (Debian's chromium, playwright-core) whose own language is English while
 * the office reads the panel in Italian: the browser's date input wrote mm/dd/yyyy there (04/12/2026 typed was 12
 * April). The register's and the dossier's fields take the day first, as the panel writes dates, say so, and say
 * when what was typed is no day; a link with the ISO day (`?from=2026-11-06`) still works.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { canRunBrowser, logIn, TestBrowser } from '../support/browser.js';
import { startHarness, type Harness } from '../support/crocetta-harness.js';
import { buildInvite } from '../support/drachtio-double.js';
import { saveScreenshot } from './artifact.js';

const PASSWORD = 'office-Pa55word!';
const DID = '+390612345678';
/** One caller a day: Thursday 5, Friday 6 and Saturday 7 November 2026 (the harness's clock starts on the 5th). */
const CALLERS = ['+390655550005', '+390655550006', '+390655550007'];
const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'browser');

let h: Harness;
const browser = new TestBrowser();

/** The register's rows' numbers. */
function listed(page: Page): Promise<string[]> {
  return page.locator('#register tbody tr td.c-number a').allTextContents();
}

async function filter(page: Page, from: string, to: string): Promise<void> {
  await page.fill('form.filters input[name=from]', from);
  await page.fill('form.filters input[name=to]', to);
  await Promise.all([page.waitForURL(/\/register\?/), page.click('form.filters button[type=submit]')]);
}

describe.skipIf(!canRunBrowser)('date fields take the day first, whatever the browser speaks', () => {
  browser.around(
    async () => {
      h = await startHarness({ ADMIN_PASSWORD: PASSWORD });
      h.double.onProxy(() => [{ status: 180 }, { status: 486 }]);
      for (const caller of CALLERS) {
        await h.double
          .injectRequest(
            buildInvite({ from: `<sip:${caller}@203.0.113.10>`, to: DID, requestUri: `sip:${DID}@127.0.0.1` }),
          )
          .waitForFinal();
        h.clock.advance(86_400_000);
      }
      await h.app.register.flush();
    },
    () => h?.stop(),
  );

  it('register: an Italian page in an English browser reads 06/11/2026 as 6 November, and says a date it cannot read', async () => {
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    await logIn(page, h, PASSWORD);
    await page.goto(h.url('/register?lang=it'));
    expect(await listed(page)).toEqual(['06 5555 0007', '06 5555 0006', '06 5555 0005']);
    // The field says its order, in the page's language.
    const from = page.locator('form.filters input[name=from]');
    expect(await from.getAttribute('placeholder')).toBe('gg/mm/aaaa');
    expect(await page.locator('form.filters label:has(input[name=from])').innerText()).toMatch(
      /^Dal\s+\(gg\/mm\/aaaa\)/,
    );

    await filter(page, '06/11/2026', '06/11/2026');
    expect(await listed(page)).toEqual(['06 5555 0006']);
    expect(await from.inputValue()).toBe('06/11/2026');
    // From the 6th on, typed the short way.
    await filter(page, '6/11/26', '');
    expect(await listed(page)).toEqual(['06 5555 0007', '06 5555 0006']);
    await saveScreenshot(page, join(ARTIFACTS, 'register-dates-it-en-browser.png'), { fullPage: false });

    // No such day: said above the list, the field marked and kept as typed; the list is not limited by it.
    await filter(page, '31/11/2026', '');
    expect(await page.locator('.notice.error').innerText()).toBe(
      'La data «Dal» non si legge (31/11/2026): scrivila come gg/mm/aaaa, per esempio 24/12/2026. L’elenco non è limitato da quella data.',
    );
    expect(await from.getAttribute('aria-invalid')).toBe('true');
    expect(await from.inputValue()).toBe('31/11/2026');
    expect(await listed(page)).toHaveLength(3);

    // A link with the ISO day (a bookmark, the pager's) still filters, and the field shows it day first.
    await page.goto(h.url('/register?from=2026-11-07'));
    expect(await listed(page)).toEqual(['06 5555 0007']);
    expect(await from.inputValue()).toBe('07/11/2026');
    await context.close();
  });

  it('dossier: the period typed day first, the JSON link carries the ISO days (English page, phone)', async () => {
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await logIn(page, h, PASSWORD);
    await page.goto(h.url('/dossier?lang=en'));
    expect(await page.locator('input[name=since]').getAttribute('placeholder')).toBe('dd/mm/yyyy');
    await page.fill('input[name=number]', '06 5555 0006');
    await page.fill('input[name=since]', '06/11/2026');
    await page.fill('input[name=until]', '06/11/2026');
    await Promise.all([page.waitForURL(/\/dossier\?/), page.click('form.filters button[type=submit]')]);
    const json = new URL((await page.locator('a:text-is("JSON")').getAttribute('href')) ?? '', h.url('/'));
    expect([json.searchParams.get('since'), json.searchParams.get('until')]).toEqual(['2026-11-06', '2026-11-06']);
    expect(await page.locator('input[name=since]').inputValue()).toBe('06/11/2026');
    const api = (await h.api('GET', `${json.pathname}${json.search}`)).json as { attempts: number };
    expect(api.attempts).toBe(1); // the 6th's one call, of the caller's one
    // Both fields inside the phone's window.
    const past: string[] = await page.evaluate(`[...document.querySelectorAll('form.filters input')]
      .filter((c) => c.offsetParent !== null && c.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
      .map((c) => c.name)`);
    expect(past).toEqual([]);
    await context.close();
  });
});
