/**
 * A caller that withholds its number (Privacy: id, RFC 3323/3325) is screened by the number the carrier asserts, but
 * the office does not see it: the panel, its CSV and the JSON API name it "Numero nascosto · A3F9", the same name on
 * every call, and no list for a friend carries it (user37, session 37: the register and the rankings listed
 * "333 999 8877 (nascosto)"). The office still marks it from its page, and its next call is refused. The operator may
 * choose to see the numbers (SHOW_WITHHELD_NUMBERS=true).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Attempt } from '../../src/store/register/types.js';
import { buildInvite } from '../support/drachtio-double.js';
import { panelSession, type PanelSession } from '../support/panel-session.js';
import { startHarness, type Harness } from '../support/crocetta-harness.js';

const PASSWORD = 'Withheld-38-privacy';
const DID = '+390612345678';
const HIDDEN = '+393339998877';
/** The hidden number as any page, file or JSON could write it. */
const DIGITS = ['3339998877', '333 999 8877', '333\u00a0999\u00a08877', '999 8877'];
const SHOWN = '+393471112233';
const TAG = /Numero nascosto · ([0-9A-F]{4})/g;

function noDigits(text: string): void {
  for (const d of DIGITS) expect(text).not.toContain(d);
}

async function call(h: Harness, withheld: boolean): Promise<number> {
  const invite = withheld
    ? buildInvite({
        from: '"Anonymous" <sip:anonymous@anonymous.invalid>',
        pai: `tel:${HIDDEN}`,
        privacy: 'id',
        to: DID,
        requestUri: `sip:${DID}@127.0.0.1`,
      })
    : buildInvite({ from: SHOWN, to: DID, requestUri: `sip:${DID}@127.0.0.1` });
  const status = (await h.double.injectRequest(invite).waitForFinal()).status;
  await h.app.register.flush();
  return status;
}

/** A call from `number`, withheld (Privacy: id, the number asserted) or shown. */
async function callFrom(h: Harness, number: string, withheld: boolean): Promise<number> {
  const invite = buildInvite({
    ...(withheld
      ? { from: '"Anonymous" <sip:anonymous@anonymous.invalid>', pai: `tel:${number}`, privacy: 'id' }
      : { from: number }),
    to: DID,
    requestUri: `sip:${DID}@127.0.0.1`,
  });
  const status = (await h.double.injectRequest(invite).waitForFinal()).status;
  await h.app.register.flush();
  return status;
}

async function get(h: Harness, s: PanelSession, path: string): Promise<{ status: number; text: string }> {
  const res = await fetch(h.url(path), { headers: { cookie: s.cookie }, redirect: 'manual' });
  return { status: res.status, text: await res.text() };
}

