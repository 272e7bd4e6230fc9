/**
 * Whether a caller "only texts" (its page and next decision in a text's words, "let the next text through" offered)
 * is judged from one figure of its latest attempts wherever it is judged (TEXTS_ONLY_ATTEMPTS, session 50): the
 * number page read 50 while its API and let-through routes read 20, so a sender ID that called once, then texted 20
 * times, was no texter on its page (no button) while the route took a "let the next text through" (200).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildInvite, buildMessage } from '../support/drachtio-double.js';
import { startHarness, type Harness } from '../support/crocetta-harness.js';
import { panelSession } from '../support/panel-session.js';

const DID = '+390255550100';
const PASSWORD = 'Texts-only-50';
let h: Harness;

describe('a caller that only texts, judged from the same attempts everywhere', () => {
  beforeEach(async () => {
    h = await startHarness({ ADMIN_PASSWORD: PASSWORD });
    h.double.onProxy(() => [{ status: 200 }]);
  });
  afterEach(async () => {
    await h.stop();
  });

  it('a sender ID that called once 21 attempts ago: neither its page nor its routes offer "let the next text through"', async () => {
    const key = 'raw:PROMO-ENERGIA';
    await h.double.injectRequest(buildInvite({ from: 'PROMO-ENERGIA', to: DID })).waitForFinal();
    for (let i = 0; i < 20; i++) {
      h.clock.advance(60_000);
      await h.double.injectRequest(buildMessage({ from: 'PROMO-ENERGIA', to: DID, body: 'Offerta' })).waitForFinal();
    }
    await h.app.register.flush();
    const { cookie } = await panelSession((p) => h.url(p), PASSWORD);
    const page = await (
      await fetch(h.url(`/numbers/${encodeURIComponent(key)}`), { headers: { cookie: `${cookie}; crocetta_lang=en` } })
    ).text();
    expect(page).toContain('PROMO-ENERGIA');
    expect(page).not.toContain('Let the next text through');
    const asked = await h.api('POST', `/api/numbers/${encodeURIComponent(key)}/let-through`, {});
    expect(asked.status).toBe(400);
    // Its API judges it as its page does: its next attempt as a call, not a text.
    const api = (await h.api('GET', `/api/numbers/${encodeURIComponent(key)}`)).json as {
      recent: unknown[];
      reasons: { code: string }[];
    };
    expect(api.recent).toHaveLength(20);
    expect(api.reasons.map((r) => r.code)).toContain('unparsable-number');
  });
});
