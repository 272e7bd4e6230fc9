/**
 * The rankings' companies table on a phone (390 px), Italian and English, in a real browser: it scrolled sideways
 * inside its box, "Fermati" and "numeri" off screen at first (user41, session 41). Now its rows become cards
 * on a phone, as the register's and the numbers' do: the box does not scroll, every cell is inside the window and
 * names its column. On a laptop it stays a table. The numbers' cards below it (the dashboard's too) put a company's
 * category after its name, inside the window: it ran past the right edge, "(energ" (panel41). The companies chart
 * names each company whole, in two lines on a phone: its axis labels were cut on the left, "Servizi Commerciali
 * Italia" (panel41). Screenshots go to test-artifacts/browser/.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { canRunBrowser, openLoggedIn, TestBrowser } from '../support/browser.js';
import { startHarness, type Harness } from '../support/crocetta-harness.js';
import { buildInvite } from '../support/drachtio-double.js';
import { saveScreenshot } from './artifact.js';

const PASSWORD = 'office-Pa55word!';
const DID = '+390612345678';
const CENTRES = [
  ['+390298760002', 'Example Energia Servizi Commerciali Italia', 'energy'],
  ['+390298760003', 'Telefonia Mobile Offerte Convenienza', 'telecom'],
] as const;
const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'browser');

let h: Harness;
const browser = new TestBrowser();

async function open(width: number, locale: string): Promise<Page> {
  const page = await openLoggedIn(browser, h, PASSWORD, { path: '/rankings', width, locale });
  await page.locator('#companies tbody tr').first().waitFor();
  return page;
}

/** How far the page and the companies' box reach past the window (px; 0 = fits), and the cells past its edge. */
function overflow(page: Page): Promise<{ page: number; box: number; past: string[]; labels: string[] }> {
  // Runs in the page (a string: the project's TypeScript has no DOM types).
  return page.evaluate(`(() => {
    const doc = document.documentElement;
    const table = document.querySelector('#companies');
    const box = table.closest('.scroll');
    const cells = [...table.querySelectorAll('th, td')].filter((c) => c.offsetParent !== null);
    return {
      page: doc.scrollWidth - doc.clientWidth,
      box: box.scrollWidth - box.clientWidth,
      past: cells.filter((c) => c.getBoundingClientRect().right > doc.clientWidth + 0.5)
        .map((c) => c.tagName + ' ' + (c.textContent || '').trim()),
      labels: [...table.querySelectorAll('tbody tr:first-child td')]
        .map((c) => getComputedStyle(c, '::before').content),
    };
  })()`);
}

/**
 * The numbers' table (the one after the companies'): each piece of its text past the window or its box's edge (a text
 * node's own boxes: a shrunk flex item's text overflows while the item stays inside), how far the box scrolls
 * sideways, and the company cells' text as read.
 */
function numbersCards(page: Page): Promise<{ past: string[]; box: number; companies: string[] }> {
  return page.evaluate(`(() => {
    const table = [...document.querySelectorAll('table.stack')].find((t) => t.id !== 'companies');
    const box = table.closest('.scroll');
    const edge = Math.min(document.documentElement.clientWidth, box.getBoundingClientRect().right);
    const past = [];
    const walker = document.createTreeWalker(table, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (!n.textContent.trim()) continue;
      const range = document.createRange();
      range.selectNodeContents(n);
      const right = Math.max(...[...range.getClientRects()].map((r) => r.right));
      if (right > edge + 0.5) past.push(n.textContent.trim() + ' ' + Math.round(right) + ' > ' + Math.round(edge));
    }
    const companies = [...table.querySelectorAll('tbody tr')].map((tr) => tr.children[3].textContent.trim());
    return { past, box: box.scrollWidth - box.clientWidth, companies };
  })()`);
}

/**
 * The companies chart's axis labels as Chart.js drew them: each one's lines joined (what the office reads) and the
 * left edge of its widest line (px from the canvas's left; below 0: cut). Waits for the chart.
 */
