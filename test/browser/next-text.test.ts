/**
 * The number page's first card names what comes next: a sender ID that only texts is judged as a text
 * (contextOfCaller), and its card says "Next text" / "Prossimo messaggio", not "Next call" (sms49's walk, session 49).
 * A phone number that called keeps "Next call" / "Prossima chiamata".
 */
import { describe, expect, it } from 'vitest';
import { canRunBrowser, openLoggedIn, TestBrowser } from '../support/browser.js';
import { startHarness, type Harness } from '../support/crocetta-harness.js';
import { buildInvite, buildMessage } from '../support/drachtio-double.js';

const PASSWORD = 'office-Pa55word!';
let h: Harness;
const browser = new TestBrowser();

describe.skipIf(!canRunBrowser)("the number page's card for a sender that only texts", () => {
  browser.around(
    async () => {
      h = await startHarness({ ADMIN_PASSWORD: PASSWORD });
      h.double.onProxy(() => [{ status: 200 }]);
      await h.double
        .injectRequest(buildMessage({ from: 'IntesaSP', to: '+390255550100', body: 'Codice 123456' }))
        .waitForFinal();
      await h.double
        .injectRequest(
          buildInvite({ from: '+390298765432', to: '+390255550100', requestUri: 'sip:+390255550100@127.0.0.1' }),
        )
        .waitForFinal();
      await h.app.register.flush();
    },
    () => h?.stop(),
  );

  it.each([
    ['it-IT', 'Prossimo messaggio da questo mittente', 'Prossima chiamata da questo numero'],
    ['en-GB', 'Next text from this sender', 'Next call from this number'],
  ])('%s: "next text" for the sender ID, "next call" for the number', async (locale, nextText, nextCall) => {
    const page = await openLoggedIn(browser, h, PASSWORD, {
      path: `/numbers/${encodeURIComponent('raw:IntesaSP')}`,
      width: 1366,
      locale,
    });
    expect((await page.locator('#number-cards .card .l').first().innerText()).trim()).toBe(nextText);
    await page.goto(h.url(`/numbers/${encodeURIComponent('+390298765432')}`));
    expect((await page.locator('#number-cards .card .l').first().innerText()).trim()).toBe(nextCall);
    await page.context().close();
  });
});
