/**
 * The register's filters and the number page's SIP details at a common laptop width (1366 × 768) and on a phone
 * (390 px), Italian and English, in a real browser (Debian's chromium via playwright-core). At 1366 px the date
 * fields' order, said again beside their labels, made the filters wrap and put "CSV per Excel" on a line of its own,
 * and the SIP details (twelve columns, headers that never wrapped) scrolled sideways. Now the filters and their
 * export links are one line, the SIP details fit the window without losing a character (long header values wrap, a
 * number and an address stay whole), at 1366 px and at 1280 (where "CSV per Excel" and "CSV for Excel" stood on a line of
 * their own again and the Italian page's SIP details scrolled 39–66 px sideways, the Call-ID cut: panel42's walk,
 * session 42), and on a phone neither page reaches past the window. The register's verdict
 * filter and column are labelled as the verdict ("Valutazione", "Verdict"), not as the call's outcome. Screenshots go
 * to test-artifacts/browser/.
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
const CENTRE = '+390298765432';
/** A caller whose carrier reaches us over IPv6: its source address is 38 characters without a space. */
const CENTRE6 = '+390298765433';
const SOURCE6 = '2001:db8:85a3:1234:5678:8a2e:370:7334';
/** What a call centre's SBC writes: a long User-Agent and Call-ID, unbroken by spaces where it can be. */
const USER_AGENT = 'Acme-SBC/9.4.2 (build 2026-11-30; dialer-cluster-eu-south-1; sofia-sip/1.13.17)';
const callId = (i: number): string =>
  `a84b4c76e66710-${i}-3f8e9a2c5d7b1e0f4a6c8d2e@pbx-gateway-01.carrier-example-voip.it`;
const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'browser');

let h: Harness;
const browser = new TestBrowser();

function open(path: string, width: number, locale: string): Promise<Page> {
  return openLoggedIn(browser, h, PASSWORD, { path, width, locale });
}

/** How far the page reaches past the window (px; 0 = fits). */
function pageOverflow(page: Page): Promise<number> {
  return page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
}

/** The lines the filter form's fields, buttons and links stand on (each item by its bottom: they line up there). */
async function filterLines(page: Page): Promise<string[][]> {
  // Runs in the page (a string: the project's TypeScript has no DOM types).
  const items: Array<{ text: string; bottom: number }> = await page.evaluate(`
    [...document.querySelectorAll('form.filters > *')].map((e) => ({
      text: (e.innerText || '').trim().split('\\n')[0],
      bottom: Math.round(e.getBoundingClientRect().bottom),
    }))`);
  const lines = new Map<number, string[]>();
  for (const item of items) {
    const line = [...lines.keys()].find((bottom) => Math.abs(bottom - item.bottom) <= 2) ?? item.bottom;
    lines.set(line, [...(lines.get(line) ?? []), item.text]);
  }
  return [...lines.values()];
}

/** The SIP details table: how far it reaches past its box, the cells whose text is cut, and its text. */
async function sipDetails(page: Page): Promise<{ past: number; cut: string[]; text: string }> {
  return page.evaluate(`(() => {
    const table = document.querySelector('#sip-details');
    const box = table.closest('.scroll');
    const cut = [...table.querySelectorAll('th, td')]
      .filter((c) => c.scrollWidth > c.clientWidth + 1)
      .map((c) => (c.textContent || '').trim().slice(0, 40));
    return { past: box.scrollWidth - box.clientWidth, cut, text: table.innerText };
  })()`);
}

/**
 * The lines each short SIP value stands on: the raw number (3rd column) and the source address (10th) of every row,
 * by the line boxes of its text (a value broken mid-token, `+390298765|432`, stands on 2).
 */
async function shortValueLines(page: Page): Promise<Array<{ text: string; lines: number }>> {
  return page.evaluate(`(() => {
    const cells = [...document.querySelectorAll('#sip-details tbody td:nth-child(3), #sip-details tbody td:nth-child(10)')];
    return cells.map((cell) => {
      const range = document.createRange();
      range.selectNodeContents(cell);
      const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
      return { text: (cell.textContent || '').trim(), lines: tops.size };
    });
  })()`);
}

