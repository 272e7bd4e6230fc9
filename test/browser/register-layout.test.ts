/**
 * The register page in a real browser (Debian's chromium via playwright-core) against the real app and the drachtio
 * double, seeded through the app itself: human checks a caller passed (key 1 in RTP) and failed (no key), a marked
 * call centre, long and unbroken display names, a forwarded call. The table fits the window, with no horizontal
 * scrolling, on a desktop (1400 px) and on a phone (390 px); the check column says what the check did, on the
 * register and on the number page. Screenshots go to test-artifacts/browser/.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { Attempt } from '../../src/store/register/types.js';
import { canRunBrowser, logIn, TestBrowser } from '../support/browser.js';
import { callerOffer, pbxAnswer, pressInRtp, shortWav } from '../support/check-calls.js';
import { attemptWhen, startHarness, type Harness } from '../support/crocetta-harness.js';
import { buildInvite, type InjectedRequest } from '../support/drachtio-double.js';
import { pickBlock } from '../support/real-sip-tools.js';
import { RtpSinks, type RtpSink } from '../support/rtp-sink.js';
import { saveScreenshot } from './artifact.js';

const PASSWORD = 'office-Pa55word!';
const DID = '+390612345678';
const PASSER = '+3908431234567'; // AGCOM survey prefix 0843: suspect, so checked
const SILENT = '+3908431234568';
const CENTRE = '+390298765432';
/**
 * Junk a carrier may send as the caller: kept raw, unbroken, longer than any number. Not zeros alone: since session 49
 * a caller ID of only zeros is a carrier's placeholder, no caller's key (isPlaceholderNumber), so its row has nothing to
 * mark; this one is a caller's, and the register must let the office mark it at every width.
 */
const JUNK = `0${'1234567890'.repeat(4)}123`;
const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'browser');

let h: Harness;
const browser = new TestBrowser();
const sinks = new RtpSinks();
let callerSdp = '';

function invite(from: string, extra: Partial<Parameters<typeof buildInvite>[0]> = {}): InjectedRequest {
  return h.double.injectRequest(buildInvite({ from, to: DID, requestUri: `sip:${DID}@127.0.0.1`, ...extra }));
}

async function checkedCall(from: string): Promise<{ call: InjectedRequest; rtp: RtpSink; port: number }> {
  const rtp = await sinks.add();
  callerSdp = callerOffer(rtp.port);
  const call = invite(from, { body: callerSdp });
  const ok = await call.waitForFinal();
  expect(ok.status).toBe(200);
  call.ack();
  const port = Number(/m=audio (\d+)/.exec(ok.body)?.[1]);
  return { call, rtp, port };
}

async function login(width: number, height: number, locale = 'en-GB'): Promise<Page> {
  const context = await browser.newContext({ locale, viewport: { width, height } });
  const page = await context.newPage();
  await logIn(page, h, PASSWORD);
  return page;
}

/** How far the page and the register table reach past what the window shows (px; 0 = fits). */
async function overflow(page: Page): Promise<{ page: number; table: number; cells: string[] }> {
  // Runs in the page (a string: the project's TypeScript has no DOM types).
  return page.evaluate(`(() => {
    const doc = document.documentElement;
    const box = document.querySelector('.scroll');
    const right = Math.min(box.getBoundingClientRect().right, doc.clientWidth);
    const cells = [...document.querySelectorAll('#register th, #register td')]
      .filter((c) => c.offsetParent !== null && c.getBoundingClientRect().right > right + 0.5)
      .map((c) => c.tagName + ' ' + (c.textContent || '').trim().slice(0, 40));
    return { page: doc.scrollWidth - doc.clientWidth, table: box.scrollWidth - box.clientWidth, cells };
  })()`);
}

