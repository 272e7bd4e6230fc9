/**
 * Friends' feeds from the panel (they were `crocetta feed` only: user37, session 37): B's office adds A as a friend on
 * the Friends page with what A's page tells it to give (the feed's address and public key) and A's feed token; B pulls
 * A's signed feed at once, lists A with the numbers it reports, classifies A's nuisance number by it; a wrong key is
 * refused with the form kept; removing A drops its reports at once. A's token is never shown or returned.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { panelSession, type PanelSession } from '../support/panel-session.js';
import { startHarness, type Harness } from '../support/crocetta-harness.js';

const FEED_TOKEN = 'friends-only-token-38';
const PASSWORD = 'Panel-friends-38';
const LISTED = '+390287176900';
let a: Harness;
let b: Harness;
let session: PanelSession;

async function page(path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(b.url(path), { headers: { cookie: session.cookie } });
  return { status: res.status, body: await res.text() };
}

async function post(fields: Record<string, string>): Promise<Response> {
  return fetch(b.url('/friends'), {
    method: 'POST',
    headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: session.csrf, ...fields }).toString(),
    redirect: 'manual',
  });
}

async function verdictAtB(): Promise<{ verdict: string; reasons: Array<{ code: string }> }> {
  return (await b.api('GET', `/api/numbers/${encodeURIComponent(LISTED)}`)).json as {
    verdict: string;
    reasons: Array<{ code: string }>;
  };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  a = await startHarness({ CROCETTA_FEED_TOKEN: FEED_TOKEN, ADMIN_PASSWORD: PASSWORD });
  b = await startHarness({ ADMIN_PASSWORD: PASSWORD });
  const marked = await a.api('POST', `/api/numbers/${encodeURIComponent(LISTED)}/mark`, {
    label: 'nuisance',
    company: 'Acme Energia',
  });
  expect(marked.status).toBe(200);
  session = await panelSession((p) => b.url(p), PASSWORD, 'en');
});
afterAll(async () => {
  await b?.stop();
  await a?.stop();
});

describe("friends' feeds in the panel", () => {
  it("A's Friends page says what to give a friend: its feed's address and public key, and that a feed token is set", async () => {
    const aSession = await panelSession((p) => a.url(p), PASSWORD, 'it');
    const res = await fetch(a.url('/friends'), { headers: { cookie: aSession.cookie } });
    const body = await res.text();
    expect(res.status).toBe(200);
    const ours = /<section class="panel" id="our-feed">[\s\S]*?<\/section>/.exec(body)?.[0] ?? '';
    expect(ours).toContain(`<code>${a.url('/api/feed')}</code>`);
    expect(ours).toContain(`<code>${a.app.feeds.publicKey}</code>`);
    expect(ours).toContain('Un token del feed è impostato.');
    expect(body).not.toContain(FEED_TOKEN);
    // The add form's weight as an Italian writes it (the list beside it said "0,6", the field "0.6").
    expect(body).toMatch(/<input name="weight"[^>]* value="0,6">/);
    // Refused with the weight left blank, the form offers it again as an Italian writes it (was "0.6").
    const refused = await fetch(a.url('/friends'), {
      method: 'POST',
      headers: { cookie: aSession.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        _csrf: aSession.csrf,
        action: 'add',
        name: 'zeta',
        url: 'https://zeta.example/api/feed',
        key: 'not-a-key',
        weight: '',
      }).toString(),
      redirect: 'manual',
    });
    expect(refused.status).toBe(400);
    const again = await refused.text();
    expect(again).toContain('value="zeta"');
    expect(again).toMatch(/<input name="weight"[^>]* value="0,6">/);
    // B has none set: its page says so.
    expect((await page('/friends')).body).toContain('No feed token is set');
    // Lists and rules links the page.
    expect((await page('/rules')).body).toContain('<a class="button" href="/friends" id="friends-link">Friends</a>');
  });

  it('a wrong public key is refused with the form kept (never the token), and nothing is added', async () => {
    const res = await post({
      action: 'add',
      name: 'alfa',
      url: a.url('/api/feed'),
      key: 'not-a-key',
      token: FEED_TOKEN,
      weight: '0.9',
    });
    expect(res.status).toBe(400);
    const body = await res.text();
    expect(body).toContain(
      'Not added: that is not a public key: copy it whole from your friend’s Friends page (a line ending in =)',
    );
    expect(body).toContain('value="alfa"');
    expect(body).toContain(`value="${a.url('/api/feed')}"`);
    expect(body).not.toContain(FEED_TOKEN);
    expect((await b.api('GET', '/api/friends')).json).toEqual({ friends: [] });
  });

  it("adds A, pulls its feed at once, lists it with the numbers it reports, and classifies A's number by it", async () => {
    expect((await verdictAtB()).verdict).toBe('unknown');
    const res = await post({
      action: 'add',
      name: 'alfa',
      url: a.url('/api/feed'),
      key: a.app.feeds.publicKey,
      token: FEED_TOKEN,
      weight: '0,9',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/friends?added=alfa');
    const listed = await until('the first pull of alfa', async () => {
      const { friends } = (await b.api('GET', '/api/friends')).json as {
        friends: Array<Record<string, unknown>>;
      };
      return friends[0]?.lastPullAt !== null && friends[0]?.numbers === 1 ? friends[0] : undefined;
    });
    expect(listed).toMatchObject({ name: 'alfa', url: a.url('/api/feed'), weight: 0.9, numbers: 1, lastError: null });
    expect(JSON.stringify(listed)).not.toContain(FEED_TOKEN);
    const seen = await verdictAtB();
    expect(seen.verdict).toBe('nuisance');
    expect(seen.reasons.map((r) => r.code)).toContain('friend-reports');

    const shown = await page('/friends?added=alfa');
    expect(shown.body).toContain('Friend alfa added: its feed is being pulled.');
    const row = /<table id="friends-list" class="stack">[\s\S]*?<\/table>/.exec(shown.body)?.[0] ?? '';
    expect(row).toContain('<td data-label="Name">alfa</td>');
    expect(row).toMatch(/<td class="num" data-label="Numbers reported">1<\/td>/);
    // Its button says whom it removes to a screen reader (each row's said "Remove", no more).
    expect(row).toContain('<button type="submit" aria-label="Remove alfa">Remove</button>');
    expect(shown.body).not.toContain(FEED_TOKEN);

    // The same name again is refused.
    const twice = await post({
      action: 'add',
      name: 'alfa',
      url: a.url('/api/feed'),
      key: a.app.feeds.publicKey,
      token: FEED_TOKEN,
    });
    expect(twice.status).toBe(400);
    expect(await twice.text()).toContain('Not added: a friend named alfa exists already');
  });

  it("a friend added with a wrong token: the Italian page says its last error in Italian (the API keeps the feeds' English)", async () => {
    const res = await post({
      action: 'add',
      name: 'beta',
      url: a.url('/api/feed'),
      key: a.app.feeds.publicKey,
      token: 'not-the-feed-token',
      weight: '0.6',
    });
    expect(res.status).toBe(303);
    const beta = await until('the refused pull of beta', async () => {
      const { friends } = (await b.api('GET', '/api/friends')).json as {
        friends: Array<Record<string, unknown>>;
      };
      return friends.find((f) => f['name'] === 'beta' && f['lastError'] !== null);
    });
    expect(beta['lastError']).toBe('unreachable: HTTP 401');
    const itSession = await panelSession((p) => b.url(p), PASSWORD, 'it');
    const body = await (await fetch(b.url('/friends'), { headers: { cookie: itSession.cookie } })).text();
    expect(body).toContain(
      'il feed dell’amico ha rifiutato il token (HTTP 401): chiedi all’amico il suo token del feed e aggiungilo di nuovo',
    );
    // Where the token comes from: the friend's operator, whose configuration sets it; no page shows it.
    expect(body).toContain('Il token del feed non lo mostra nessuna pagina');
    expect((await post({ action: 'remove', name: 'beta' })).status).toBe(303);
  });

  it('removing A drops its reports at once; removing it again says there is none', async () => {
    const res = await post({ action: 'remove', name: 'alfa' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/friends?removed=alfa');
    expect((await b.api('GET', '/api/friends')).json).toEqual({ friends: [] });
    expect((await verdictAtB()).reasons.map((r) => r.code)).not.toContain('friend-reports');
    const again = await post({ action: 'remove', name: 'alfa' });
    expect(again.status).toBe(404);
    expect(await again.text()).toContain('There is no friend named alfa.');
  });
});
