/**
 * The dashboard's "our numbers", in a real browser (Debian's chromium, playwright-core): which of our numbers is rung
 * most, today and this week, with how many of its calls were stopped; the office sees the busy line first and opens
 * its register from it. Before, the dashboard counted the office's calls as one total, and the carrier lines said
 * only whether they were registered.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { canRunBrowser, logIn, TestBrowser } from '../support/browser.js';
import { startHarness, type Harness } from '../support/crocetta-harness.js';
import { buildInvite } from '../support/drachtio-double.js';
import { saveScreenshot } from './artifact.js';

const PASSWORD = 'office-Pa55word!';
/** Our three numbers: the sales line (rung most today), the support line, the fax (only yesterday). */
const SALES = '+390612345671';
const SUPPORT = '+390612345670';
const FAX = '+390612345672';
const CENTRE = '+390298760002';
const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'browser');

let h: Harness;
const browser = new TestBrowser();

async function call(from: string, did: string, times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    await h.double
      .injectRequest(buildInvite({ from: `<sip:${from}@203.0.113.10>`, to: did, requestUri: `sip:${did}@127.0.0.1` }))
      .waitForFinal();
    h.clock.advance(60_000);
  }
}

/** The table's rows as the page shows them: each cell's text, the hidden ones left out. */
function rowsShown(page: Page): Promise<string[][]> {
  return page.evaluate(`[...document.querySelectorAll('#our-numbers tbody tr')].map((tr) =>
    [...tr.querySelectorAll('td')].filter((td) => td.offsetParent !== null).map((td) => td.textContent.trim()))`);
}

describe.skipIf(!canRunBrowser)('the dashboard says which of our numbers is rung most, in a browser', () => {
  browser.around(
    async () => {
      h = await startHarness({ ADMIN_PASSWORD: PASSWORD });
      h.double.onProxy(() => [{ status: 180 }, { status: 486 }]);
      // Thursday (the harness's clock): the fax line three times.
      await call('+390655550003', FAX, 3);
      // Friday, same week: the sales line three times, the support line twice by a call centre marked nuisance.
      h.clock.advance(86_400_000);
      const mark = { label: 'nuisance', company: 'Example Energia', category: 'energy' };
      expect((await h.api('POST', `/api/numbers/${encodeURIComponent(CENTRE)}/mark`, mark)).status).toBe(200);
      await call('+390655550004', SALES, 2);
      await call('+390655550005', SALES, 1);
      await call(CENTRE, SUPPORT, 2);
      await h.app.register.flush();
    },
    () => h?.stop(),
  );

  it('lists our numbers, the most rung today first, with today and this week (Italian, 1366 px)', async () => {
    const context = await browser.newContext({ locale: 'it-IT', viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    await logIn(page, h, PASSWORD);
    expect(await page.locator('h2:text-is("I nostri numeri")').count()).toBe(1);
    expect(await page.locator('#our-numbers thead').innerText()).toMatch(
      /NUMERO\s+OGGI\s+QUESTA SETTIMANA\s+TENTATIVI\s+FERMATI\s+TENTATIVI\s+FERMATI/,
    );
    // Number, today's attempts and stopped, this week's attempts and stopped; the fax line is quiet today.
    expect(await rowsShown(page)).toEqual([
      ['06 1234 5671', '3', '0', '3', '0'],
      ['06 1234 5670', '2', '2', '2', '2'],
      ['06 1234 5672', '0', '0', '3', '0'],
    ]);
    await saveScreenshot(page, join(ARTIFACTS, 'dashboard-our-numbers-it-1366.png'));
    // A number opens its register, filtered to the calls it took.
    await Promise.all([page.waitForURL(/\/register\?did=/), page.click('#our-numbers a:text-is("06 1234 5670")')]);
    expect(new URL(page.url()).searchParams.get('did')).toBe(SUPPORT);
    expect(await page.locator('select[name=did] option:checked').textContent()).toBe('06 1234 5670');
    expect(await page.locator('#register tbody tr').count()).toBe(2);
    await context.close();
  });

  it('keeps today on a phone, inside the window (English, 390 px)', async () => {
    const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await logIn(page, h, PASSWORD);
    expect(await page.locator('h2:text-is("Our numbers")').count()).toBe(1);
    // This week's pair is left to the wide screen; number, today's attempts and stopped fit a phone.
    expect(await rowsShown(page)).toEqual([
      ['06 1234 5671', '3', '0'],
      ['06 1234 5670', '2', '2'],
      ['06 1234 5672', '0', '0'],
    ]);
    const past: string[] = await page.evaluate(`[...document.querySelectorAll('#our-numbers th, #our-numbers td')]
      .filter((c) => c.offsetParent !== null && c.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
      .map((c) => (c.textContent || '').trim())`);
    expect(past).toEqual([]);
    await saveScreenshot(page, join(ARTIFACTS, 'dashboard-our-numbers-en-390.png'), { fullPage: false });
    await context.close();
  });
});