describe.skipIf(!canRunBrowser)('the register page in a browser: layout and the human check column', () => {
  let passed: Attempt;
  let silent: Attempt;

  browser.around(
    async () => {
      mkdirSync(ARTIFACTS, { recursive: true });
      // crocetta's RTP ports: a block of 50 free ones in 34000-34999 (or E2E_PORTS).
      const low = await pickBlock(50, ['127.0.0.1'], 34_000, 35_000);
      const prompt = shortWav('prompt.wav', 0.6);
      const no = shortWav('no.wav', 0.8);
      h = await startHarness(
        {
          ADMIN_PASSWORD: PASSWORD,
          MEDIA_ADDRESS: '127.0.0.1',
          RTP_PORTS: `${low}-${low + 49}`,
          ACTION_SUSPECT: 'check',
        },
        {
          configure: (c) => {
            c.check.file = prompt;
            c.check.waitSeconds = 1;
            c.announcements.files.default = no;
          },
          // The caller answers our re-INVITE with the media it offered; the PBX answers 180, 200 with its SDP.
          onAppRequest: (req) =>
            req.method === 'INVITE' && req.dialogId !== '' ? [{ status: 200, body: callerSdp }] : pbxAnswer(req),
        },
      );
      h.double.onProxy(() => [{ status: 180 }, { status: 486 }]);

      // A caller who passes the check: key 1 in RTP during the prompt, put through to the PBX, then hangs up.
      const pass = await checkedCall(`"Istituto Sondaggi" <sip:${PASSER}@203.0.113.40>`);
      await pass.rtp.waitForPackets(5);
      await pressInRtp(pass.rtp, pass.port, '1');
      passed = await attemptWhen(h, PASSER, (a) => a.check === 'passed' && a.outcome === 'answered');
      expect((await pass.call.bye().waitForFinal()).status).toBe(200);

      // A caller who presses nothing: the NO, then crocetta hangs up.
      await checkedCall(`"Ricerche di Mercato Nazionali" <sip:${SILENT}@203.0.113.41>`);
      await h.double.waitForAppRequest('BYE', 8000);
      silent = await attemptWhen(h, SILENT, (a) => a.check === 'no-digit' && a.hungUpBy === 'crocetta');

      // A call centre, marked, calling again (several reasons); long and unbroken display names; a forwarded call.
      await invite(
        `"Offerte Luce e Gas Convenienza Casa Famiglia Promozione" <sip:${CENTRE}@203.0.113.10>`,
      ).waitForFinal();
      const mark = await h.api('POST', `/api/numbers/${encodeURIComponent(CENTRE)}/mark`, {
        label: 'nuisance',
        company: 'Example Energia Servizi Commerciali Italia',
        category: 'energy',
      });
      expect(mark.status).toBe(200);
      for (let i = 0; i < 3; i++) {
        h.clock.advance(600_000);
        await invite(
          `"Offerte Luce e Gas Convenienza Casa Famiglia Promozione" <sip:${CENTRE}@203.0.113.10>`,
        ).waitForFinal();
      }
      await invite(`"${'X'.repeat(70)}" <sip:+393331234567@203.0.113.20>`).waitForFinal();
      await invite(`"Studio Dentistico Dott.ssa Maria Teresa Bianchi" <sip:+390298700001@203.0.113.30>`).waitForFinal();
      await invite(`<sip:${JUNK}@203.0.113.50>`).waitForFinal();
      await h.app.register.flush();
    },
    async () => {
      await h?.stop();
      await sinks.closeAll();
    },
  );

  it.each([
    { width: 1400, height: 900, device: 'desktop', locale: 'en-GB' },
    // Italian headers and action words are longer ("Chiamato (nostro numero)", "rifiutata (607 indesiderata)").
    { width: 1280, height: 800, device: 'laptop, Italian', locale: 'it-IT' },
    { width: 390, height: 844, device: 'phone', locale: 'en-GB' },
  ])('fits a $width px window with no horizontal scrolling ($device)', async ({ width, height, locale }) => {
    const page = await login(width, height, locale);
    await page.goto(h.url('/register'));
    await page.locator('#register tbody tr').first().waitFor();
    // Measured first; the picture (for a reader, saved even when the layout is wrong) cannot fail the test.
    const measured = await overflow(page);
    await saveScreenshot(page, join(ARTIFACTS, `register-${width}-${locale}.png`));
    expect(measured).toEqual({ page: 0, table: 0, cells: [] });
    // Every row can still be marked from the register.
    const marks = page.locator('#register tbody tr summary');
    expect(await marks.count()).toBe(await page.locator('#register tbody tr').count());
    expect(await marks.last().isVisible()).toBe(true);
    await page.context().close();
  });

  it("writes each call's time on one line at 1366 × 768 (Italian), the table still inside the window", async () => {
    const page = await login(1366, 768, 'it-IT');
    await page.goto(h.url('/register'));
    await page.locator('#register tbody tr').first().waitFor();
    // The lines each time cell's text takes (a range's boxes by their top: one box per line).
    const lines: Array<{ text: string; lines: number }> =
      await page.evaluate(`[...document.querySelectorAll('#register td.c-time')]
      .map((td) => {
        const r = document.createRange();
        r.selectNodeContents(td);
        return { text: td.textContent, lines: new Set([...r.getClientRects()].map((b) => Math.round(b.top))).size };
      })`);
    const measured = await overflow(page);
    await saveScreenshot(page, join(ARTIFACTS, 'register-1366-it-IT.png'));
    expect(lines.length).toBeGreaterThan(5);
    expect(lines.filter((l) => l.lines !== 1)).toEqual([]);
    expect(measured).toEqual({ page: 0, table: 0, cells: [] });
    await page.context().close();
  });

  it.each([
    { who: 'a marked call centre', key: CENTRE },
    { who: 'a junk caller ID', key: `raw:${JUNK}` },
  ])("the number page of $who fits a phone's 390 px", async ({ key }) => {
    const page = await login(390, 844);
    await page.goto(h.url(`/numbers/${encodeURIComponent(key)}`));
    await saveScreenshot(page, join(ARTIFACTS, `number-390-${key.slice(0, 8).replace(/\W/g, '_')}.png`));
    // Outside the SIP details' own scrolling table and the header's links (one line that scrolls sideways on a
    // phone), nothing reaches past the window.
    const past = await page.evaluate(`(() => {
      const width = document.documentElement.clientWidth;
      return [...document.querySelectorAll('body *')]
        .filter((e) => !e.closest('.scroll, header nav') && e.getBoundingClientRect().right > width + 0.5)
        .map((e) => e.tagName + '.' + e.className + ' ' + (e.textContent || '').trim().slice(0, 30));
    })()`);
    expect(past).toEqual([]);
    expect(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBe(0);
    await page.context().close();
  });

  it('shows what the human check did, on the register and on the number page', async () => {
    const passedText = `check passed (${((passed.checkMs ?? 0) / 1000).toFixed(1)} s)`;
    const silentText = `check: no key (${((silent.checkMs ?? 0) / 1000).toFixed(1)} s)`;
    const page = await login(1400, 900);
    await page.goto(h.url('/register'));
    // A row by its caller's link (the page writes the number for people: 0843 123 4567).
    const rowOf = (n: string) =>
      page.locator('#register tbody tr', { has: page.locator(`a[href="/numbers/${encodeURIComponent(n)}"]`) });
    expect(await rowOf(PASSER).locator('.check-passed').textContent()).toBe(passedText);
    expect(await rowOf(SILENT).locator('.check-no-digit').textContent()).toBe(silentText);
    expect(await rowOf(CENTRE).first().locator('[class^=check-]').count()).toBe(0);

    await page.goto(h.url(`/numbers/${encodeURIComponent(PASSER)}`));
    expect(await page.locator('main').textContent()).toContain(passedText);
    await saveScreenshot(page, join(ARTIFACTS, 'number-check-passed.png'));
    await page.goto(h.url(`/numbers/${encodeURIComponent(SILENT)}`));
    expect(await page.locator('main').textContent()).toContain(silentText);
    await page.context().close();
  });
});
