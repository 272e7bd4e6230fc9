/**
 * Text messages (SIP MESSAGE) as an office receives them, through the drachtio double: one-time codes from a bank's
 * alphanumeric sender ID, a courier's texts to several of the office's numbers, a 2FA service texting every employee,
 * a marketing short code the office marked. Walked with a real drachtio-server and sipp in session 49 (sms49): the
 * bank's 4th code, the courier's 3rd text and the 2FA service's 3rd to 8th were refused 607 (lost), every sender ID
 * was tagged "caller ID is not a valid number", and a short code marked nuisance still got through.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Connection } from '../../src/store/sqlite/connection.js';
import type { Attempt } from '../../src/store/register/types.js';
import { buildInvite, buildMessage } from '../support/drachtio-double.js';
import { attemptsOf, startHarness, type Harness } from '../support/crocetta-harness.js';
import { panelSession } from '../support/panel-session.js';

const DIDS = Array.from({ length: 8 }, (_, i) => `+39025555010${i}`);
const SEC = 1000;
const PASSWORD = 'Sms-senders-49';
let h: Harness;

/** Sends one text from `from` to `did` and gives its final status; the PBX takes whatever reaches it (200). */
async function text(from: string, did: string, body = 'Codice 123456'): Promise<number> {
  const sms = h.double.injectRequest(buildMessage({ from, to: did, body }));
  return (await sms.waitForFinal()).status;
}

/** Texts from `from` to the DIDs at `dids` (indexes into DIDS), `gapMs` apart on the app's clock: their statuses. */
async function texts(from: string, dids: number[], gapMs: number): Promise<number[]> {
  const statuses: number[] = [];
  for (const d of dids) {
    statuses.push(await text(from, DIDS[d]!));
    h.clock.advance(gapMs);
  }
  return statuses;
}

const codes = (attempts: Attempt[]) => attempts.flatMap((a) => a.reasons.map((r) => r.code));

