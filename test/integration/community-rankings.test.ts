/**
 * Community rankings across friends: B subscribes to the signed feeds of A and C (three real instances), and its
 * rankings page and `GET /api/rankings/community` show the companies its friends report most (each friend once per
 * number) beside the attempts the same company made to B; a number B trusts is left out. The page is also looked
 * at in chromium (screenshot in test-artifacts/browser/rankings-community.png) when it is installed.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addFriend } from '../../src/sharing/feeds/index.js';
import { Connection } from '../../src/store/sqlite/connection.js';
import { buildInvite } from '../support/drachtio-double.js';
import { saveScreenshot } from '../browser/artifact.js';
import { canRunBrowser, launchChromium, logIn } from '../support/browser.js';
import { startHarness, type Harness } from '../support/crocetta-harness.js';

const FEED_TOKEN = 'friends-only-token-42';
const PASSWORD = 'office-Pa55word!';
const DID = '+390612345678';
const ACME_1 = '+390287176900'; // reported by A (called A once) and by C
const ACME_2 = '+390287176901'; // reported by A only, never called A
const ACME_LOCAL = '+390287176999'; // B's own Acme number: two attempts at B
const BETA = '+390611223344'; // Beta Telecom, reported by C
const TRUSTED_AT_B = '+390655555555'; // A reports it; B trusts it

async function befriend(h: Harness, name: string, peer: Harness): Promise<void> {
  const db = await Connection.open(join(h.dir, 'register.sqlite'));
  try {
    db.setBusyTimeout(5000);
    await addFriend(
      db,
      { name, url: peer.url('/api/feed'), publicKey: peer.app.feeds.publicKey, token: FEED_TOKEN, weight: 0.6 },
      h.clock.now(),
    );
  } finally {
    await db.close();
  }
}

async function mark(h: Harness, number: string, label: string, company?: string, category?: string): Promise<void> {
  const r = await h.api('POST', `/api/numbers/${encodeURIComponent(number)}/mark`, { label, company, category });
  expect(r.status).toBe(200);
}

async function call(h: Harness, from: string): Promise<void> {
  await h.double
    .injectRequest(buildInvite({ from: `<sip:${from}@203.0.113.10>`, to: DID, requestUri: `sip:${DID}@127.0.0.1` }))
    .waitForFinal();
  h.clock.advance(60_000);
}

describe('community rankings across friends', () => {
  let a: Harness;
  let b: Harness;
  let c: Harness;

  beforeAll(async () => {
    [a, b, c] = await Promise.all([
      startHarness({ CROCETTA_FEED_TOKEN: FEED_TOKEN }),
      startHarness({ ADMIN_PASSWORD: PASSWORD }),
      startHarness({ CROCETTA_FEED_TOKEN: FEED_TOKEN }),
    ]);
    for (const h of [a, b, c]) h.double.onProxy(() => [{ status: 486 }]);
    await call(a, ACME_1);
    await mark(a, ACME_1, 'nuisance', 'Acme Energia', 'energy');
    await mark(a, ACME_2, 'nuisance', 'acme energia ', 'energy'); // the same company, spelt differently
    await mark(a, TRUSTED_AT_B, 'nuisance', 'Zeta Gas', 'energy');
    await mark(c, ACME_1, 'nuisance', 'Acme Energia', 'energy');
    await mark(c, BETA, 'nuisance', 'Beta Telecom', 'telecom');
    await a.app.register.flush();

    await mark(b, ACME_LOCAL, 'nuisance', 'Acme Energia', 'energy');
    await mark(b, TRUSTED_AT_B, 'trusted');
    await call(b, ACME_LOCAL);
    await call(b, ACME_LOCAL);
    await b.app.register.flush();

    await befriend(b, 'alfa', a);
    await befriend(b, 'gamma', c);
    const pulled = await b.app.feeds.pullAll();
    expect(pulled.map((p) => p.outcome)).toEqual(['merged', 'merged']);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([a, b, c].map((h) => h?.stop()));
  });

  it('ranks the companies friends report (each friend once per number) beside our own attempts, in JSON', async () => {
    const r = await b.api('GET', '/api/rankings/community?since=2026-11-01&until=2026-11-30');
    expect(r.status).toBe(200);
    const body = r.json as { since: string; until: string; companies: unknown[]; categories: unknown[] };
    expect(body).toMatchObject({ since: '2026-11-01', until: '2026-11-30' });
    expect(body.companies).toEqual([
      {
        company: 'Acme Energia',
        category: 'energy',
        friends: 2,
        numbers: 2,
        reports: 3,
        friendAttempts: 1,
        localAttempts: 2,
        localStopped: 2,
      },
      {
        company: 'Beta Telecom',
        category: 'telecom',
        friends: 1,
        numbers: 1,
        reports: 1,
        friendAttempts: 0,
        localAttempts: 0,
        localStopped: 0,
      },
    ]);
    expect(body.categories).toEqual([
      { category: 'energy', friends: 2, numbers: 2, reports: 3, friendAttempts: 1, localAttempts: 2 },
      { category: 'telecom', friends: 1, numbers: 1, reports: 1, friendAttempts: 0, localAttempts: 0 },
    ]);
    // A period before A saw ACME_1 call: A's report of it drops out; reports without any call (listed from a mark:
    // A's ACME_2, C's ACME_1) count in every period.
    const before = await b.api('GET', '/api/rankings/community?since=2026-10-01&until=2026-10-31&category=energy');
    expect((before.json as { companies: unknown[] }).companies).toEqual([
      {
        company: 'Acme Energia',
        category: 'energy',
        friends: 2,
        numbers: 2,
        reports: 2,
        friendAttempts: 0,
        localAttempts: 0,
        localStopped: 0,
      },
    ]);
  });

  it.skipIf(!canRunBrowser)('shows "Segnalazioni degli amici" on the rankings page', async () => {
    const browser = await launchChromium();
    try {
      const page = await (
        await browser.newContext({ locale: 'it-IT', viewport: { width: 1280, height: 900 } })
      ).newPage();
      await logIn(page, b, PASSWORD);
      await page.goto(b.url('/rankings?period=30'));
      expect(await page.locator('#community h2').first().textContent()).toBe('Segnalazioni degli amici');
      const acme = page.locator('#community-companies tbody tr').first();
      expect(await acme.locator('td').allTextContents()).toEqual([
        '1',
        'Acme Energia',
        'energia', // the category named in the page's language
        '2',
        '2',
        '3',
        '1',
        '2',
      ]);
      // An artifact: a capture Chromium cannot make under load must not fail the test (test/browser/artifact.ts).
      await saveScreenshot(page, join(process.cwd(), 'test-artifacts', 'browser', 'rankings-community.png'));
    } finally {
      await browser.close();
    }
  });
});
