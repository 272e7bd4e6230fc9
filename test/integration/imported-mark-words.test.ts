/**
 * An imported mark says where it came from (marks50): a friend's crocetta export or a FRITZ!Box list marks a number
 * nuisance, a call from it is refused, and the call's reason, the number's page and the register say `marked
 * nuisance on <day>, imported from …` (it: *segnato come molesto il …, importato da …*), never "by you"; still so
 * after a restart; marking the number again by hand makes the mark the office's own ("by you").
 * Before marks50 all three read "marked nuisance by you on" the friend's date.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildInvite } from '../support/drachtio-double.js';
import { startHarness, TOKEN, type Harness } from '../support/crocetta-harness.js';

const PASSWORD = 'imported-marks-pw';
const DID = '+390255550100';
const FRIEND = '+390287176900';
const FRITZ = '+390249712345';
let h: Harness;
let cookie = '';

async function login(): Promise<void> {
  const loginPage = await fetch(h.url('/login'));
  const anon = (loginPage.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await loginPage.text())?.[1] ?? '';
  const res = await fetch(h.url('/login'), {
    method: 'POST',
    headers: { cookie: anon, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, password: PASSWORD }).toString(),
    redirect: 'manual',
  });
  cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
}

async function page(path: string, lang: 'it' | 'en'): Promise<string> {
  const res = await fetch(h.url(path), { headers: { cookie: `${cookie}; crocetta_lang=${lang}` } });
  expect(res.status).toBe(200);
  return (await res.text()).replaceAll('&#39;', "'").replaceAll('&#x27;', "'");
}

async function call(from: string): Promise<number> {
  const invite = h.double.injectRequest(buildInvite({ from, to: DID, requestUri: `sip:${DID}@127.0.0.1` }));
  return (await invite.waitForFinal()).status;
}

async function upload(format: string, body: string, type: string): Promise<void> {
  const res = await fetch(h.url(`/api/import?format=${format}`), {
    method: 'POST',
    body,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': type },
  });
  expect(res.status).toBe(200);
}

/** The reasons of the number's next call, as the API gives them (its past calls keep the words they had). */
async function reasonsOf(number: string): Promise<string> {
  const json = (await h.api('GET', `/api/numbers/${encodeURIComponent(number)}`)).json as { reasons: unknown };
  return JSON.stringify(json.reasons);
}

beforeAll(async () => {
  h = await startHarness({ ADMIN_PASSWORD: PASSWORD });
  h.double.onProxy(() => [{ status: 200 }]);
  await login();
});
afterAll(async () => {
  await h.stop();
});

describe('an imported mark says where it came from', () => {
  it("a friend's export and a FRITZ!Box list: the call's reason, page and register say imported, not by you", async () => {
    const at = '2026-11-04T08:30:00.000Z';
    const exported = [
      { format: 'crocetta-register', version: 2, exportedAt: at },
      {
        type: 'mark',
        number: FRIEND,
        label: 'nuisance',
        marked_at: at,
        company: 'Example Energia',
        category: 'energy',
        updated_at: at,
      },
    ]
      .map((r) => JSON.stringify(r))
      .join('\n');
    await upload('json', `${exported}\n`, 'application/x-ndjson');
    const phonebook = `<?xml version="1.0" encoding="utf-8"?>
<phonebooks><phonebook name="Spam"><contact><person><realName>Gas Sereno</realName></person>
<telephony><number type="work">0249712345</number></telephony></contact></phonebook></phonebooks>`;
    await upload('fritzbox', phonebook, 'application/xml');

    expect(await call(FRIEND)).not.toBe(200);
    expect(await call(FRITZ)).not.toBe(200);
    const friend = await reasonsOf(FRIEND);
    expect(friend).toContain(
      'marked nuisance on 4 Nov 2026, imported from a crocetta export (Example Energia, energy)',
    );
    expect(friend).not.toContain('by you');
    // The number's mark in the API names its source too (the office's own marks have no `from`).
    expect((await h.api('GET', `/api/numbers/${encodeURIComponent(FRIEND)}`)).json).toMatchObject({
      mark: { label: 'nuisance', from: 'import:json' },
    });
    const fritz = await reasonsOf(FRITZ);
    expect(fritz).toMatch(/marked nuisance on \d+ \w+ 2026, imported from a FRITZ!Box list/);
    expect(fritz).not.toContain('by you');

    const register = await page('/register', 'it');
    expect(register).toContain(
      "segnato come molesto il 4 nov 2026, importato da un'esportazione di crocetta (Example Energia, energia)",
    );
    expect(register).toMatch(/segnato come molesto il \d+ \w+ 2026, importato da un elenco FRITZ!Box/);
    expect(register).not.toContain('da voi');
    const number = await page(`/numbers/${encodeURIComponent(FRIEND)}`, 'it');
    expect(number).toContain("importato da un'esportazione di crocetta");
    expect(number).not.toContain('segnato come molesto da voi');
    // The mark's line in the reason's words, not the source's code (`importato (json)`).
    expect(number).toMatch(/<span class="muted small">\d+ nov 2026, importato da un'esportazione di crocetta<\/span>/);
    const english = await page(`/numbers/${encodeURIComponent(FRIEND)}`, 'en');
    expect(english).toContain('marked nuisance on 4 Nov 2026, imported from a crocetta export');
    expect(english).not.toContain('marked nuisance by you');
    expect(english).toMatch(/<span class="muted small">\d+ Nov 2026, imported from a crocetta export<\/span>/);
  });

  it('kept across a restart; marking the number by hand makes the mark the office’s own', async () => {
    await h.restartApp();
    await login();
    expect(await call(FRIEND)).not.toBe(200);
    expect(await reasonsOf(FRIEND)).toContain('marked nuisance on 4 Nov 2026, imported from a crocetta export');

    const marked = await h.api('POST', `/api/numbers/${encodeURIComponent(FRIEND)}/mark`, {
      label: 'nuisance',
      company: 'Example Energia',
      category: 'energy',
    });
    expect(marked.status).toBe(200);
    const own = await reasonsOf(FRIEND);
    expect(own).toMatch(/marked nuisance by you on \d+ \w+ 2026 \(Example Energia, energy\)/);
    expect(own).not.toContain('imported from');
    const page = (await h.api('GET', `/api/numbers/${encodeURIComponent(FRIEND)}`)).json as { mark: object };
    expect(page.mark).not.toHaveProperty('from');
    await h.restartApp();
    await login();
    expect(await reasonsOf(FRIEND)).not.toContain('imported from');
    expect(await reasonsOf(FRITZ)).toContain('imported from a FRITZ!Box list');
  });
});
