/**
 * The rankings' period and category lists apply themselves when changed (panel.js submits their form): with the
 * keyboard, a person tabs to "Periodo", presses ↓ and the page comes back with the next period, and the focus
 * where it was, on that list, so that ↓ again goes on (before: on the page's top, the list a dozen Tabs away after
 * each step; panel42's walk, session 42). In a real browser, Italian and English.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { canRunBrowser, openLoggedIn, TestBrowser } from '../support/browser.js';
import { startHarness, type Harness } from '../support/crocetta-harness.js';

const PASSWORD = 'office-Pa55word!';

let h: Harness;
const browser = new TestBrowser();

/** The name of the element that has the focus ('' for none: the page's body). */
function focused(page: Page): Promise<string> {
  return page.evaluate('(document.activeElement && document.activeElement.getAttribute("name")) || ""');
}

describe.skipIf(!canRunBrowser)("the rankings' lists with the keyboard", () => {
  browser.around(
    async () => {
      h = await startHarness({ ADMIN_PASSWORD: PASSWORD });
      const mark = { label: 'nuisance', company: 'Example Energia', category: 'energy' };
      expect((await h.api('POST', `/api/numbers/${encodeURIComponent('+390298760002')}/mark`, mark)).status).toBe(200);
    },
    () => h?.stop(),
  );

  it.each(['it-IT', 'en-GB'])('%s: ↓ on the period applies it and keeps the focus on the list', async (locale) => {
    const page = await openLoggedIn(browser, h, PASSWORD, { path: '/rankings', width: 1280, locale });
    await page.focus('select[name=period]');
    await Promise.all([page.waitForURL(/period=90/), page.keyboard.press('ArrowDown')]);
    await page.waitForLoadState('load');
    await expect.poll(() => focused(page)).toBe('period');
    await Promise.all([page.waitForURL(/period=365/), page.keyboard.press('ArrowDown')]);
    await page.waitForLoadState('load');
    await expect.poll(() => focused(page)).toBe('period');
    // A reload: nothing is focused for it (the focus is kept for the list's own change only).
    await page.reload();
    await page.waitForLoadState('load');
    expect(await focused(page)).toBe('');
    await page.context().close();
  });
});
