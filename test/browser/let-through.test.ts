/**
 * "Let the next call through" from the number page, in a real browser (Debian's chromium, playwright-core): a number
 * marked nuisance gets the button beside the mark buttons; pressed, the page says its next call will be let through
 * and since when, the next call's verdict reads "let through once", and the register holds it; withdrawn, it is gone.
 * Italian and English. A withheld caller's page does not offer it.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { canRunBrowser, logIn, TestBrowser } from '../support/browser.js';
import { startHarness, type Harness } from '../support/crocetta-harness.js';
import { buildInvite } from '../support/drachtio-double.js';

const PASSWORD = 'office-Pa55word!';
const NUISANCE = '+390298765432';
const PAGE = `/numbers/${encodeURIComponent(NUISANCE)}`;

let h: Harness;
const browser = new TestBrowser();

/** Clicks a button of the form and waits for the page it goes back to (the same URL: its load, not its address). */
async function press(page: Page, name: string): Promise<void> {
  const back = page.waitForResponse((r) => r.request().method() === 'GET' && r.url().includes('/numbers/'));
  await page.locator('#let-through').getByRole('button', { name }).click();
  await back;
  await page.waitForLoadState();
}

async function login(locale: string): Promise<Page> {
  const context = await browser.newContext({ locale, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await logIn(page, h, PASSWORD);
  return page;
}

describe.skipIf(!canRunBrowser)('"let the next call through" on the number page, in a browser', () => {
  browser.around(
    async () => {
      h = await startHarness({ ADMIN_PASSWORD: PASSWORD });
      await h.app.register.mark(NUISANCE, {
        label: 'nuisance',
        company: 'Example Energia',
        category: 'energy',
        at: h.clock.now(),
        by: 'panel',
      });
    },
    () => h?.stop(),
  );

  it.each([
    [
      'it-IT',
      {
        button: 'Fai passare la prossima chiamata',
        pending: /^La sua prossima chiamata passerà, una volta sola: chiesto .+\. Annulla$/,
        withdraw: 'Annulla',
        reason: /^fatto passare una volta: il .+ avete chiesto di far passare la prossima chiamata$/,
      },
    ],
    [
      'en-GB',
      {
        button: 'Let the next call through',
        pending: /^Its next call will be let through, once: asked .+\. Withdraw$/,
        withdraw: 'Withdraw',
        reason: /^let through once: you asked on/,
      },
    ],
  ])('%s: set beside the mark, said pending with its time, withdrawn', async (locale, words) => {
    const page = await login(locale);
    await page.goto(h.url(PAGE));
    const form = page.locator('#let-through');
    expect(await form.getAttribute('data-since')).toBeNull();
    await press(page, words.button);

    expect(h.app.register.letThroughSince(NUISANCE)).toBe(h.clock.now());
    expect(await form.getAttribute('data-since')).toBe(new Date(h.clock.now()).toISOString());
    expect((await form.textContent())?.replace(/\s+/g, ' ').trim()).toMatch(words.pending);
    expect((await page.locator('#number-cards .card').first().locator('li').first().textContent())?.trim()).toMatch(
      words.reason,
    );

    await press(page, words.withdraw);
    expect(h.app.register.letThroughSince(NUISANCE)).toBeNull();
    expect(await form.getAttribute('data-since')).toBeNull();
    await page.context().close();
  });

  it("a withheld caller's page does not offer it", async () => {
    await h.double
      .injectRequest(
        buildInvite({
          from: '"Anonymous" <sip:anonymous@anonymous.invalid>',
          pai: 'tel:+393339998877',
          privacy: 'id',
          to: '+390612345678',
          requestUri: 'sip:+390612345678@127.0.0.1',
        }),
      )
      .waitForFinal();
    await h.app.register.flush();
    const rows = await h.app.register.attempts({ limit: 5 });
    expect(rows[0]?.withheld).toBe(true);
    const page = await login('en-GB');
    // The register names a withheld caller by its token; its page is reached by that token.
    await page.goto(h.url('/register'));
    await Promise.all([
      page.waitForURL(/\/numbers\/hidden/),
      page.locator('#register a[href*="hidden"]').first().click(),
    ]);
    expect(await page.locator('#number-cards').count()).toBe(1);
    expect(await page.locator('#let-through').count()).toBe(0);
    await page.goto(h.url(PAGE));
    expect(await page.locator('#let-through').count()).toBe(1);
    await page.context().close();
  });
});
