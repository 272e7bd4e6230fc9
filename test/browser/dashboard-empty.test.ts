/**
 * The dashboard of a register with no attempt yet (the first morning), in a real browser: the per-day chart says there
 * are none, in the page's language, as the top offenders below say it; it was an empty grid of axes. The first call
 * brings the chart.
 */
import { describe, expect, it } from 'vitest';
import { canRunBrowser, logIn, TestBrowser } from '../support/browser.js';
import { startHarness, type Harness } from '../support/crocetta-harness.js';
import { buildInvite } from '../support/drachtio-double.js';

const PASSWORD = 'office-Pa55word!';
const DID = '+390612345670';

let h: Harness;
const browser = new TestBrowser();

describe.skipIf(!canRunBrowser)("an empty register's dashboard, in a browser", () => {
  browser.around(
    async () => {
      h = await startHarness({ ADMIN_PASSWORD: PASSWORD });
    },
    () => h?.stop(),
  );

  it('says no attempts under the chart heading in Italian and English, then draws the chart after a call', async () => {
    for (const [locale, heading, none] of [
      ['it-IT', 'Tentativi al giorno (ultimi 30 giorni)', 'Nessun tentativo.'],
      ['en-GB', 'Attempts per day (last 30 days)', 'No attempts.'],
    ] as const) {
      const context = await browser.newContext({ locale, viewport: { width: 1366, height: 900 } });
      const page = await context.newPage();
      await logIn(page, h, PASSWORD);
      // The paragraph right after the chart's heading, and no chart.
      expect(await page.locator(`h2:text-is("${heading}") + p`).innerText()).toBe(none);
      expect(await page.locator('canvas[data-chart]').count()).toBe(0);
      await context.close();
    }

    h.double.onProxy(() => [{ status: 180 }, { status: 486 }]);
    await h.double
      .injectRequest(
        buildInvite({ from: '<sip:+390655550004@203.0.113.10>', to: DID, requestUri: `sip:${DID}@127.0.0.1` }),
      )
      .waitForFinal();
    await h.app.register.flush();
    const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    await logIn(page, h, PASSWORD);
    await page.locator('canvas[data-chart][width]').first().waitFor(); // Chart.js drew it
    expect(await page.locator('#per-day-none').count()).toBe(0);
    await context.close();
  });
});
