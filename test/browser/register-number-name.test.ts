/**
 * A display name that is a phone number on the register, in a real browser (Debian's chromium, playwright-core), at
 * 1366 px and on a phone (390 px), Italian and English: the number stands on one line, never broken inside
 * ("+3902123456 / 78" in the name column at 1366 px: reasons47's walk, session 47), alone or inside other text;
 * the rest of a long name still breaks and is clipped to two lines (register-long-name.test.ts).
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { Reason } from '../../src/screening/types.js';
import { newAttempt } from '../../src/store/test-fixtures.js';
import { canRunBrowser, openLoggedIn, TestBrowser } from '../support/browser.js';
import { startHarness, type Harness } from '../support/crocetta-harness.js';
import { saveScreenshot } from './artifact.js';

const PASSWORD = 'office-Pa55word!';
const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'browser');
/** Each name and the number in it that must stand on one line. */
const NAMES: Array<[string, string]> = [
  ['+390212345678', '+390212345678'],
  ['+39 02 1234 5678', '+39 02 1234 5678'],
  ['Centralino +390298765432 uscita', '+390298765432'],
];
/** Long reasons, as a refused call centre's row has: they take the width the name column gives up. */
const REASONS: Reason[] = [
  {
    code: 'marked-nuisance',
    text: 'marked nuisance by you on 5 Nov 2026 (Example Energia Servizi Commerciali, energy)',
    weight: 1,
    params: {
      markedAt: '2026-11-05T09:00:00.000Z',
      company: 'Example Energia Servizi Commerciali',
      category: 'energy',
    },
  },
  {
    code: 'attempt-after-refusal',
    text: '2nd attempt after a refusal on 5 Nov (the same day)',
    weight: 0.5,
    params: { attempt: 2, days: 0, refusedAt: '2026-11-05T09:00:00.000Z', limit: 3 },
  },
];

let h: Harness;
const browser = new TestBrowser();

/** For each name cell: its title and the lines its number's characters stand on (by each character's box). */
function numberLines(page: Page, numbers: string[]): Promise<Array<{ name: string; lines: number }>> {
  // Runs in the page (a string: the project's TypeScript has no DOM types).
  return page.evaluate(`(() => {
    const numbers = ${JSON.stringify(numbers)};
    return [...document.querySelectorAll('#register tbody td.c-name .clip')].flatMap((clip) => {
      const chars = [];
      const walk = document.createTreeWalker(clip, NodeFilter.SHOW_TEXT);
      for (let n = walk.nextNode(); n !== null; n = walk.nextNode()) {
        for (let i = 0; i < n.data.length; i++) chars.push([n, i]);
      }
      const text = chars.map(([n, i]) => n.data[i]).join('');
      const number = numbers.find((x) => text.includes(x));
      if (number === undefined) return [];
      const at = text.indexOf(number);
      const tops = new Set();
      for (let k = at; k < at + number.length; k++) {
        const [n, i] = chars[k];
        if (n.data[i] === ' ') continue;
        const range = document.createRange();
        range.setStart(n, i);
        range.setEnd(n, i + 1);
        tops.add(Math.round(range.getBoundingClientRect().top));
      }
      return [{ name: clip.getAttribute('title'), lines: tops.size }];
    });
  })()`);
}

describe.skipIf(!canRunBrowser)('a display name that is a number on the register', () => {
  browser.around(
    async () => {
      h = await startHarness({ ADMIN_PASSWORD: PASSWORD });
      let t = h.clock.now() - 3_600_000;
      for (const [name] of NAMES) {
        for (const caller of ['+390287654321', '+390287654322']) {
          t += 60_000;
          await h.app.register.record(
            newAttempt(caller, t, {
              callerName: name,
              verdict: 'nuisance',
              score: 0.97,
              action: 'reject',
              reasons: REASONS,
              userAgent: 'Acme-SBC/9.4.2 (build 2026-11-30; dialer-cluster-eu-south-1; sofia-sip/1.13.17)',
            }),
          );
        }
      }
      await h.app.register.flush();
    },
    () => h?.stop(),
  );

  for (const width of [1366, 390]) {
    it.each(['it-IT', 'en-GB'])(`%s, ${width} px: each number on one line`, async (locale) => {
      const page = await openLoggedIn(browser, h, PASSWORD, { path: '/register', width, locale });
      const seen = await numberLines(
        page,
        NAMES.map(([, number]) => number),
      );
      await saveScreenshot(page, join(ARTIFACTS, `register-number-name-${width}-${locale}.png`), { fullPage: true });
      expect(seen).toHaveLength(2 * NAMES.length);
      expect(seen).toEqual(seen.map(({ name }) => ({ name, lines: 1 })));
      expect(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBe(
        0,
      );
      await page.context().close();
    });
  }
});
