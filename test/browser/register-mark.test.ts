/**
 * Marking from the register as the office does, keyboard only, in a real browser (Debian's chromium, playwright-core):
 * a row of an older page (`?before=`) marked nuisance brings the office back to that same page, not to the newest
 * one (before: back to page one, the row out of sight), and the page says what was done; removing a mark from the
 * number page says so too, and its history says "mark removed" (before: the button's "Remove mark"). A link that
 * claims a mark the register does not hold says nothing.
 * A marked caller's rows say its mark, their form holds its company and category and removes it (before: a blank
 * form, whose second mark wiped the company unseen).
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
const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'browser');
/** 60 callers, one call each a minute apart: the register's page shows 50, the 10 oldest are on the next page. */
const CALLERS = Array.from({ length: 60 }, (_, i) => `+39021234${String(5000 + i)}`);
const OLDEST = CALLERS[0] ?? '';
/** As the page writes a Milan number for the office: `+390212345000` → `02 1234 5000`. */
const shown = (e164: string): string => `${e164.slice(3, 5)} ${e164.slice(5, 9)} ${e164.slice(9)}`;

let h: Harness;
const browser = new TestBrowser();

async function login(locale: string): Promise<Page> {
  const context = await browser.newContext({ locale, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await logIn(page, h, PASSWORD, { keyboard: true });
  return page;
}

describe.skipIf(!canRunBrowser)('marking from the register, in a browser', () => {
  browser.around(
    async () => {
      h = await startHarness({ ADMIN_PASSWORD: PASSWORD });
      h.double.onProxy(() => [{ status: 180 }, { status: 486 }]);
      for (const from of CALLERS) {
        await h.double
          .injectRequest(
            buildInvite({ from: `<sip:${from}@203.0.113.10>`, to: DID, requestUri: `sip:${DID}@127.0.0.1` }),
          )
          .waitForFinal();
        h.clock.advance(60_000);
      }
      await h.app.register.flush();
    },
    () => h?.stop(),
  );

  it('a row marked on an older page comes back to that page, which says what was done (Italian, keyboard only)', async () => {
    const page = await login('it-IT');
    await page.goto(h.url('/register'));
    await Promise.all([page.waitForURL(/before=/), page.click('.pager a[rel=next]')]);
    const older = page.url();
    const row = page.locator('#register tbody tr', { hasText: shown(OLDEST) });
    expect(await row.count()).toBe(1);

    // Keyboard only: the row's "Segno" opens with Enter, then Tab from field to field and Enter on the button.
    await row.locator('summary').focus();
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Example Energia');
    await page.keyboard.press('Tab');
    await page.keyboard.type('energy');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.value')).toBe('nuisance');
    await Promise.all([page.waitForURL(/marked=nuisance/), page.keyboard.press('Enter')]);

    expect(h.app.register.evidenceFor(OLDEST).mark).toMatchObject({ label: 'nuisance', company: 'Example Energia' });
    const back = new URL(page.url());
    expect(back.searchParams.get('before')).toBe(new URL(older).searchParams.get('before'));
    expect(await page.locator('#register tbody tr', { hasText: shown(OLDEST) }).count()).toBe(1); // the same page
    expect(await page.locator('[data-marked]').textContent()).toBe(
      `Segnato come molesto: ${shown(OLDEST)}. La sua prossima chiamata sarà trattata di conseguenza.`,
    );
    await saveScreenshot(page, join(ARTIFACTS, 'register-marked-older-it.png'));
    // The pager's links do not carry the notice along.
    expect(await page.locator('.pager a').first().getAttribute('href')).not.toContain('marked');

    // Its number page says who marked it and writes the score as Italian does (before: "da panel", "0.99").
    await page.goto(h.url(`/numbers/${encodeURIComponent(OLDEST)}`));
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).toMatch(/punteggio \d,\d\d/);
    expect(text).toContain('dal pannello');
    expect(text).not.toContain('da panel');
    await page.context().close();
  });

  it('a mark made far down the page comes back to its row, its "Mark" focused, the notice in sight (keyboard only)', async () => {
    const caller = CALLERS[20] ?? ''; // the 40th row of the newest page
    const page = await login('en-GB');
    await page.goto(h.url('/register'));
    const row = page.locator('#register tbody tr', { hasText: shown(caller) });
    await row.locator('summary').focus();
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Scroll Energia');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await Promise.all([page.waitForURL(/marked=nuisance/), page.keyboard.press('Enter')]);

    const id = await row.locator('summary').getAttribute('id');
    expect(id).toMatch(/^mark-\d+$/);
    expect(new URL(page.url()).hash).toBe(`#${id}`);
    // Focus on the row's "Mark" (before: on the page, at its top, 16 tab stops above the rows), said by the notice.
    expect(await page.evaluate('document.activeElement.id')).toBe(id);
    expect(await row.locator('summary').getAttribute('aria-describedby')).toBe('marked-notice');
    expect(await page.evaluate('window.scrollY')).toBeGreaterThan(0);
    const box = await row.boundingBox();
    const notice = await page.locator('[data-marked]').boundingBox();
    const height = Number(await page.evaluate('window.innerHeight'));
    expect(box).not.toBeNull();
    expect(notice).not.toBeNull();
    if (box === null || notice === null) return;
    expect(box.y).toBeGreaterThanOrEqual(notice.y + notice.height);
    expect(box.y + box.height).toBeLessThanOrEqual(height);
    expect(notice.y).toBeGreaterThanOrEqual(0);
    expect(await page.locator('[data-marked]').textContent()).toContain(`Marked nuisance: ${shown(caller)}.`);
    expect(await row.locator('.mark-now').textContent()).toBe('nuisance');
    await saveScreenshot(page, join(ARTIFACTS, 'register-marked-row-en.png'), { fullPage: false });
    // The next Tab goes on from the row (its form, closed, is skipped): the next row's number.
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.textContent')).toBe(shown(CALLERS[19] ?? ''));
    await page.context().close();
  });

  it("a marked caller's rows say its mark, and their form holds its company and removes it (before: a blank form)", async () => {
    const caller = CALLERS[59] ?? '';
    const marked = await h.api('POST', `/api/numbers/${encodeURIComponent(caller)}/mark`, {
      label: 'nuisance',
      company: 'Esempio Luce',
      category: 'energy',
    });
    expect(marked.status).toBe(200);
    const page = await login('it-IT');
    await page.goto(h.url('/register'));
    const row = page.locator('#register tbody tr', { hasText: shown(caller) });
    const other = page.locator('#register tbody tr', { hasText: shown(CALLERS[58] ?? '') });
    expect(await row.locator('.mark-now').textContent()).toBe('molesto');
    expect(await other.locator('.mark-now').count()).toBe(0);
    await row.locator('summary').click();
    expect(await row.locator('input[name=company]').inputValue()).toBe('Esempio Luce');
    expect(await row.locator('input[name=category]').inputValue()).toBe('energia');
    expect(await other.locator('button[value=none]').count()).toBe(0);

    await Promise.all([page.waitForURL(/marked=none/), row.locator('button[value=none]').click()]);
    expect(await page.locator('[data-marked]').textContent()).toBe(`Segno tolto: ${shown(caller)}.`);
    expect(h.app.register.evidenceFor(caller).mark).toBeNull();
    expect(
      await page
        .locator('#register tbody tr', { hasText: shown(caller) })
        .locator('.mark-now')
        .count(),
    ).toBe(0);
    await page.context().close();
  });

  it('says a mark removed on the number page, and nothing for a link that claims what the register does not hold', async () => {
    const caller = CALLERS[1] ?? '';
    const marked = await h.api('POST', `/api/numbers/${encodeURIComponent(caller)}/mark`, { label: 'trusted' });
    expect(marked.status).toBe(200);
    const page = await login('en-GB');
    await page.goto(h.url(`/numbers/${encodeURIComponent(caller)}`));
    await Promise.all([page.waitForURL(/marked=none/), page.click('details.mark button[value=none]')]);
    expect(await page.locator('[data-marked]').textContent()).toBe(`Mark removed: ${shown(caller)}.`);
    expect(h.app.register.evidenceFor(caller).mark).toBeNull();
    // Its history says what was done, not the button's words (before: "Remove mark from the panel").
    expect(await page.locator('#mark-history li').first().textContent()).toMatch(/: mark removed +from the panel$/);

    await page.goto(h.url(`/numbers/${encodeURIComponent(caller)}?marked=nuisance`));
    expect(await page.locator('[data-marked]').count()).toBe(0);
    await page.goto(h.url(`/register?marked=trusted&number=${encodeURIComponent(CALLERS[2] ?? '')}`));
    expect(await page.locator('[data-marked]').count()).toBe(0);
    await page.context().close();
  });
});
