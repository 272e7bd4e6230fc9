/**
 * What the office reads about a caller that texts, through the drachtio double (texts50; walked with a real
 * drachtio-server and sipp before and after, docs/measurements.md): the reason of a text let through once says
 * "text", not "call" (en, and the panel's Italian); a phone number that only texted has "Next text" and "Let the next
 * text through" on its page, as a sender ID has; one that also called keeps the call's words.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildInvite, buildMessage } from '../support/drachtio-double.js';
import { attemptsOf, startHarness, type Harness } from '../support/crocetta-harness.js';
import { panelSession } from '../support/panel-session.js';

const DID = '+390255550100';
const PASSWORD = 'Texts-50-words';
const TEXTER = '+393331234567';
const CALLER = '+393339876543';
let h: Harness;

async function text(from: string): Promise<number> {
  return (
    await h.double.injectRequest(buildMessage({ from, to: DID, body: 'Il tuo pacco arriva oggi' })).waitForFinal()
  ).status;
}

async function page(path: string, lang: 'it' | 'en'): Promise<string> {
  const { cookie } = await panelSession((p) => h.url(p), PASSWORD, lang);
  return (await fetch(h.url(path), { headers: { cookie } })).text();
}

/** The page's first card's label, and its let-through button's words. */
function words(html: string): { card: string | undefined; button: string | undefined } {
  return {
    card: /<section class="cards wide" id="number-cards">\s*<div class="card"><div class="l">([^<]*)</.exec(html)?.[1],
    button: /<form [^>]*id="let-through"[\s\S]*?<button type="submit" name="action" value="set">([^<]*)</.exec(
      html,
    )?.[1],
  };
}

beforeAll(async () => {
  h = await startHarness({ ADMIN_PASSWORD: PASSWORD });
  h.double.onProxy(() => [{ status: 200 }]);
  expect(await text(TEXTER)).toBe(200);
  expect(await text(CALLER)).toBe(200);
  const call = h.double.injectRequest(buildInvite({ from: CALLER, to: DID, requestUri: `sip:${DID}@127.0.0.1` }));
  expect((await call.waitForFinal()).status).toBe(200);
  await h.app.register.flush();
});
afterAll(async () => {
  await h.stop();
});

describe('a text let through once, and the page of a number that only texts', () => {
  it('a number that only texted: "Next text from this number" and "Let the next text through" (it/en)', async () => {
    const path = `/numbers/${encodeURIComponent(TEXTER)}`;
    expect(words(await page(path, 'en'))).toEqual({
      card: 'Next text from this number',
      button: 'Let the next text through',
    });
    expect(words(await page(path, 'it'))).toEqual({
      card: 'Prossimo messaggio da questo numero',
      button: 'Fai passare il prossimo messaggio',
    });
  });

  it('a number that also called keeps the words of a call', async () => {
    const path = `/numbers/${encodeURIComponent(CALLER)}`;
    expect(words(await page(path, 'en'))).toEqual({
      card: 'Next call from this number',
      button: 'Let the next call through',
    });
  });

  it('marked nuisance and let through once: its text passes, and its reason says "text" (en, it)', async () => {
    await h.api('POST', `/api/numbers/${encodeURIComponent(TEXTER)}/mark`, { label: 'nuisance' });
    expect(await text(TEXTER)).toBe(607);
    expect((await h.api('POST', `/api/numbers/${encodeURIComponent(TEXTER)}/let-through`, {})).status).toBe(200);
    expect(await text(TEXTER)).toBe(200);
    const [latest] = await attemptsOf(h, TEXTER);
    expect(latest?.reasons[0]).toMatchObject({ code: 'allow-next' });
    expect(latest?.reasons[0]?.text).toMatch(/^let through once: you asked on .+ to let the next text through$/);
    const it = await page(`/numbers/${encodeURIComponent(TEXTER)}`, 'it');
    expect(it).toContain('avete chiesto di far passare il prossimo messaggio');
    expect(it).not.toContain('avete chiesto di far passare la prossima chiamata');
  });
});
