/**
 * A text message (SIP MESSAGE) is screened and registered like a call; the register and the number page say it was
 * an SMS, so the office does not read a row it never heard ring as a call let through (user37, session 37: an SMS
 * through a real drachtio-server and Kamailio showed in the register as a call, "lasciata passare"). A text the
 * register kept (`messages.storeText: true`) is shown under the row's reasons, as text; a withheld sender's is not
 * (user41, session 41: the panel never showed a kept text).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Attempt } from '../../src/store/register/types.js';
import { newAttempt } from '../../src/store/test-fixtures.js';
import { panelSession } from '../support/panel-session.js';
import { startHarness, type Harness } from '../support/crocetta-harness.js';

const PASSWORD = 'Panel-sms-37';
const TEXTER = '+393471112233';
const CALLER = '+393331234567';
/** A sender whose text the register kept: markup and quotes in it must read as text. */
const HOSTILE = '+393471114455';
const HOSTILE_TEXT = `<script>alert("x")</script> Offerta 'luce' & gas\nseconda riga`;
/** A withheld sender (Privacy: id) whose kept text signs with its own number and name. */
const HIDDEN = '+393479998877';
const HIDDEN_TEXT = 'Sono Mario Rossi, richiamami al 347 999 8877';
let h: Harness;
let cookie = '';

async function get(path: string, lang: 'it' | 'en'): Promise<string> {
  const res = await fetch(h.url(path), { headers: { cookie: `${cookie}; crocetta_lang=${lang}` } });
  expect(res.status).toBe(200);
  return res.text();
}

/** The register's rows (tbody), one string each. */
function rows(page: string): string[] {
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(page)?.[1] ?? '';
  return body.split('<tr>').slice(1);
}

beforeAll(async () => {
  h = await startHarness({ ADMIN_PASSWORD: PASSWORD });
  cookie = (await panelSession((p) => h.url(p), PASSWORD)).cookie;
  const now = h.clock.now();
  await h.app.register.record(newAttempt(CALLER, now - 7200_000));
  await h.app.register.record(newAttempt(TEXTER, now - 3600_000, { kind: 'message', messageLength: 44 }));
  const kept = (text: string) => ({ kind: 'message' as const, messageLength: [...text].length, messageText: text });
  await h.app.register.record(newAttempt(HOSTILE, now - 10_800_000, kept(HOSTILE_TEXT)));
  await h.app.register.record(newAttempt(HIDDEN, now - 14_400_000, { ...kept(HIDDEN_TEXT), withheld: true }));
});
afterAll(async () => {
  await h.stop();
});

describe('an SMS in the panel', () => {
  it('the register marks the message\'s row "SMS", not the call\'s, in both languages', async () => {
    for (const [lang, title] of [
      ['it', 'un messaggio di testo (SIP MESSAGE), non una chiamata'],
      ['en', 'a text message (SIP MESSAGE), not a call'],
    ] as const) {
      const [sms = '', call = '', ...more] = rows(await get('/register', lang));
      expect(more).toHaveLength(2);
      expect(sms).toContain('347 111 2233');
      expect(sms).toContain(`<span class="badge kind-sms" title="${title}">SMS</span>`);
      expect(call).toContain('333 123 4567');
      expect(call).not.toContain('kind-sms');
    }
  });

  it("the number page's SIP details mark it too", async () => {
    const page = await get(`/numbers/${encodeURIComponent(TEXTER)}`, 'en');
    const details = /<table id="sip-details"[\s\S]*?<\/table>/.exec(page)?.[0] ?? '';
    expect(details).toContain(
      '<span class="badge kind-sms" title="a text message (SIP MESSAGE), not a call">SMS</span>',
    );
    const callPage = await get(`/numbers/${encodeURIComponent(CALLER)}`, 'en');
    expect(callPage).not.toContain('kind-sms');
  });

  it('a kept text is shown under the reasons, escaped, in both languages; none when not kept', async () => {
    const escaped = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Offerta &#39;luce&#39; &amp; gas\nseconda riga';
    for (const [lang, label] of [
      ['it', 'Testo:'],
      ['en', 'Text:'],
    ] as const) {
      const page = await get('/register', lang);
      const [notKept = '', , hostile = '', hidden = ''] = rows(page);
      expect(hostile).toContain(`<p class="sms-text"><span class="muted small">${label}</span> ${escaped}</p>`);
      expect(page).not.toContain('<script>alert');
      expect(notKept).toContain('kind-sms');
      expect(notKept).not.toContain('sms-text');
      // The withheld sender's row: an SMS, named by its token, with neither its text nor the number it signs with.
      expect(hidden).toContain('kind-sms');
      expect(hidden).toContain('hidden-caller');
      expect(hidden).not.toContain('sms-text');
      expect(hidden).not.toContain('Mario');
      expect(hidden).not.toContain('999 8877');
    }
    const details = /<table id="sip-details"[\s\S]*?<\/table>/.exec(
      await get(`/numbers/${encodeURIComponent(HOSTILE)}`, 'en'),
    )?.[0];
    expect(details).toContain(`<p class="sms-text"><span class="muted small">Text:</span> ${escaped}</p>`);
  });

  it("the JSON API carries a kept text, not a withheld sender's", async () => {
    const res = await h.api('GET', '/api/attempts?limit=10');
    const byKind = (res.json as { attempts: Attempt[] }).attempts.filter((a) => a.kind === 'message');
    expect(byKind.map((a) => [a.withheld, a.messageText])).toEqual([
      [false, null],
      [false, HOSTILE_TEXT],
      [true, null],
    ]);
    expect(JSON.stringify(res.json)).not.toContain('Mario');
  });
});