describe('text messages from banks, couriers and 2FA services', () => {
  beforeEach(async () => {
    h = await startHarness({ ADMIN_PASSWORD: PASSWORD });
    h.double.onProxy(() => [{ status: 200 }]);
    // Thursday 5 Nov 2026, 21:30 in Rome: outside business hours, when codes and deliveries still come.
    h.clock.advance(12 * 3_600_000);
  });
  afterEach(async () => {
    await h.stop();
  });

  it("a bank's six codes within two minutes from its sender ID all reach the PBX, none read as junk", async () => {
    expect(await texts('IntesaSP', [0, 0, 0, 0, 0, 0], 20 * SEC)).toEqual([200, 200, 200, 200, 200, 200]);
    const attempts = await attemptsOf(h, 'raw:IntesaSP');
    expect(attempts).toHaveLength(6);
    expect(attempts.map((a) => a.verdict)).not.toContain('nuisance');
    expect(codes(attempts)).not.toContain('unparsable-number');
    expect(attempts[0]).toMatchObject({ kind: 'message', callerRaw: 'IntesaSP', outcome: 'answered' });
  });

  it('a courier texting three of our numbers, then the first again: every text reaches the PBX', async () => {
    expect(await texts('BRT', [0, 1, 2, 0], 10 * SEC)).toEqual([200, 200, 200, 200]);
  });

  it("a 2FA service texting every employee's number within a minute: every code delivered; the same as calls is refused", async () => {
    expect(await texts('Microsoft', [0, 1, 2, 3, 4, 5, 6, 7], 7 * SEC)).toEqual(Array(8).fill(200));
    // The call rules are unchanged: a "caller" with letters ringing three of our numbers within a minute is refused.
    const statuses: number[] = [];
    for (const d of [0, 1, 2]) {
      const call = h.double.injectRequest(
        buildInvite({ from: 'Dialler', to: DIDS[d]!, requestUri: `sip:${DIDS[d]!}@127.0.0.1` }),
      );
      statuses.push((await call.waitForFinal()).status);
      h.clock.advance(10 * SEC);
    }
    expect(statuses).toEqual([200, 200, 607]);
  });

  it('a short code and a sender ID the office marked nuisance are refused 607; an unmarked short code is not', async () => {
    expect(await text('48018', DIDS[0]!, 'Offerta luce e gas')).toBe(200);
    expect(await text('PROMO-ENERGIA', DIDS[0]!, 'Offerta luce e gas')).toBe(200);
    for (const key of ['raw:48018', 'raw:PROMO-ENERGIA']) {
      const marked = await h.api('POST', `/api/numbers/${encodeURIComponent(key)}/mark`, {
        label: 'nuisance',
        category: 'marketing',
      });
      expect(marked.status).toBe(200);
      expect(marked.json).toMatchObject({ verdict: 'nuisance' });
    }
    expect(await text('48018', DIDS[0]!, 'Offerta luce e gas')).toBe(607);
    expect(await text('PROMO-ENERGIA', DIDS[0]!, 'Offerta luce e gas')).toBe(607);
    expect(await text('4880', DIDS[0]!, 'Il tuo pacco è in consegna')).toBe(200);
    const [refused] = await attemptsOf(h, 'raw:48018');
    expect(refused).toMatchObject({ verdict: 'nuisance', outcome: 'rejected' });
    expect(refused?.reasons[0]?.code).toBe('marked-nuisance');
  });

  it('a sender ID typed in another case is the same sender: the mark, the page and the API; a mark made before holds (senders49)', async () => {
    // The carrier sends PROMO-ENERGIA; the office types promo-energia.
    expect(await text('PROMO-ENERGIA', DIDS[0]!, 'Offerta luce e gas')).toBe(200);
    const named = await h.api('GET', `/api/numbers/${encodeURIComponent('raw:promo-energia')}`);
    expect(named.json).toMatchObject({ number: 'raw:PROMO-ENERGIA', attempts: 1, mark: null });
    const typed = await h.api('POST', `/api/numbers/${encodeURIComponent('raw:Promo-Energia')}/mark`, {
      label: 'nuisance',
      category: 'marketing',
    });
    expect(typed.json).toMatchObject({ number: 'raw:PROMO-ENERGIA', verdict: 'nuisance', attempts: 1 });
    expect(await text('PROMO-ENERGIA', DIDS[0]!, 'Offerta luce e gas')).toBe(607);
    // A sender marked before its first text, in a case the carrier does not send it in: its texts are refused too.
    await h.api('POST', `/api/numbers/${encodeURIComponent('raw:promo-luce')}/mark`, { label: 'nuisance' });
    expect(await text('PROMO-LUCE', DIDS[0]!, 'Offerta luce')).toBe(607);
    // A mark made in the carrier's spelling keeps its key and holds, whatever case the page is asked in.
    expect(await text('Amazon', DIDS[0]!, 'Il tuo ordine')).toBe(200);
    await h.api('POST', `/api/numbers/${encodeURIComponent('raw:Amazon')}/mark`, { label: 'trusted' });
    const asked = await h.api('GET', `/api/numbers/${encodeURIComponent('raw:AMAZON')}`);
    expect(asked.json).toMatchObject({ number: 'raw:Amazon', verdict: 'trusted', attempts: 1 });
    await h.app.register.flush();
    const db = await Connection.open(join(h.dir, 'register.sqlite'), { readOnly: true });
    const rows = await db.all<{ caller_key: string; label: string }>(
      "SELECT caller_key, label FROM numbers WHERE caller_key LIKE 'raw:%' ORDER BY 1",
    );
    await db.close();
    expect(rows).toEqual([
      { caller_key: 'raw:Amazon', label: 'trusted' },
      { caller_key: 'raw:PROMO-ENERGIA', label: 'nuisance' },
      { caller_key: 'raw:promo-luce', label: 'nuisance' },
    ]);
    // After a restart (marks loaded from the register) likewise.
    await h.restartApp();
    h.double.onProxy(() => [{ status: 200 }]);
    expect(await text('PROMO-LUCE', DIDS[1]!, 'Offerta luce')).toBe(607);
    expect(await text('PROMO-ENERGIA', DIDS[1]!, 'Offerta gas')).toBe(607);
    // An E.164 caller is never touched.
    const number = await h.api('GET', `/api/numbers/${encodeURIComponent('+390212345678')}`);
    expect(number.json).toMatchObject({ number: '+390212345678' });
  });

  it('"let the next text through": a sender ID and a short code marked nuisance, their next text passes once (senders49)', async () => {
    for (const [from, key] of [
      ['PROMO-ENERGIA', 'raw:PROMO-ENERGIA'],
      ['48018', 'raw:48018'],
    ] as const) {
      expect(await text(from, DIDS[0]!, 'Offerta')).toBe(200);
      await h.api('POST', `/api/numbers/${encodeURIComponent(key)}/mark`, { label: 'nuisance' });
      expect(await text(from, DIDS[0]!, 'Offerta')).toBe(607);
      const asked = await h.api('POST', `/api/numbers/${encodeURIComponent(key)}/let-through`, {});
      expect(asked.status).toBe(200);
      expect((asked.json as { number: string; letThrough: { since: string } | null }).letThrough?.since).toMatch(/^20/);
      expect(await text(from, DIDS[0]!, 'Offerta')).toBe(200);
      expect(await text(from, DIDS[0]!, 'Offerta')).toBe(607);
      await h.app.register.flush();
      const after = await h.api('GET', `/api/numbers/${encodeURIComponent(key)}`);
      expect(after.json).toMatchObject({ letThrough: null, mark: { label: 'nuisance' } });
    }
    const { cookie } = await panelSession((p) => h.url(p), PASSWORD);
    const page = await (
      await fetch(h.url(`/numbers/${encodeURIComponent('raw:PROMO-ENERGIA')}`), {
        headers: { cookie: `${cookie}; crocetta_lang=it` },
      })
    ).text();
    expect(page).toContain('Fai passare il prossimo messaggio');
    // A caller ID that is neither (junk on a call) is still not offered it.
    const junk = await h.api('POST', `/api/numbers/${encodeURIComponent('raw:xx??')}/let-through`, {});
    expect(junk.status).toBe(400);
  });

  it("a short code's and a sender ID's pages say what their next text gets", async () => {
    await text('4880', DIDS[0]!);
    await text('Poste.it', DIDS[0]!);
    const short = await h.api('GET', `/api/numbers/${encodeURIComponent('raw:4880')}`);
    expect(short.json).toMatchObject({ verdict: 'trusted', reasons: [{ code: 'service-number' }] });
    const sender = await h.api('GET', `/api/numbers/${encodeURIComponent('raw:Poste.it')}`);
    expect(sender.json).toMatchObject({ verdict: 'unknown' });
    expect((sender.json as { reasons: { code: string }[] }).reasons.map((r) => r.code)).not.toContain(
      'unparsable-number',
    );
    const { cookie } = await panelSession((p) => h.url(p), PASSWORD);
    const page = await (
      await fetch(h.url(`/numbers/${encodeURIComponent('raw:Poste.it')}`), {
        headers: { cookie: `${cookie}; crocetta_lang=en` },
      })
    ).text();
    expect(page).toContain('Poste.it');
    expect(page).not.toContain('not a valid number');
    expect(page).toContain('A text message sender’s name (sender ID) as the carrier gave it');
  });
});