describe.skipIf(!canRunBrowser)('the register and the number page at 1366 px and on a phone', () => {
  browser.around(
    async () => {
      h = await startHarness({ ADMIN_PASSWORD: PASSWORD });
      h.double.onProxy(() => [{ status: 180 }, { status: 486 }]);
      for (let i = 0; i < 3; i++) {
        const invite = buildInvite({
          from: `"Offerte Luce e Gas Convenienza Casa Famiglia Promozione" <sip:${CENTRE}@203.0.113.10>`,
          pai: `"Offerte Luce e Gas" <sip:${CENTRE}@203.0.113.10>`,
          to: DID,
          requestUri: `sip:${DID}@127.0.0.1`,
          callId: callId(i),
          extraHeaders: { 'User-Agent': USER_AGENT },
        });
        await h.double.injectRequest(invite).waitForFinal();
        h.clock.advance(600_000);
      }
      // More callers, so that the register scrolls as a real one does: its scrollbar takes width from the filters.
      for (let i = 0; i < 20; i++) {
        const caller = `+3902555500${String(i).padStart(2, '0')}`;
        const invite = buildInvite({
          from: `<sip:${caller}@203.0.113.20>`,
          to: DID,
          requestUri: `sip:${DID}@127.0.0.1`,
        });
        await h.double.injectRequest(invite).waitForFinal();
        h.clock.advance(60_000);
      }
      await h.double
        .injectRequest(
          buildInvite({ from: `<sip:${CENTRE6}@[${SOURCE6}]>`, to: DID, requestUri: `sip:${DID}@127.0.0.1` }),
          {
            source: { address: SOURCE6, port: 5060 },
          },
        )
        .waitForFinal();
      await h.app.register.flush();
    },
    () => h?.stop(),
  );

  it.each([
    ['it-IT', 1366],
    ['en-GB', 1366],
    ['it-IT', 1280],
    ['en-GB', 1280],
  ])('register, %s, %i px: the filters and both CSV links on one line', async (locale, width) => {
    const page = await open('/register', width, locale);
    expect(await page.evaluate('document.documentElement.scrollHeight > window.innerHeight')).toBe(true);
    const lines = await filterLines(page);
    const past = await pageOverflow(page);
    await saveScreenshot(page, join(ARTIFACTS, `register-filters-${width}-${locale}.png`), { fullPage: false });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(locale === 'it-IT' ? 'CSV per Excel' : 'CSV for Excel');
    expect(past).toBe(0);
    // The fields still say their order: as the placeholder, and to a screen reader in the label.
    const from = page.getByLabel(locale === 'it-IT' ? 'Dal (gg/mm/aaaa)' : 'From (dd/mm/yyyy)');
    expect(await from.getAttribute('placeholder')).toBe(locale === 'it-IT' ? 'gg/mm/aaaa' : 'dd/mm/yyyy');
    // The verdict's filter and column are "Valutazione" in Italian, as "Verdict" in English: "Esito" read as how the
    // call ended (the "Azione" column and the number page's "Come è finita"). The filter filters as before.
    const label = locale === 'it-IT' ? 'Valutazione' : 'Verdict';
    expect(lines[0]).toContain(label);
    expect(await page.locator('table thead th').allTextContents()).toContain(label); // as written (CSS capitalizes)
    const verdictFilter = page.getByLabel(label);
    expect(await verdictFilter.getAttribute('name')).toBe('verdict');
    // Its "any" agrees with every filter's label ("Valutazione", "Azione": feminine; "Chiamato"): "qualsiasi".
    expect(await verdictFilter.locator('option').first().textContent()).toBe(locale === 'it-IT' ? 'qualsiasi' : 'any');
    await verdictFilter.selectOption('unknown');
    await Promise.all([
      page.waitForURL(/\/register\?(.*&)?verdict=unknown(&|$)/),
      page.click('form.filters button[type=submit]'),
    ]);
    const cells = await page.locator(`table tbody td[data-label="${label}"]`).allInnerTexts();
    expect(cells.length).toBeGreaterThan(0);
    expect(new Set(cells.map((c) => c.trim()))).toEqual(new Set([locale === 'it-IT' ? 'sconosciuto' : 'unknown']));
    await page.context().close();
  });

  it.each([
    ['it-IT', 1366],
    ['en-GB', 1366],
    ['it-IT', 1280],
    ['en-GB', 1280],
  ])('number page, %s, %i px: the SIP details fit the window, every value whole', async (locale, width) => {
    const page = await open(`/numbers/${encodeURIComponent(CENTRE)}`, width, locale);
    const details = await sipDetails(page);
    const past = await pageOverflow(page);
    await saveScreenshot(page, join(ARTIFACTS, `number-sip-details-${width}-${locale}.png`));
    expect(details.past).toBe(0);
    expect(details.cut).toEqual([]);
    expect(past).toBe(0);
    // Nothing lost to the fit: each call's Call-ID and the User-Agent, as sent (wrapped, not cut).
    const text = details.text.replace(/\s+/g, '');
    for (let i = 0; i < 3; i++) expect(text).toContain(callId(i));
    expect(text).toContain(USER_AGENT.replace(/\s+/g, ''));
    expect(text).toContain('P-Asserted-Identity');
    // A number and an address are never broken mid-token (was `+390298765|432`, `203.0.113.|10`).
    expect(await shortValueLines(page)).toEqual(
      Array.from({ length: 3 }, () => [
        { text: CENTRE, lines: 1 },
        { text: '203.0.113.10', lines: 1 },
      ]).flat(),
    );
    await page.context().close();
  });

  it.each(['it-IT', 'en-GB'])('%s, 390 px: neither page reaches past the window', async (locale) => {
    const page = await open('/register', 390, locale);
    expect(await pageOverflow(page)).toBe(0);
    await saveScreenshot(page, join(ARTIFACTS, `register-filters-390-${locale}.png`), { fullPage: false });
    await page.goto(h.url(`/numbers/${encodeURIComponent(CENTRE)}`));
    const details = await sipDetails(page);
    await saveScreenshot(page, join(ARTIFACTS, `number-sip-details-390-${locale}.png`));
    expect(await pageOverflow(page)).toBe(0);
    expect(details.past).toBe(0);
    expect(details.cut).toEqual([]);
    expect((await shortValueLines(page)).filter((v) => v.lines !== 1)).toEqual([]);
    await page.context().close();
  });

  it.each([
    ['it-IT', 1366],
    ['en-GB', 1366],
    ['it-IT', 390],
  ])(
    'number page, %s, %i px: an IPv6 source address breaks at its colons, nothing past the window',
    async (locale, width) => {
      const page = await open(`/numbers/${encodeURIComponent(CENTRE6)}`, width, locale);
      const details = await sipDetails(page);
      await saveScreenshot(page, join(ARTIFACTS, `number-ipv6-${width}-${locale}.png`));
      expect(await pageOverflow(page)).toBe(0);
      expect(details.past).toBe(0);
      expect(details.cut).toEqual([]);
      // Whole when read or copied: the break opportunities add no character.
      expect(details.text.replace(/\s+/g, '')).toContain(SOURCE6);
      await page.context().close();
    },
  );
});