describe('a withheld caller in the panel (by default)', () => {
  let h: Harness;
  let it_: PanelSession;
  let en: PanelSession;
  let token = '';

  beforeAll(async () => {
    h = await startHarness({ ADMIN_PASSWORD: PASSWORD });
    h.double.onProxy(() => [{ status: 200 }]);
    it_ = await panelSession((p) => h.url(p), PASSWORD, 'it');
    en = await panelSession((p) => h.url(p), PASSWORD, 'en');
    for (let i = 0; i < 3; i++) expect(await call(h, true)).toBe(200);
    expect(await call(h, false)).toBe(200);
  });
  afterAll(async () => {
    await h.stop();
  });

  it('the JSON API names it by one token, never by its digits, and still finds it by that token', async () => {
    const res = await h.api('GET', '/api/attempts?limit=10');
    noDigits(JSON.stringify(res.json));
    const rows = (res.json as { attempts: Attempt[] }).attempts;
    const hidden = rows.filter((a) => a.withheld);
    expect(hidden).toHaveLength(3);
    token = hidden[0]?.callerKey ?? '';
    expect(token).toMatch(/^hidden:[A-Za-z0-9_-]+$/);
    for (const a of hidden) expect(a).toMatchObject({ callerKey: token, callerE164: null, callerRaw: null });
    // The caller who showed its number is shown as ever.
    expect(rows.find((a) => !a.withheld)?.callerE164).toBe(SHOWN);
    const byToken = await h.api('GET', `/api/attempts?number=${encodeURIComponent(token)}`);
    expect((byToken.json as { attempts: Attempt[] }).attempts).toHaveLength(3);
    const number = await h.api('GET', `/api/numbers/${encodeURIComponent(token)}`);
    expect(number.json).toMatchObject({ number: token, withheld: true, attempts: 3, type: null, country: null });
    noDigits(JSON.stringify(number.json));
    // A token this register did not make names nobody.
    expect((await h.api('GET', '/api/numbers/hidden:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).status).toBe(404);
  });

  it('the register, its CSV, the rankings and the dashboard show "Numero nascosto · A3F9", the same name each time', async () => {
    const register = await get(h, it_, '/register');
    expect(register.status).toBe(200);
    noDigits(register.text);
    const tags = [...register.text.matchAll(TAG)].map((m) => m[1]);
    expect(tags.length).toBeGreaterThanOrEqual(3);
    expect(new Set(tags).size).toBe(1);
    expect(register.text).toContain('347 111 2233');
    expect((await get(h, en, '/register')).text).toContain(`Withheld number · ${tags[0]}`);
    for (const path of ['/register.csv', '/register.csv?excel=1', '/rankings', '/', '/api/rankings/numbers']) {
      const res = path.startsWith('/api/') ? await h.api('GET', path) : await get(h, it_, path);
      expect(res.status, path).toBe(200);
      noDigits(JSON.stringify('text' in res ? res.text : res.json));
    }
    expect((await get(h, it_, '/rankings')).text).toContain(`Numero nascosto · ${tags[0]}`);
    expect((await get(h, it_, '/register.csv')).text).toContain(token);
  });

  it('its page shows no digits, and a mark made there refuses its next call', async () => {
    const pageUrl = `/numbers/${encodeURIComponent(token)}`;
    const numberPage = await get(h, it_, pageUrl);
    expect(numberPage.status).toBe(200);
    noDigits(numberPage.text);
    expect(numberPage.text).toMatch(/<h1>Numero nascosto · [0-9A-F]{4}<\/h1>/);
    // Its page asked by its digits is a number never seen (session 39: it led to the token's page, an oracle).
    const byDigits = await get(h, it_, `/numbers/${encodeURIComponent(HIDDEN)}`);
    expect(byDigits.status).toBe(200);
    expect(byDigits.text).not.toMatch(TAG);
    const marked = await fetch(h.url(`${pageUrl}/mark`), {
      method: 'POST',
      headers: { cookie: it_.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: it_.csrf, label: 'nuisance', company: 'Call centre', return: '/register' }),
      redirect: 'manual',
    });
    expect(marked.status).toBe(303);
    const back = marked.headers.get('location') ?? '';
    noDigits(decodeURIComponent(back));
    expect((await h.app.register.numberSummary(HIDDEN)).mark?.label).toBe('nuisance');
    const notice = await get(h, it_, back);
    noDigits(notice.text);
    expect(notice.text).toContain('Numero nascosto');
    expect(await call(h, true)).toBe(607);
  });

  it('no list for a friend carries its number (FRITZ!Box phonebook, Kamailio htable, the feed)', async () => {
    // Marked nuisance (as from its page above; again here, so this test stands on its own).
    await h.app.register.mark(HIDDEN, {
      label: 'nuisance',
      company: 'Call centre',
      category: null,
      at: h.clock.now(),
      by: 'panel',
    });
    expect((await h.api('POST', `/api/numbers/${encodeURIComponent(SHOWN)}/mark`, { label: 'nuisance' })).status).toBe(
      200,
    );
    for (const format of ['fritzbox', 'kamailio-htable']) {
      const res = await fetch(h.url(`/api/export?format=${format}`), { headers: { cookie: it_.cookie } });
      const text = await res.text();
      expect(res.status).toBe(200);
      expect(text).toContain('3471112233');
      noDigits(text);
    }
    const feed = await h.api('GET', '/api/feed');
    expect(feed.status).toBe(200);
    expect(JSON.stringify(feed.json)).toContain(SHOWN);
    noDigits(JSON.stringify(feed.json));
  });
});

describe('no oracle for whoever already has the digits (session 39)', () => {
  /** Called both ways: once with its number shown, once withheld. */
  const BOTH = '+393405556677';
  const BOTH_DIGITS = ['3405556677', '340 555 6677'];
  let h: Harness;
  let s: PanelSession;

  beforeAll(async () => {
    h = await startHarness({ ADMIN_PASSWORD: PASSWORD });
    h.double.onProxy(() => [{ status: 200 }]);
    s = await panelSession((p) => h.url(p), PASSWORD, 'it');
    for (let i = 0; i < 2; i++) expect(await callFrom(h, HIDDEN, true)).toBe(200);
    expect(await callFrom(h, BOTH, false)).toBe(200);
    expect(await callFrom(h, BOTH, true)).toBe(200);
    expect(await callFrom(h, SHOWN, false)).toBe(200);
    // The office marks the hidden caller from its page (by its token).
    const rows = ((await h.api('GET', '/api/attempts?limit=10')).json as { attempts: Attempt[] }).attempts;
    const token = rows.find((a) => a.withheld && a.callerKey?.startsWith('hidden:'))?.callerKey ?? '';
    expect(
      (
        await h.api('POST', `/api/numbers/${encodeURIComponent(token)}/mark`, {
          label: 'nuisance',
          company: 'Call centre',
        })
      ).status,
    ).toBe(200);
  });
  afterAll(async () => {
    await h.stop();
  });

  it("the register's search by a withheld caller's digits finds none of its withheld calls", async () => {
    for (const q of ['3339998877', '333 999 8877', '+39 333 999 8877', '999 8877']) {
      const page = await get(h, s, `/register?q=${encodeURIComponent(q)}`);
      expect(page.status).toBe(200);
      expect(page.text, q).not.toMatch(TAG);
      const csv = await get(h, s, `/register.csv?q=${encodeURIComponent(q)}`);
      expect(csv.text, q).not.toContain('hidden:');
    }
    // A number that also called shown: its shown call is found, its withheld one is not.
    const both = await get(h, s, `/register.csv?q=${encodeURIComponent('340 555 6677')}`);
    const lines = both.text.trim().split('\n').slice(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(BOTH);
    expect(lines[0]).not.toContain('hidden:');
  });

  it('the number routes asked by its digits answer as for a number never seen', async () => {
    const never = (await h.api('GET', '/api/numbers/%2B393339998800')).json as Record<string, unknown>;
    const asked = (await h.api('GET', `/api/numbers/${encodeURIComponent(HIDDEN)}`)).json as Record<string, unknown>;
    expect(asked).toMatchObject({ number: HIDDEN, withheld: false, attempts: 0, mark: null, recent: [] });
    for (const field of ['verdict', 'score', 'reasons', 'firstSeen', 'lastSeen', 'lines'])
      expect(asked[field], field).toEqual(never[field]);
    expect(JSON.stringify(asked)).not.toMatch(/hidden:|Call centre/);
    const page = await fetch(h.url(`/numbers/${encodeURIComponent(HIDDEN)}`), {
      headers: { cookie: s.cookie },
      redirect: 'manual',
    });
    expect(page.status).toBe(200);
    // (The mark form's list of the office's companies names every company, whoever it marked.)
    const text = (await page.text()).replace(/<datalist[\s\S]*?<\/datalist>/g, '');
    expect(text).not.toMatch(TAG);
    expect(text).not.toContain('Call centre');
    expect(text).toContain('non segnato');
    expect((await h.api('GET', `/api/attempts?number=${encodeURIComponent(HIDDEN)}`)).json).toEqual({
      attempts: [],
      next: null,
    });
    const dossier = await h.api('GET', `/api/dossier?number=${encodeURIComponent(HIDDEN)}`);
    expect(dossier.status).toBe(200);
    expect(JSON.stringify(dossier.json)).not.toMatch(/hidden:|Call centre/);
  });

  it('a mark made by its digits is said by its digits (whoever made it knows); one made on its token page is not', async () => {
    const byDigits = await h.api('POST', `/api/numbers/${encodeURIComponent(HIDDEN)}/mark`, {
      label: 'trusted',
      company: 'Fornitore',
    });
    expect(byDigits.json).toMatchObject({ number: HIDDEN, mark: { label: 'trusted', company: 'Fornitore' } });
    // (Without the mark form's list of the office's companies, which names every company whoever it marked.)
    const page = (await get(h, s, `/numbers/${encodeURIComponent(HIDDEN)}`)).text.replace(
      /<datalist[\s\S]*?<\/datalist>/g,
      '',
    );
    expect(page).toContain('Fornitore');
    expect(page).not.toContain('Call centre');
    // Marked again on its token's page: its digits say nothing again.
    const rows = ((await h.api('GET', '/api/attempts?limit=10')).json as { attempts: Attempt[] }).attempts;
    const token = rows.find((a) => a.withheld)?.callerKey ?? '';
    expect(token).toMatch(/^hidden:/);
    const tokens = new Set(rows.filter((a) => a.withheld).map((a) => a.callerKey));
    for (const t of tokens) {
      const json = (await h.api('GET', `/api/numbers/${encodeURIComponent(t ?? '')}`)).json as { mark: unknown };
      if (JSON.stringify(json.mark).includes('Fornitore'))
        await h.api('POST', `/api/numbers/${encodeURIComponent(t ?? '')}/mark`, {
          label: 'nuisance',
          company: 'Call centre',
        });
    }
    const asked = (await h.api('GET', `/api/numbers/${encodeURIComponent(HIDDEN)}`)).json as Record<string, unknown>;
    expect(asked['mark']).toBeNull();
    expect(JSON.stringify(asked)).not.toMatch(/Call centre|Fornitore/);
  });

  it('a number that called both ways: its shown calls by its number, its withheld one by its token only', async () => {
    const rows = ((await h.api('GET', '/api/attempts?limit=10')).json as { attempts: Attempt[] }).attempts;
    // Every withheld call is named by a token (session 38 showed this one as "340 555 6677 (nascosto)").
    expect(rows.filter((a) => a.withheld && !(a.callerKey ?? '').startsWith('hidden:'))).toEqual([]);
    for (const d of BOTH_DIGITS) expect(JSON.stringify(rows.filter((a) => a.withheld))).not.toContain(d);
    const byNumber = (await h.api('GET', `/api/numbers/${encodeURIComponent(BOTH)}`)).json as {
      attempts: number;
      recent: Attempt[];
    };
    expect(byNumber.attempts).toBe(1);
    expect(byNumber.recent.map((a) => a.withheld)).toEqual([false]);
    // Its withheld call is named by a token whose page lists that call alone, without its digits.
    const tokens = new Set(rows.filter((a) => a.withheld).map((a) => a.callerKey));
    expect(tokens.size).toBe(2);
    for (const token of tokens) {
      const json = (await h.api('GET', `/api/numbers/${encodeURIComponent(token ?? '')}`)).json as {
        recent: Attempt[];
      };
      expect(json.recent.every((a) => a.withheld && a.callerKey === token)).toBe(true);
      for (const d of BOTH_DIGITS) expect(JSON.stringify(json)).not.toContain(d);
    }
    // Its calls per day: one on its number's page, one on its token's (caller_daily counts both together).
    const dayTicks = (text: string) => /<div class="timeline">[\s\S]*?<\/div>/.exec(text)?.[0].match(/✗/g)?.length;
    expect(dayTicks((await get(h, s, `/numbers/${encodeURIComponent(BOTH)}`)).text)).toBe(1);
    expect(dayTicks((await get(h, s, `/numbers/${encodeURIComponent(SHOWN)}`)).text)).toBe(1);
    const register = await get(h, s, '/register');
    expect(register.text).not.toContain('(nascosto)');
    expect([...register.text.matchAll(TAG)].length).toBe(3);
  });
});

describe("a withheld caller's reasons say none of its digits (session 39)", () => {
  /** An AGCOM telemarketing number: its reason named the prefix, "AGCOM telemarketing prefix 0844". */
  const AGCOM = '+390844123456';
  let h: Harness;

  afterAll(async () => {
    await h.stop();
  });

  it('the register, its CSV, the JSON API and its page say the reason without the prefix', async () => {
    h = await startHarness({ ADMIN_PASSWORD: PASSWORD });
    h.double.onProxy(() => [{ status: 200 }]);
    expect(await callFrom(h, AGCOM, true)).toBe(607);
    const s = await panelSession((p) => h.url(p), PASSWORD, 'it');
    const rows = ((await h.api('GET', '/api/attempts')).json as { attempts: Attempt[] }).attempts;
    expect(rows[0]?.reasons.map((r) => r.code)).toContain('telemarketing-prefix');
    const token = rows[0]?.callerKey ?? '';
    const texts = [
      JSON.stringify(rows),
      JSON.stringify((await h.api('GET', `/api/numbers/${encodeURIComponent(token)}`)).json),
      (await get(h, s, '/register')).text,
      (await get(h, s, '/register.csv')).text,
      (await get(h, s, `/numbers/${encodeURIComponent(token)}`)).text,
    ];
    for (const text of texts) expect(text).not.toMatch(/0844|844 ?123 ?456/);
    expect(texts[2]).toContain('prefisso AGCOM del telemarketing …');
    // The log's decision line keeps them (the operator's).
    expect(JSON.stringify(h.logs)).toContain('0844');
  });
});

describe("a withheld caller's display name is withheld with its number (session 39)", () => {
  let h: Harness;
  afterAll(async () => {
    await h.stop();
  });

  it('the register, its search and CSV, the JSON API and its page do not show or find it', async () => {
    h = await startHarness({ ADMIN_PASSWORD: PASSWORD });
    h.double.onProxy(() => [{ status: 200 }]);
    // The carrier asserts a name with the number; the caller asked for both to be withheld (RFC 3325 Privacy: id).
    const invite = buildInvite({
      from: '"Anonymous" <sip:anonymous@anonymous.invalid>',
      pai: `"Acme Energia" <tel:${HIDDEN}>`,
      privacy: 'id',
      to: DID,
      requestUri: `sip:${DID}@127.0.0.1`,
    });
    expect((await h.double.injectRequest(invite).waitForFinal()).status).toBe(200);
    await h.app.register.flush();
    const s = await panelSession((p) => h.url(p), PASSWORD, 'it');
    const rows = ((await h.api('GET', '/api/attempts')).json as { attempts: Attempt[] }).attempts;
    expect(rows).toHaveLength(1);
    const token = rows[0]?.callerKey ?? '';
    const texts = [
      JSON.stringify(rows),
      JSON.stringify((await h.api('GET', `/api/numbers/${encodeURIComponent(token)}`)).json),
      (await get(h, s, '/register')).text,
      (await get(h, s, '/register.csv')).text,
      (await get(h, s, `/numbers/${encodeURIComponent(token)}`)).text,
      (await get(h, s, '/rankings')).text,
      (await get(h, s, '/')).text,
      JSON.stringify((await h.api('GET', '/api/rankings/numbers')).json),
    ];
    for (const text of texts) expect(text).not.toContain('Acme');
    expect(texts[2]).toMatch(TAG);
    expect((await get(h, s, '/register?q=Acme')).text).not.toMatch(TAG);
  });
});

describe('SHOW_WITHHELD_NUMBERS=true (the operator chose to see them)', () => {
  let h: Harness;
  afterAll(async () => {
    await h.stop();
  });

  it('the register and the API show the asserted number, marked withheld', async () => {
    h = await startHarness({ ADMIN_PASSWORD: PASSWORD, SHOW_WITHHELD_NUMBERS: 'true' });
    h.double.onProxy(() => [{ status: 200 }]);
    expect(await call(h, true)).toBe(200);
    const s = await panelSession((p) => h.url(p), PASSWORD, 'it');
    const register = await get(h, s, '/register');
    expect(register.text).toContain('333 999 8877');
    expect(register.text).toContain('(nascosto)');
    const rows = ((await h.api('GET', '/api/attempts')).json as { attempts: Attempt[] }).attempts;
    expect(rows[0]).toMatchObject({ callerKey: HIDDEN, callerE164: HIDDEN, withheld: true });
  });
});

describe("a hidden caller's next call is predicted withheld as its calls came (session 49)", () => {
  let h: Harness;
  afterAll(async () => {
    await h.stop();
  });

  it('from sip:anonymous@… with an asserted number: its page and the API say "anonymous caller", not Privacy: id', async () => {
    h = await startHarness({ ADMIN_PASSWORD: PASSWORD });
    h.double.onProxy(() => [{ status: 200 }]);
    const invite = buildInvite({
      from: '"Anonymous" <sip:anonymous@anonymous.invalid>',
      pai: `tel:${HIDDEN}`,
      to: DID,
      requestUri: `sip:${DID}@127.0.0.1`,
    });
    expect((await h.double.injectRequest(invite).waitForFinal()).status).toBe(200);
    await h.app.register.flush();
    const rows = ((await h.api('GET', '/api/attempts')).json as { attempts: Attempt[] }).attempts;
    const token = rows[0]?.callerKey ?? '';
    expect(token).toMatch(/^hidden:/);
    expect(rows[0]?.reasons.map((r) => r.text)).toContain('anonymous caller');
    const number = (await h.api('GET', `/api/numbers/${encodeURIComponent(token)}`)).json as {
      reasons: { code: string; text: string }[];
    };
    expect(number.reasons.filter((r) => r.code === 'withheld').map((r) => r.text)).toEqual(['anonymous caller']);
    const s = await panelSession((p) => h.url(p), PASSWORD, 'it');
    const page = await get(h, s, `/numbers/${encodeURIComponent(token)}`);
    expect(page.text).toContain('chiamante anonimo');
    expect(page.text).not.toContain('numero nascosto (Privacy: id)');
  });
});

describe('a junk caller ID that is not withheld, in the register (session 49)', () => {
  let h: Harness;
  afterAll(async () => {
    await h.stop();
  });

  it('is shown as received, not as withheld, with no page to open', async () => {
    h = await startHarness({ ADMIN_PASSWORD: PASSWORD });
    h.double.onProxy(() => [{ status: 480 }]);
    const invite = buildInvite({
      from: '<sip:0000000000@carrier.example>',
      to: DID,
      requestUri: `sip:${DID}@127.0.0.1`,
    });
    expect((await h.double.injectRequest(invite).waitForFinal()).status).toBe(480);
    await h.app.register.flush();
    const rows = ((await h.api('GET', '/api/attempts')).json as { attempts: Attempt[] }).attempts;
    expect(rows[0]).toMatchObject({ callerKey: null, callerRaw: '0000000000', withheld: false, verdict: 'suspect' });
    const s = await panelSession((p) => h.url(p), PASSWORD, 'it');
    const register = (await get(h, s, '/register')).text;
    expect(register).toContain('<span class="muted">0000000000</span>');
    expect(register).not.toContain('/numbers/raw%3A0000000000');
  });
});