async function chartLabels(page: Page): Promise<Array<{ text: string; left: number }>> {
  await page.waitForFunction(`(() => {
    const canvas = document.querySelector('canvas[data-chart]');
    return canvas !== null && window.Chart !== undefined && window.Chart.getChart(canvas) !== undefined;
  })()`);
  return page.evaluate(`(() => {
    const chart = window.Chart.getChart(document.querySelector('canvas[data-chart]'));
    const scale = chart.scales.y;
    const ctx = chart.ctx;
    ctx.save();
    ctx.font = window.Chart.helpers.toFont(scale.options.ticks.font).string;
    const out = scale.getLabelItems().map((item) => {
      const lines = Array.isArray(item.label) ? item.label : [item.label];
      const width = Math.max(...lines.map((l) => ctx.measureText(l).width));
      const x = item.options.translation[0];
      const left = item.options.textAlign === 'right' ? x - width : item.options.textAlign === 'center' ? x - width / 2 : x;
      return { text: lines.join(' '), left };
    });
    ctx.restore();
    return out;
  })()`);
}

describe.skipIf(!canRunBrowser)("the rankings' companies on a phone and on a laptop", () => {
  browser.around(
    async () => {
      h = await startHarness({ ADMIN_PASSWORD: PASSWORD });
      h.double.onProxy(() => [{ status: 180 }, { status: 486 }]);
      for (const [number, company, category] of CENTRES) {
        await h.double
          .injectRequest(
            buildInvite({ from: `<sip:${number}@203.0.113.10>`, to: DID, requestUri: `sip:${DID}@127.0.0.1` }),
          )
          .waitForFinal();
        const mark = { label: 'nuisance', company, category };
        expect((await h.api('POST', `/api/numbers/${encodeURIComponent(number)}/mark`, mark)).status).toBe(200);
        h.clock.advance(60_000);
        await h.double
          .injectRequest(
            buildInvite({ from: `<sip:${number}@203.0.113.10>`, to: DID, requestUri: `sip:${DID}@127.0.0.1` }),
          )
          .waitForFinal();
      }
      await h.app.register.flush();
    },
    () => h?.stop(),
  );

  it.each([
    ['it-IT', ['"#"', '"Azienda"', '"Categoria"', '"Tentativi"', '"Fermati"', '"numeri"']],
    ['en-GB', ['"#"', '"Company"', '"Category"', '"Attempts"', '"Stopped"', '"numbers"']],
  ])('at 390 px (%s) every column is in the window, each cell named', async (locale, labels) => {
    const page = await open(390, locale);
    const seen = await overflow(page);
    await saveScreenshot(page, join(ARTIFACTS, `rankings-companies-${locale}-390.png`));
    expect(seen.past).toEqual([]);
    expect(seen.box).toBe(0);
    expect(seen.page).toBe(0);
    expect(seen.labels).toEqual(labels);
    await page.context().close();
  });

  it.each(['it-IT', 'en-GB'])(
    "at 390 px (%s) the numbers' cards keep each company's category inside the window, after its name",
    async (locale) => {
      const page = await open(390, locale);
      const seen = await numbersCards(page);
      await saveScreenshot(page, join(ARTIFACTS, `rankings-numbers-${locale}-390.png`));
      expect(seen.past).toEqual([]);
      expect(seen.box).toBe(0);
      const energy = locale === 'it-IT' ? 'energia' : 'energy';
      expect(seen.companies).toContain(`Example Energia Servizi Commerciali Italia (${energy})`);
      await page.context().close();
    },
  );

  it.each([
    ['it-IT', 390],
    ['en-GB', 390],
    ['it-IT', 1366],
  ])("the companies chart (%s, %i px) shows each company's name whole, inside the chart", async (locale, width) => {
    const page = await open(width, locale);
    const labels = await chartLabels(page);
    await saveScreenshot(page, join(ARTIFACTS, `rankings-chart-${locale}-${width}.png`));
    expect(labels.map((l) => l.text).sort()).toEqual(CENTRES.map(([, company]) => company).sort());
    for (const l of labels) expect(l.left, l.text).toBeGreaterThanOrEqual(0);
    await page.context().close();
  });

  it('at 1366 px it is a table with its header row', async () => {
    const page = await open(1366, 'it-IT');
    expect(await page.locator('#companies thead').isVisible()).toBe(true);
    expect((await overflow(page)).box).toBe(0);
    await page.context().close();
  });
});
