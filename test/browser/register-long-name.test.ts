/**
 * A caller's display name as long as the register keeps (128 characters) on the register, in a real browser
 * (Debian's chromium, playwright-core), at 1366 px: at most two lines in its column, the whole name on hover (its
 * title), as text (panel45's walk, session 45: one such name made its row 14 lines tall).
 */
import { describe, expect, it } from 'vitest';
import { newAttempt } from '../../src/store/test-fixtures.js';
import { canRunBrowser, openLoggedIn, TestBrowser } from '../support/browser.js';
import { startHarness, type Harness } from '../support/crocetta-harness.js';

const PASSWORD = 'office-Pa55word!';
const NAME = `<b>Offerte</b> "Luce" & Gas ${'Convenienza Casa Famiglia '.repeat(5)}`.slice(0, 128);

let h: Harness;
const browser = new TestBrowser();

describe.skipIf(!canRunBrowser)('a long display name on the register', () => {
  browser.around(
    async () => {
      h = await startHarness({ ADMIN_PASSWORD: PASSWORD });
      await h.app.register.record(newAttempt('+390287654321', h.clock.now() - 60_000, { callerName: NAME }));
      await h.app.register.flush();
    },
    () => h?.stop(),
  );

  it.each(['it-IT', 'en-GB'])('%s, 1366 px: two lines at most, the whole name on hover, as text', async (locale) => {
    const page = await openLoggedIn(browser, h, PASSWORD, { path: '/register', width: 1366, locale });
    const name = page.locator('#register tbody td.c-name .clip');
    expect(await name.getAttribute('title')).toBe(NAME);
    expect(await name.textContent()).toBe(NAME);
    expect(await page.locator('#register tbody td.c-name b').count()).toBe(0);
    // Runs in the page (a string: the project's TypeScript has no DOM types).
    const lineHeight = Number(
      await page.evaluate(
        `parseFloat(getComputedStyle(document.querySelector('#register tbody td.c-name .clip')).lineHeight)`,
      ),
    );
    expect(lineHeight).toBeGreaterThan(0);
    const box = await name.boundingBox();
    expect(box).not.toBeNull();
    expect(box?.height ?? 0).toBeLessThanOrEqual(2 * lineHeight + 1);
    await page.context().close();
  });
});
