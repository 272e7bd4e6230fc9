/**
 * "Tutto / Chiamate / SMS" on the register, in a real browser (Debian's chromium, playwright-core): the office sees
 * only its calls or only its text messages in one click (panel45's walk, session 45: no way to, and a search for
 * "SMS" found nothing). The choice stands on the title's line, not in the filters' row (full at 1280 px:
 * laptop-width.test.ts), and stays through the other filters, the CSV of the view and the URL.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { newAttempt } from '../../src/store/test-fixtures.js';
import { canRunBrowser, openLoggedIn, TestBrowser } from '../support/browser.js';
import { startHarness, type Harness } from '../support/crocetta-harness.js';
import { saveScreenshot } from './artifact.js';

const PASSWORD = 'office-Pa55word!';
const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'browser');
/** Three callers and two texters; one of each under the name "Rossi" (for the search kept with the choice). */
const CALLS = ['+390287654301', '+390287654302', '+393331112203'];
const TEXTS = ['+393471112201', '+393471112202'];

let h: Harness;
const browser = new TestBrowser();

/** The register's rows: [number cell, whether it says SMS]. */
async function rows(page: Page): Promise<Array<[string, boolean]>> {
  const out: Array<[string, boolean]> = [];
  for (const row of await page.locator('#register tbody tr').all()) {
    const number = (await row.locator('td.c-number').innerText()).trim();
    out.push([number, (await row.locator('.kind-sms').count()) > 0]);
  }
  return out;
}

