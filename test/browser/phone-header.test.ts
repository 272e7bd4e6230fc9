/**
 * The panel's header on a phone (390 px), Italian and English, in a real browser: its five links stacked and took
 * the first ~100 px of every page (user37, session 37). Now the brand and the tools are one line and the links
 * another, which scrolls sideways: the header is at most 80 px, every link can be reached, and the page itself
 * does not scroll sideways. On a laptop (1366 px) the header stays one line. Screenshots go to test-artifacts/browser/.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { canRunBrowser, openLoggedIn, TestBrowser } from '../support/browser.js';
import { startHarness, type Harness } from '../support/crocetta-harness.js';
import { saveScreenshot } from './artifact.js';

const PASSWORD = 'office-Pa55word!';
const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'browser');

let h: Harness;
const browser = new TestBrowser();

function open(width: number, locale: string): Promise<Page> {
  return openLoggedIn(browser, h, PASSWORD, { path: '/register', width, locale });
}

/** The header's height, the page's overflow past the window, and each nav link's box within the nav's scroll. */
function header(
  page: Page,
): Promise<{ height: number; overflow: number; links: Array<{ text: string; top: number }> }> {
  // Runs in the page (a string: the project's TypeScript has no DOM types).
  return page.evaluate(`(() => {
    const header = document.querySelector('header');
    return {
      height: Math.round(header.getBoundingClientRect().height),
      overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
      links: [...header.querySelectorAll('nav a')].map((a) => ({
        text: a.textContent.trim(),
        top: Math.round(a.getBoundingClientRect().top),
      })),
    };
  })()`);
}

describe.skipIf(!canRunBrowser)("the panel's header on a phone and on a laptop", () => {
  browser.around(
    async () => {
      h = await startHarness({ ADMIN_PASSWORD: PASSWORD });
    },
    () => h?.stop(),
  );

  it.each([
    ['it-IT', 'Impostazioni'],
    ['en-GB', 'Settings'],
  ])('at 390 px (%s): two short lines, the links on one of them, all reachable', async (locale, last) => {
    const page = await open(390, locale);
    const seen = await header(page);
    await saveScreenshot(page, join(ARTIFACTS, `phone-header-${locale}.png`), { fullPage: false });
    expect(seen.height).toBeLessThanOrEqual(80);
    expect(seen.overflow).toBe(0);
    expect(seen.links).toHaveLength(5);
    expect(new Set(seen.links.map((l) => l.top)).size).toBe(1);
    // The last link is reached by scrolling the nav, and it opens its page.
    const link = page.locator('header nav a', { hasText: last });
    await link.scrollIntoViewIfNeeded();
    expect(await link.isVisible()).toBe(true);
    await Promise.all([page.waitForURL(h.url('/settings')), link.click()]);
    await page.context().close();
  });

  it('at 1366 px the header is one line', async () => {
    const page = await open(1366, 'it-IT');
    const seen = await header(page);
    expect(seen.height).toBeLessThanOrEqual(56);
    expect(new Set(seen.links.map((l) => l.top)).size).toBe(1);
    await page.context().close();
  });
});
