/**
 * The Request-URI user crocetta forwards to the PBX: the called number as the carrier sent it when it is a sane
 * dial string, else the DID crocetta could read (normalized) where drachtio-server will put it in the request line,
 * else a clear refusal. A caller's 237-character user must never reach drachtio-server's proxy as is (it cuts the
 * destination at 255 characters and answers 408 after 32 s, or never, when the host name is cut).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Attempt } from '../../src/store/register/types.js';
import { buildInvite } from '../support/drachtio-double.js';
import { attemptsOf, eventually, startHarness, type Harness } from '../support/crocetta-harness.js';
import { cardsOf } from '../support/panel-session.js';

const CALLER = '+393471234567';
const DID = '+390612345678';

let h: Harness;

beforeEach(async () => {
  h = await startHarness({ ADMIN_PASSWORD: 'office-pw' });
});
afterEach(async () => {
  await h.stop();
});

function rows(): Promise<Attempt[]> {
  return attemptsOf(h, CALLER);
}

/** The dashboard's cards, "label: count", as the office reads them in `lang`. */
const cards = (lang: 'it' | 'en'): Promise<string[]> => cardsOf((path) => h.url(path), 'office-pw', lang);

describe('the Request-URI user forwarded to the PBX', () => {
  it('a 237-character user is not forwarded as is: the PBX gets our DID, read from To, and the caller an answer', async () => {
    const user = '0'.repeat(37) + 'A'.repeat(200);
    const call = h.double.injectRequest(buildInvite({ from: CALLER, to: DID, requestUri: `sip:${user}@127.0.0.1` }));
    const final = await call.waitForFinal();
    expect(final.status).toBe(200);
    expect(call.proxy?.destinations).toEqual([`sip:${DID}@127.0.0.1:5080`]);
    const row = await eventually(async () => (await rows()).find((r) => r.outcome === 'answered'));
    expect(row).toMatchObject({ calledNumber: DID });
    expect(
      h.logs.some(
        (l) => l.msg === 'Request-URI user not forwarded as received' && /237 characters/.test(String(l.received)),
      ),
    ).toBe(true);
  });

  it('a marked caller to a 237-character user is refused 607, and the log still says the user would not be forwarded as received', async () => {
    const mark = await h.api('POST', `/api/numbers/${encodeURIComponent(CALLER)}/mark`, { label: 'nuisance' });
    expect(mark.status).toBe(200);
    const user = '0'.repeat(37) + 'A'.repeat(200);
    const call = h.double.injectRequest(buildInvite({ from: CALLER, to: DID, requestUri: `sip:${user}@127.0.0.1` }));
    expect((await call.waitForFinal()).status).toBe(607);
    expect(call.proxy).toBeUndefined();
    // Told once the answer has left (the refusal does not read the forward target before it).
    await eventually(() =>
      h.logs.find(
        (l) => l.msg === 'Request-URI user not forwarded as received' && /237 characters/.test(String(l.received)),
      ),
    );
    expect(h.logs.filter((l) => l.msg === 'Request-URI user not forwarded as received')).toHaveLength(1);
  });

  it('a junk user with no number in To either is refused 404 Not Found, registered, and not counted as a refusal', async () => {
    const junk = '%22x'.repeat(20);
    const call = h.double.injectRequest(
      buildInvite({ from: CALLER, to: 'sip:reception@203.0.113.99', requestUri: `sip:${junk}@127.0.0.1` }),
    );
    const final = await call.waitForFinal();
    expect(final.status).toBe(404);
    expect(call.proxy).toBeUndefined();
    const [row] = await rows();
    expect(row).toMatchObject({ outcome: 'rejected', finalStatus: 404, action: 'unroutable' });
    expect(row?.refusedAt ?? null).toBeNull();
    expect(row?.reasons.map((r) => r.text).join(' | ')).toMatch(/number called could not be read/);
  });

  it('a 300-character Request-URI, too long for drachtio to rewrite, is refused 414 at once (drachtio would never answer)', async () => {
    const user = '0'.repeat(37) + 'A'.repeat(263);
    const call = h.double.injectRequest(buildInvite({ from: CALLER, to: DID, requestUri: `sip:${user}@127.0.0.1` }));
    const final = await call.waitForFinal();
    expect(final.status).toBe(414);
    expect(call.proxy).toBeUndefined();
    const row = await eventually(async () => (await rows())[0]);
    expect(row).toMatchObject({ outcome: 'rejected', finalStatus: 414, action: 'unroutable' });
  });

  it('a request refused 404 or 414 for its unreadable called number is counted undelivered on the dashboard, not passed', async () => {
    const junk = '%22x'.repeat(20);
    const unreadable = h.double.injectRequest(
      buildInvite({ from: CALLER, to: 'sip:reception@203.0.113.99', requestUri: `sip:${junk}@127.0.0.1` }),
    );
    expect((await unreadable.waitForFinal()).status).toBe(404);
    const long = `sip:${'0'.repeat(37) + 'A'.repeat(263)}@127.0.0.1`;
    const tooLong = h.double.injectRequest(buildInvite({ from: CALLER, to: DID, requestUri: long }));
    expect((await tooLong.waitForFinal()).status).toBe(414);
    const fine = h.double.injectRequest(buildInvite({ from: CALLER, to: DID, requestUri: `sip:${DID}@127.0.0.1` }));
    expect((await fine.waitForFinal()).status).toBe(200);
    await h.app.register.flush();
    expect((await rows()).map((r) => r.action)).toEqual(['allow', 'unroutable', 'unroutable']);
    expect(await cards('it')).toEqual([
      'Oggi: tentativi: 3',
      'Oggi: fermati: 0',
      'Oggi: passati: 1',
      'Oggi: non recapitati: 2',
      'Questa settimana: tentativi: 3',
      'Questa settimana: fermati: 0',
      'Questa settimana: passati: 1',
      'Questa settimana: non recapitati: 2',
    ]);
    expect((await cards('en')).filter((c) => c.startsWith('Today'))).toEqual([
      'Today: attempts: 3',
      'Today: stopped: 0',
      'Today: passed: 1',
      'Today: undelivered: 2',
    ]);
  });

  it('a junk user addressed to another host is refused 404: drachtio would hand it to the PBX unchanged', async () => {
    const call = h.double.injectRequest(
      buildInvite({ from: CALLER, to: DID, requestUri: 'sip:%22x%22x@sip.carrier.example' }),
    );
    expect((await call.waitForFinal()).status).toBe(404);
    expect(call.proxy).toBeUndefined();
  });

  it('a DID in the carrier’s own format, or a registration account name, is forwarded untouched', async () => {
    for (const user of ['0612345678', '390612345678', '+390612345678', 'crocetta-trunk_1']) {
      const call = h.double.injectRequest(buildInvite({ from: CALLER, to: DID, requestUri: `sip:${user}@127.0.0.1` }));
      await call.waitForFinal();
      expect(call.proxy?.destinations).toEqual([`sip:${user}@127.0.0.1:5080`]);
    }
  });
});
