/**
 * The panel's other tables on a phone (390 px), Italian and English, in a real browser: the friends' list, the
 * rankings' friends' reports (companies and categories) and a dossier's breaches. At 390 px the friends' list
 * scrolled sideways 485–640 px inside its box ("Rimuovi" at 931 px), the friends' reports 144–271 px, and a dossier's
 * breach tables pushed the whole page 267–313 px past the window (panel42's walk, session 42). Now their rows are
 * cards, as the register's: nothing past the window, every cell named; the dossier's facts are a name above its value,
 * not two columns whose first squeezed the time past the box. The prefix rules say when there is none (an empty
 * table's headers stood there) and are cards too; a number's own cards stand one a row (two a row wrapped its reasons
 * at ~120 px a line). Screenshots go to test-artifacts/browser/.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { addFriend } from '../../src/sharing/feeds/index.js';
import { Connection } from '../../src/store/sqlite/connection.js';
import { canRunBrowser, openLoggedIn, TestBrowser, textOutOfSight } from '../support/browser.js';
import { startHarness, type Harness } from '../support/crocetta-harness.js';
import { buildInvite } from '../support/drachtio-double.js';
import { saveScreenshot } from './artifact.js';

const PASSWORD = 'office-Pa55word!';
const FEED_TOKEN = 'friends-only-token-42';
/** Our number, on the Registro Pubblico delle Opposizioni: every telemarketing call to it is a breach. */
const DID = '+390212345670';
const CENTRE = '+390298760002';
const COMPANY = 'Example Energia Servizi Commerciali Italia';
const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'browser');

let h: Harness;
let friend: Harness;
const browser = new TestBrowser();

async function call(): Promise<void> {
  await h.double
    .injectRequest(buildInvite({ from: `<sip:${CENTRE}@203.0.113.10>`, to: DID, requestUri: `sip:${DID}@127.0.0.1` }))
    .waitForFinal();
  h.clock.advance(120_000);
}

/** How far the page and each box that scrolls sideways reach past their edges (px; 0 = fits), and unread text. */
async function seen(page: Page): Promise<{ page: number; boxes: number[]; out: string[] }> {
  const widths: { page: number; boxes: number[] } = await page.evaluate(`({
    page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    boxes: [...document.querySelectorAll('.scroll')].map((b) => b.scrollWidth - b.clientWidth),
  })`);
  return { ...widths, out: await textOutOfSight(page) };
}

/** The labels of the first row's cells as shown on a phone (each cell's ::before). */
function labels(page: Page, table: string): Promise<string[]> {
  return page.evaluate(`[...document.querySelectorAll(${JSON.stringify(`${table} tbody tr:first-child td`)})]
    .map((c) => getComputedStyle(c, '::before').content)`);
}

