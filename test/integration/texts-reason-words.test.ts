/**
 * A text's reasons speak of a text, through the drachtio double (words50): a mobile texting four of the office's
 * numbers in the evening was tagged "rang 4 of your numbers within 1 min (now)" and "calling outside business hours
 * (4 times lately)", on its page "ha chiamato 4 dei vostri numeri" and "chiama fuori dall’orario di apertura"; a
 * call's reasons keep their words.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildInvite, buildMessage } from '../support/drachtio-double.js';
import { attemptsOf, startHarness, type Harness } from '../support/crocetta-harness.js';
import { panelSession } from '../support/panel-session.js';

const DIDS = Array.from({ length: 4 }, (_, i) => `+39025555010${i}`);
const SEC = 1000;
const PASSWORD = 'Texts-50-reasons';
const TEXTER = '+393351234567';
const CALLER = '+393359876543';
let h: Harness;

async function page(path: string, lang: 'it' | 'en'): Promise<string> {
  const { cookie } = await panelSession((p) => h.url(p), PASSWORD, lang);
  return (await fetch(h.url(path), { headers: { cookie } })).text();
}

beforeAll(async () => {
  h = await startHarness({ ADMIN_PASSWORD: PASSWORD });
  h.double.onProxy(() => [{ status: 200 }]);
  // Thursday 5 Nov 2026, 21:30 in Rome: outside business hours.
  h.clock.advance(12 * 3_600_000);
  for (const did of DIDS) {
    const sms = h.double.injectRequest(buildMessage({ from: TEXTER, to: did, body: 'Il tuo codice: 123456' }));
    expect((await sms.waitForFinal()).status).toBe(200);
    h.clock.advance(15 * SEC);
  }
  for (const did of DIDS.slice(0, 2)) {
    const call = h.double.injectRequest(buildInvite({ from: CALLER, to: did, requestUri: `sip:${did}@127.0.0.1` }));
    await call.waitForFinal();
    h.clock.advance(15 * SEC);
  }
  await h.app.register.flush();
});
afterAll(async () => {
  await h.stop();
});

describe("a text's reasons", () => {
  it('say "contacted" and "a text outside business hours" in the register, never "rang" or "calling"', async () => {
    const [latest] = await attemptsOf(h, TEXTER);
    expect(latest?.kind).toBe('message');
    const texts = latest?.reasons.map((r) => r.text) ?? [];
    expect(texts).toContain('a text outside business hours (4 attempts lately)');
    expect(texts.some((t) => /^contacted 4 of your numbers within 1 min \(now\)$/.test(t))).toBe(true);
    for (const a of await attemptsOf(h, TEXTER)) {
      for (const r of a.reasons) expect(r.text).not.toMatch(/\brang\b|\bcalling\b|\bcalled\b/);
    }
  });

  it("say so on the number's page, in Italian and in English", async () => {
    const path = `/numbers/${encodeURIComponent(TEXTER)}`;
    const it_ = await page(path, 'it');
    expect(it_).toContain('un messaggio fuori dall’orario di apertura (4 tentativi di recente)');
    expect(it_).toContain('ha contattato 4 dei vostri numeri in 1 min');
    expect(it_).not.toContain('chiama fuori dall’orario');
    expect(it_).not.toContain('ha chiamato');
    const en = await page(path, 'en');
    expect(en).toContain('a text outside business hours (4 attempts lately)');
    expect(en).not.toContain('calling outside business hours');
  });

  it("a call's keep the words of a call", async () => {
    const [latest] = await attemptsOf(h, CALLER);
    expect(latest?.kind).not.toBe('message');
    expect(latest?.reasons.map((r) => r.text)).toContain('calling outside business hours (2 times lately)');
  });
});
