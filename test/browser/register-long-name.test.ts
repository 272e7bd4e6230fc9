/**
 * A caller's display name as long as the register keeps (128 characters) on the register, in a real browser
 * (Debian's chromium, playwright-core), at 1366 px: at most two lines in its column, the whole name on hover (its
 * title), as text (panel45's walk, session 45: one such name made its row 14 lines tall).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newAttempt } from '../../src/store/test-fixtures.js';
import { canRunBrowser, openLoggedIn, TestBrowser, textOutOfSight } from '../support/browser.js';
import { startHarness, type Harness } from '../support/crocetta-harness.js';
import { saveScreenshot } from './artifact.js';

const PASSWORD = 'office-Pa55word!';
const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'browser');
const NAME = `<b>Offerte</b> "Luce" & Gas ${'Convenienza Casa Famiglia '.repeat(5)}`.slice(0, 128);
/** A name of 128 letters and no space: what the register keeps of a 3,000-"A" display name. */
const UNBROKEN = 'A'.repeat(128);

let h: Harness;
const browser = new TestBrowser();

describe.skipIf(!canRunBrowser)('a long display name on the register', () => {
  browser.around(
    async () => {
      h = await startHarness({ ADMIN_PASSWORD: PASSWORD });
      await h.app.register.record(newAttempt('+390287654321', h.clock.now() - 60_000, { callerName: NAME }));
      await h.app.register.record(newAttempt('+390287654322', h.clock.now() - 120_000, { callerName: UNBROKEN }));
      await h.app.register.flush();
    },
    () => h?.stop(),
  );

  it.each(['it-IT', 'en-GB'])('%s, 1366 px: two lines at most, the whole name on hover, as text', async (locale) => {
    const page = await openLoggedIn(browser, h, PASSWORD, { path: '/register', width: 1366, locale });
    const name = page.locator('#register tbody td.c-name .clip', { hasText: NAME.slice(0, 20) });
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

  // On a phone the rows are cards and the name a flex item beside its label: a name of 128 letters without a space
  // (user47's walk, session 47: 3,000 "A" kept as 128) ran past the card's right edge on the dashboard's most
  // insistent callers (and the rankings', the same list) and on the number page's SIP details, cut with no ellipsis.
  it.each(['it-IT', 'en-GB'])(
    '%s, 390 px: inside the card, two lines ending in an ellipsis (register, dashboard); whole on the number page',
    async (locale) => {
      for (const path of ['/register', '/']) {
        const page = await openLoggedIn(browser, h, PASSWORD, { path, width: 390, locale });
        // Runs in the page (a string: the project's TypeScript has no DOM types).
        const seen: Array<{
          title: string;
          right: number;
          cellRight: number;
          window: number;
          height: number;
          line: number;
          cut: boolean;
        }> = await page.evaluate(`[...document.querySelectorAll('td.c-name .clip')].map((el) => {
          const box = el.getBoundingClientRect();
          const style = getComputedStyle(el);
          return {
            title: el.title, right: box.right, cellRight: el.closest('td').getBoundingClientRect().right,
            window: document.documentElement.clientWidth, height: box.height, line: parseFloat(style.lineHeight),
            cut: el.scrollHeight > el.clientHeight + 1 && style.webkitLineClamp === '2',
          };
        })`);
        expect(seen.map((s) => s.title).sort(), path).toEqual([NAME, UNBROKEN].sort());
        for (const s of seen) {
          expect(s.right, path).toBeLessThanOrEqual(s.cellRight + 0.5);
          expect(s.right, path).toBeLessThanOrEqual(s.window);
          expect(s.height, path).toBeLessThanOrEqual(2 * s.line + 1);
          // Clipped by the two-line clamp, whose last line ends in "…" (not cut at the card's edge).
          expect(s.cut, path).toBe(true);
        }
        expect(await textOutOfSight(page), path).toEqual([]);
        const shot = `register-long-name-390-${path === '/' ? 'dashboard' : 'register'}-${locale}.png`;
        await saveScreenshot(page, join(ARTIFACTS, shot), { fullPage: true });
        await page.context().close();
      }
      // The number page's SIP details are where the name is read whole: broken over lines, none past the card.
      const page = await openLoggedIn(browser, h, PASSWORD, { path: '/numbers/%2B390287654322', width: 390, locale });
      expect(await page.locator('#sip-details td.c-name-whole').innerText()).toBe(UNBROKEN);
      expect(await textOutOfSight(page)).toEqual([]);
      await saveScreenshot(page, join(ARTIFACTS, `register-long-name-390-number-${locale}.png`), { fullPage: true });
      await page.context().close();
    },
  );
});