describe.skipIf(!canRunBrowser)("friends, friends' reports, a dossier's breaches and prefix rules on a phone", () => {
  browser.around(
    async () => {
      h = await startHarness(
        { ADMIN_PASSWORD: PASSWORD },
        {
          configure: (c) => {
            c.dossier.it.enabled = true;
            c.dossier.it.rpoRegisteredOn = '2026-01-01';
            c.dossier.it.rpoNumbers = [DID];
          },
        },
      );
      friend = await startHarness({ CROCETTA_FEED_TOKEN: FEED_TOKEN });
      h.double.onProxy(() => [{ status: 180 }, { status: 486 }]);
      await call();
      const mark = { label: 'nuisance', company: COMPANY, category: 'energy' };
      expect((await h.api('POST', `/api/numbers/${encodeURIComponent(CENTRE)}/mark`, mark)).status).toBe(200);
      expect((await friend.api('POST', `/api/numbers/${encodeURIComponent(CENTRE)}/mark`, mark)).status).toBe(200);
      await call();
      await h.app.register.flush();
      await friend.app.register.flush();
      const db = await Connection.open(join(h.dir, 'register.sqlite'));
      try {
        db.setBusyTimeout(5000);
        const feed = { url: friend.url('/api/feed'), publicKey: friend.app.feeds.publicKey, token: FEED_TOKEN };
        await addFriend(db, { name: 'studio-bianchi-commercialisti', ...feed, weight: 0.6 }, h.clock.now());
      } finally {
        await db.close();
      }
      expect((await h.app.feeds.pullAll()).map((p) => p.outcome)).toEqual(['merged']);
    },
    async () => {
      await friend?.stop();
      await h?.stop();
    },
  );

  it.each([
    ['it-IT', ['"Nome"', '"Indirizzo del feed"', '"Peso"', '"Numeri segnalati"', '"Ultimo scaricamento"']],
    ['en-GB', ['"Name"', '"Feed address"', '"Weight"', '"Numbers reported"', '"Last pull"']],
  ])("the friends' list (%s): cards inside the window", async (locale, named) => {
    const page = await openLoggedIn(browser, h, PASSWORD, { path: '/friends', width: 390, locale });
    await saveScreenshot(page, join(ARTIFACTS, `friends-${locale}-390.png`));
    expect(await seen(page)).toEqual({ page: 0, boxes: [0], out: [] });
    expect((await labels(page, '#friends-list')).slice(0, 5)).toEqual(named);
    await page.context().close();
  });

  it.each(['it-IT', 'en-GB'])("the rankings' friends' reports (%s): cards inside the window", async (locale) => {
    const page = await openLoggedIn(browser, h, PASSWORD, { path: '/rankings', width: 390, locale });
    await page.locator('#community-companies tbody tr').first().waitFor();
    await saveScreenshot(page, join(ARTIFACTS, `rankings-friends-${locale}-390.png`));
    const { page: past, boxes, out } = await seen(page);
    expect({ past, out }).toEqual({ past: 0, out: [] });
    expect(boxes.every((b) => b === 0)).toBe(true);
    expect((await labels(page, '#community-companies')).slice(0, 2)).toEqual(
      locale === 'it-IT' ? ['"#"', '"Azienda"'] : ['"#"', '"Company"'],
    );
    expect((await labels(page, '#community-categories'))[0]).toBe(locale === 'it-IT' ? '"Categoria"' : '"Category"');
    await page.context().close();
  });

  it.each(['it-IT', 'en-GB'])("a number's page (%s): its cards one a row, inside the window", async (locale) => {
    const page = await openLoggedIn(browser, h, PASSWORD, {
      path: `/numbers/${encodeURIComponent(CENTRE)}`,
      width: 390,
      locale,
    });
    await saveScreenshot(page, join(ARTIFACTS, `number-cards-${locale}-390.png`));
    // Not two a row, the next call's reasons wrapped at ~120 px a line.
    const lefts: number[] = await page.evaluate(
      `[...document.querySelectorAll('#number-cards > .card')].map((c) => Math.round(c.getBoundingClientRect().left))`,
    );
    expect(lefts.length).toBeGreaterThanOrEqual(3);
    expect(new Set(lefts).size).toBe(1);
    const { page: past, out } = await seen(page);
    expect({ past, out }).toEqual({ past: 0, out: [] });
    await page.context().close();
  });

  it("the prefix rules: none says so (not an empty table's headers); one added is a card inside the window", async () => {
    const page = await openLoggedIn(browser, h, PASSWORD, { path: '/rules', width: 390, locale: 'it-IT' });
    expect(await page.locator('#no-prefix-rules').textContent()).toBe('Ancora nessuna regola per prefisso.');
    expect(await page.locator('#prefix-rules').count()).toBe(0);
    await page.fill('input[name=prefix]', '+44 20 7946');
    await page.fill('input[name=label]', 'Centralino di Londra, offerte per le vacanze studio');
    await Promise.all([page.waitForURL(/\/rules/), page.click('form:has(input[name=prefix]) button[type=submit]')]);
    await page.locator('#prefix-rules tbody tr').first().waitFor();
    await saveScreenshot(page, join(ARTIFACTS, 'rules-prefix-it-IT-390.png'));
    expect(await page.locator('#no-prefix-rules').count()).toBe(0);
    const { page: past, out } = await seen(page);
    expect({ past, out }).toEqual({ past: 0, out: [] });
    expect((await labels(page, '#prefix-rules')).slice(0, 3)).toEqual(['"Prefisso"', '"Valutazione"', '"Etichetta"']);
    // Its button names the rule it removes (to a screen reader every row's said "Togli").
    expect(await page.getByRole('button', { name: 'Togli +44 20 7946' }).count()).toBe(1);
    await page.context().close();
  });

  it.each(['it-IT', 'en-GB'])(
    "a company's dossier with its breaches (%s): the page inside the window",
    async (locale) => {
      const path = `/dossier?company=${encodeURIComponent(COMPANY)}`;
      const page = await openLoggedIn(browser, h, PASSWORD, { path, width: 390, locale });
      await page.locator('section.breach').first().waitFor();
      await saveScreenshot(page, join(ARTIFACTS, `dossier-breaches-${locale}-390.png`));
      expect(await seen(page)).toEqual({ page: 0, boxes: [], out: [] });
      // The facts above the breaches inside their own box (the time "2026-11-05T09:34:00+01:00" reached its border).
      const facts = `(() => {
      const box = document.querySelector('.dossier-facts');
      const edge = box.getBoundingClientRect().right - parseFloat(getComputedStyle(box).paddingRight);
      const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
      const past = [];
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const range = document.createRange();
        range.selectNodeContents(n);
        for (const r of range.getClientRects()) if (r.right > edge + 0.5) past.push(n.textContent.trim());
      }
      return past;
    })()`;
      expect(await page.evaluate(facts)).toEqual([]);
      expect((await labels(page, 'section.breach table')).slice(0, 2)).toEqual(
        locale === 'it-IT' ? ['"Ruolo"', '"Ora"'] : ['"Role"', '"Time"'],
      );
      await page.context().close();
    },
  );
});
