/**
 * A text message (SIP MESSAGE) is screened and registered like a call; the register and the number page say it was
 * an SMS, so the office does not read a row it never heard ring as a call let through (user37, session 37: an SMS
 * through a real drachtio-server and Kamailio showed in the register as a call, "lasciata passare").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newAttempt } from '../../src/store/test-fixtures.js';
import { panelSession } from '../support/panel-session.js';
import { startHarness, type Harness } from '../support/crocetta-harness.js';

const PASSWORD = 'Panel-sms-37';
const TEXTER = '+393471112233';
const CALLER = '+393331234567';
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
      expect(more).toEqual([]);
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
});
