/**
 * The dashboard's "most insistent this week" and the rankings' numbers, in a real browser (Debian's chromium,
 * playwright-core): a customer the office marked trusted calls more than anyone, and is not listed as an offender
 * (before: first on the list, with a green "fidato" badge under "I più insistenti"); the call centre and an unknown
 * caller are. The JSON API's ranking keeps every number.
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
const CUSTOMER = '+390212340001';
const CENTRE = '+390298760002';
const UNKNOWN = '+390655550003';
const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'browser');

let h: Harness;
const browser = new TestBrowser();

async function call(from: string, times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    await h.double
      .injectRequest(buildInvite({ from: `<sip:${from}@203.0.113.10>`, to: DID, requestUri: `sip:${DID}@127.0.0.1` }))
      .waitForFinal();
    h.clock.advance(60_000);
  }
}

/** The numbers listed in the page's table under the heading `heading`. */
async function listed(page: Page, heading: string): Promise<string[]> {
  const table = page.locator(`h2:text-is("${heading}") ~ .scroll table`).first();
  return table.locator('tbody tr td:first-child a').allTextContents();
}

describe.skipIf(!canRunBrowser)('the most insistent callers leave out the trusted ones, in a browser', () => {
  browser.around(
    async () => {
      h = await startHarness({ ADMIN_PASSWORD: PASSWORD });
      h.double.onProxy(() => [{ status: 180 }, { status: 486 }]);
      await call(CUSTOMER, 5);
      await call(CENTRE, 3);
      await call(UNKNOWN, 2);
      for (const [number, body] of [
        [CUSTOMER, { label: 'trusted' }],
        [CENTRE, { label: 'nuisance', company: 'Example Energia', category: 'energy' }],
      ] as const) {
        expect((await h.api('POST', `/api/numbers/${encodeURIComponent(number)}/mark`, body)).status).toBe(200);
      }
      await h.app.register.flush();
    },
    () => h?.stop(),
  );

  it('on the dashboard and the rankings (Italian, phone width)', async () => {
    const context = await browser.newContext({ locale: 'it-IT', viewport: { width: 360, height: 740 } });
    const page = await context.newPage();
    await logIn(page, h, PASSWORD, { keyboard: true });

    // As the office writes them (the links keep E.164).
    expect(await listed(page, 'I più insistenti della settimana')).toEqual(['02 9876 0002', '06 5555 0003']);
    expect(await page.locator('main').textContent()).toContain(
      'I numeri che hai segnato come fidati non sono elencati qui.',
    );
    // On the phone every cell shown is inside the window (the rows are cards): the ticks are not off to the right.
    const past: string[] = await page.evaluate(`[...document.querySelectorAll('.scroll table td')]
      .filter((c) => c.offsetParent !== null && c.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
      .map((c) => (c.textContent || '').trim())`);
    expect(past).toEqual([]);
    await saveScreenshot(page, join(ARTIFACTS, 'dashboard-offenders-it-360.png'));
    await page.goto(h.url('/rankings'));
    expect(await listed(page, 'Numeri')).toEqual(['02 9876 0002', '06 5555 0003']);
    await context.close();

    const api = await h.api('GET', '/api/rankings/numbers');
    expect(JSON.stringify(api.json)).toContain(CUSTOMER);
  });
});