describe.skipIf(!canRunBrowser)("the register's calls and text messages apart", () => {
  browser.around(
    async () => {
      h = await startHarness({ ADMIN_PASSWORD: PASSWORD });
      const now = h.clock.now();
      let t = now - 3_600_000;
      for (const [i, n] of CALLS.entries())
        await h.app.register.record(newAttempt(n, (t += 60_000), i === 0 ? { callerName: 'Rossi Impianti' } : {}));
      for (const [i, n] of TEXTS.entries())
        await h.app.register.record(
          newAttempt(n, (t += 60_000), {
            kind: 'message',
            messageLength: 12,
            ...(i === 0 && { callerName: 'Rossi Assicurazioni' }),
          }),
        );
      await h.app.register.flush();
    },
    () => h?.stop(),
  );

  it.each([
    ['it-IT', 'Tutto', 'Chiamate', 'Mostra', 'Filtra'],
    ['en-GB', 'All', 'Calls', 'Show', 'Filter'],
  ])('%s: SMS, then calls, kept by the search, the CSV and the URL', async (locale, all, calls, show, filter) => {
    const page = await openLoggedIn(browser, h, PASSWORD, { path: '/register', width: 1366, locale });
    const tabs = page.getByRole('navigation', { name: show });
    expect(await tabs.getByRole('button').allInnerTexts()).toEqual([all, calls, 'SMS']);
    expect(await tabs.locator('[aria-current=page]').innerText()).toBe(all);
    expect(await rows(page)).toHaveLength(5);
    // On the title's line (no room taken from the filters' row, still one line: laptop-width.test.ts).
    const top = async (selector: string): Promise<number> =>
      Math.round((await page.locator(selector).boundingBox())?.y ?? -1);
    expect(Math.abs((await top('main h1')) - (await top('nav.segmented')))).toBeLessThan(12);

    await Promise.all([page.waitForURL(/[?&]kind=message(&|$)/), tabs.getByRole('button', { name: 'SMS' }).click()]);
    expect(await tabs.locator('[aria-current=page]').innerText()).toBe('SMS');
    expect((await rows(page)).map(([, sms]) => sms)).toEqual([true, true]);
    await saveScreenshot(page, join(ARTIFACTS, `register-kind-sms-${locale}.png`), { fullPage: false });

    // A search through the filters' form keeps the choice: one texter is a Rossi, one caller too.
    await page.fill('form.filters input[name=q]', 'Rossi');
    await Promise.all([page.waitForURL(/[?&]q=Rossi/), page.getByRole('button', { name: filter }).click()]);
    expect(new URL(page.url()).searchParams.get('kind')).toBe('message');
    expect(await rows(page)).toEqual([['347 111 2201', true]]);
    // The CSV of the view: the same row, no call.
    const href = (await page.locator('form.filters a[download]').first().getAttribute('href')) ?? '';
    expect(href).toContain('kind=message');
    const csv = await page.evaluate(`fetch(${JSON.stringify(href)}).then((r) => r.text())`);
    expect(String(csv)).toContain('+393471112201');
    for (const n of [...CALLS, TEXTS[1] ?? '']) expect(String(csv)).not.toContain(n);

    // Calls: the Rossi that called, the search kept.
    await Promise.all([
      page.waitForURL(/[?&]kind=call(&|$)/),
      tabs.getByRole('button', { name: calls, exact: true }).click(),
    ]);
    expect(new URL(page.url()).searchParams.get('q')).toBe('Rossi');
    expect(await rows(page)).toEqual([['02 8765 4301', false]]);
    // All: both, the search still kept, no `kind` in the URL.
    await Promise.all([
      page.waitForURL((u) => !u.search.includes('kind=')),
      tabs.getByRole('button', { name: all, exact: true }).click(),
    ]);
    expect(await rows(page)).toEqual([
      ['347 111 2201', true],
      ['02 8765 4301', false],
    ]);
    await page.context().close();
  });

  it.each([
    ['it-IT', 'Chiamate', 'Mostra'],
    ['en-GB', 'Calls', 'Show'],
  ])(
    '%s: a search typed and not sent goes with "SMS" or "Calls", and Enter keeps the choice',
    async (locale, calls, show) => {
      // panel46's links dropped what was typed: "Rossi" typed, then SMS, showed every message.
      const page = await openLoggedIn(browser, h, PASSWORD, { path: '/register', width: 1366, locale });
      const tabs = page.getByRole('navigation', { name: show });
      await page.fill('form.filters input[name=q]', 'Rossi');
      await Promise.all([page.waitForURL(/[?&]kind=message(&|$)/), tabs.getByRole('button', { name: 'SMS' }).click()]);
      expect(new URL(page.url()).searchParams.get('q')).toBe('Rossi');
      expect(await rows(page)).toEqual([['347 111 2201', true]]);
      expect(await tabs.locator('[aria-current=page]').innerText()).toBe('SMS');
      // Another search sent with Enter in the field: still the messages (the form's default button carries the choice).
      await page.fill('form.filters input[name=q]', '2202');
      await Promise.all([page.waitForURL(/[?&]q=2202/), page.press('form.filters input[name=q]', 'Enter')]);
      expect(new URL(page.url()).searchParams.getAll('kind')).toEqual(['message']);
      expect(await rows(page)).toEqual([['347 111 2202', true]]);
      // A search cleared, then "Calls": every call (the cleared field goes with it too).
      await page.fill('form.filters input[name=q]', '');
      await Promise.all([
        page.waitForURL(/[?&]kind=call(&|$)/),
        tabs.getByRole('button', { name: calls, exact: true }).click(),
      ]);
      expect(new URL(page.url()).searchParams.get('q') ?? '').toBe('');
      expect((await rows(page)).map(([, sms]) => sms)).toEqual([false, false, false]);
      await page.context().close();
    },
  );

  it('on a phone (390 px) the choice fits the window', async () => {
    const page = await openLoggedIn(browser, h, PASSWORD, {
      path: '/register?kind=message',
      width: 390,
      locale: 'it-IT',
    });
    expect(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBe(0);
    expect((await rows(page)).map(([, sms]) => sms)).toEqual([true, true]);
    await saveScreenshot(page, join(ARTIFACTS, 'register-kind-390-it-IT.png'), { fullPage: false });
    await page.context().close();
  });
});
