/**
 * The dashboard's "passed" are the calls that reached the office: a call crocetta let through that the PBX did not
 * answer (drachtio's 408) or answered unavailable (503) is counted undelivered once its outcome is known, as a call
 * no PBX was there to take; one the PBX answered, or declined busy, passed. Through the drachtio double, the real
 * SQLite register and the panel over HTTP.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildInvite } from '../support/drachtio-double.js';
import { attemptsOf, startHarness, type Harness } from '../support/crocetta-harness.js';
import { cardsOf } from '../support/panel-session.js';

/** One caller a call: a caller's earlier calls do not change how the next one is screened here. */
const CALLERS = ['+393471234560', '+393471234561', '+393471234562', '+393471234563'];
const DID = '+390612345678';

let h: Harness;

beforeEach(async () => {
  h = await startHarness({ ADMIN_PASSWORD: 'office-pw' });
});
afterEach(async () => {
  await h.stop();
});

describe("the dashboard's undelivered calls, known from the PBX's answer", () => {
  it('a PBX answering 503 or nothing (408) is undelivered; one answering 200 or 486 passed', async () => {
    const answers = [503, 200, 408, 486];
    let n = 0;
    h.double.onProxy(() => {
      const status = answers[n++] ?? 200;
      return status === 200 ? [{ status: 180 }, { status: 200 }] : [{ status }];
    });
    for (const [k, status] of answers.entries()) {
      const from = CALLERS[k] ?? '';
      const call = h.double.injectRequest(buildInvite({ from, to: DID, requestUri: `sip:${DID}@127.0.0.1` }));
      expect((await call.waitForFinal()).status).toBe(status);
    }
    const rows = await Promise.all(CALLERS.map(async (c) => (await attemptsOf(h, c))[0]));
    expect(rows.map((r) => `${r?.action} ${r?.outcome} ${r?.finalStatus}`)).toEqual([
      'allow declined 503',
      'allow answered 200',
      'allow declined 408', // drachtio's own 408 (no answer from the PBX in time), as the PBX's
      'allow declined 486',
    ]);
    expect(await cardsOf((path) => h.url(path), 'office-pw', 'it')).toEqual([
      'Oggi: tentativi: 4',
      'Oggi: fermati: 0',
      'Oggi: passati: 2',
      'Oggi: non recapitati: 2',
      'Questa settimana: tentativi: 4',
      'Questa settimana: fermati: 0',
      'Questa settimana: passati: 2',
      'Questa settimana: non recapitati: 2',
    ]);
  });
});
