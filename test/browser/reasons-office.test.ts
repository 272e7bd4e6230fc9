/**
 * A call's reasons as the office reads them in the register, in English and in Italian, in a real browser against
 * the real app (the drachtio double): rows of every kind (a mark and the repeat after its refusal, a prefix rule, a
 * friend's report, a burst, a sweep, a block of numbers the office marked, a display name matched by a pattern).
 * Each reason is said from its facts: a friend's company literally named `telecom` stays a company (it read
 * `telecoms`, `telefonia`), a display name that is a number stays as it was shown, a rule's label as typed.
 * Screenshots go to test-artifacts/browser/ (a picture, never a check).
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { addFriend } from '../../src/sharing/feeds/index.js';
import { Connection } from '../../src/store/sqlite/connection.js';
import { canRunBrowser, openLoggedIn, TestBrowser } from '../support/browser.js';
import { startHarness, type Harness } from '../support/crocetta-harness.js';
import { buildInvite } from '../support/drachtio-double.js';
import { saveScreenshot } from './artifact.js';

const PASSWORD = 'office-Pa55word!';
const FEED_TOKEN = 'friends-only-token-47';
const DID = '+390612345678';
const DIDS = ['+390612345671', '+390612345672', '+390612345673'];
/** Reported by the friend: a company literally named `telecom`, no category. */
const REPORTED_COMPANY = '+390287176900';
/** Reported by the friend: company Rete Uno, category telecom. */
const REPORTED_CATEGORY = '+390287176901';
const MARKED = '+390298765432';
const RULED = '+390451234567';
const BURSTER = '+393391112233';
const SWEEPER = '+393391112244';
/** Two numbers of one 10-block the office marks, and an unseen neighbour of theirs. */
const BLOCK = ['+390288877701', '+390288877702'];
const NEIGHBOUR = '+390288877705';
const NAMED = '+390233344455';
const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'browser');

let a: Harness;
let b: Harness;
const browser = new TestBrowser();

async function call(from: string, opts: { to?: string; name?: string } = {}): Promise<number> {
  const to = opts.to ?? DID;
  const fromHeader = opts.name === undefined ? from : `"${opts.name}" <sip:${from}@203.0.113.10>`;
  const final = await b.double
    .injectRequest(buildInvite({ from: fromHeader, to, requestUri: `sip:${to}@127.0.0.1` }))
    .waitForFinal();
  b.clock.advance(60_000);
  return final.status;
}

async function mark(h: Harness, number: string, body: Record<string, string>): Promise<void> {
  expect((await h.api('POST', `/api/numbers/${encodeURIComponent(number)}/mark`, body)).status).toBe(200);
}

/** The register's reason cells, by the caller's row, as the page shows them. */
async function reasons(page: Page): Promise<string[]> {
  return (await page.locator('#register td.reason').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
}

describe.skipIf(!canRunBrowser)("a call's reasons in the register, in English and in Italian", () => {
  browser.around(
    async () => {
      a = await startHarness({ CROCETTA_FEED_TOKEN: FEED_TOKEN });
      await mark(a, REPORTED_COMPANY, { label: 'nuisance', company: 'telecom' });
      await mark(a, REPORTED_CATEGORY, { label: 'nuisance', company: 'Rete Uno', category: 'telecom' });
      b = await startHarness(
        { ADMIN_PASSWORD: PASSWORD },
        {
          configure: (c) => {
            c.screening.prefixes = [{ prefix: '+39045', verdict: 'suspect', label: 'call centre +390451234500' }];
            c.screening.learning.safety.displayNameBlock = ['^\\+3902'];
          },
        },
      );
      b.double.onProxy(() => [{ status: 486 }]);
      const db = await Connection.open(join(b.dir, 'register.sqlite'));
      try {
        db.setBusyTimeout(5000);
        await addFriend(
          db,
          { name: 'alfa', url: a.url('/api/feed'), publicKey: a.app.feeds.publicKey, token: FEED_TOKEN, weight: 0.3 },
          b.clock.now(),
        );
      } finally {
        await db.close();
      }
      await b.app.feeds.pullAll();

      await call(REPORTED_COMPANY);
      await call(REPORTED_CATEGORY);
      await mark(b, MARKED, { label: 'nuisance', company: 'Example Energia', category: 'energy' });
      expect(await call(MARKED)).toBe(607);
      expect(await call(MARKED)).toBe(607);
      await call(RULED);
      for (let i = 0; i < 4; i++) await call(BURSTER);
      for (const to of DIDS) await call(SWEEPER, { to });
      for (const n of BLOCK) await mark(b, n, { label: 'nuisance' });
      await call(NEIGHBOUR);
      await call(NAMED, { name: '+390212345678' });
      await b.app.register.flush();
    },
    async () => {
      await b?.stop();
      await a?.stop();
    },
  );

  const said: Record<string, string[]> = {
    'en-GB': [
      'display name "+390212345678" matches your block pattern ^\\+3902',
      '2 numbers you marked nuisance in 02 8887 770x',
      'rang 3 of your numbers within 2 min (now)',
      '4 attempts within 60 min (now)',
      'suspect by your prefix rule 045 (call centre +390451234500)',
      'marked nuisance by you on 5 Nov 2026 (Example Energia, energy); 1st attempt after a refusal on 5 Nov (the same day)',
      'marked nuisance by you on 5 Nov 2026 (Example Energia, energy)',
      'reported by 1 friend (alfa, Rete Uno, telecoms)',
      'reported by 1 friend (alfa, telecom)',
    ],
    'it-IT': [
      'il nome mostrato "+390212345678" corrisponde al vostro schema di blocco ^\\+3902',
      '2 numeri che avete segnato come molesti in 02 8887 770x',
      'ha chiamato 3 dei vostri numeri in 2 min (ora)',
      '4 tentativi in 60 min (ora)',
      'sospetto per la vostra regola di prefisso 045 (call centre +390451234500)',
      'segnato come molesto da voi il 5 nov 2026 (Example Energia, energia); 1° tentativo dopo un rifiuto del 5 nov (lo stesso giorno)',
      'segnato come molesto da voi il 5 nov 2026 (Example Energia, energia)',
      'segnalato da 1 amico (alfa, Rete Uno, telefonia)',
      'segnalato da 1 amico (alfa, telecom)',
    ],
  };

  it.each(['en-GB', 'it-IT'])('says each reason from its facts (%s)', async (locale) => {
    const page = await openLoggedIn(browser, b, PASSWORD, { path: '/register', width: 1366, locale });
    await saveScreenshot(page, join(ARTIFACTS, `reasons-register-${locale}.png`), { fullPage: true });
    // Newest first; the calls that only counted (the burst's and the sweep's first ones) have no reason.
    expect((await reasons(page)).filter((r) => r !== '')).toEqual(said[locale]);
    // A number's page says its next call's reasons the same way.
    await page.goto(b.url(`/numbers/${encodeURIComponent(REPORTED_COMPANY)}`));
    await saveScreenshot(page, join(ARTIFACTS, `reasons-number-${locale}.png`), { fullPage: true });
    expect(await page.locator('main').innerText()).toContain(said[locale]?.at(-1));
    await page.context().close();
  });
});
