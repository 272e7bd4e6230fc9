/**
 * The dashboard's "passed" are the calls that reached the office: a call crocetta let through that the PBX did not
 * answer (drachtio's 408) or answered unavailable (503) is counted undelivered once its outcome is known, as a call
 * no PBX was there to take; one the PBX answered, or declined busy, passed. One that rang (a 180 from the PBX) and
 * was never answered passed too: the office calls it unanswered (drachtio's 408 after its Timer C). Through the
 * drachtio double, the real SQLite register and the panel over HTTP.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildInvite } from '../support/drachtio-double.js';
import { attemptsOf, eventually, startHarness, type Harness } from '../support/crocetta-harness.js';
import { cardsOf } from '../support/panel-session.js';

/** One caller a call: a caller's earlier calls do not change how the next one is screened here. */
const CALLERS = ['+393471234560', '+393471234561', '+393471234562', '+393471234563'];
const DID = '+390612345678';

let h: Harness;

afterEach(async () => {
  await h.stop();
});

describe("the dashboard's undelivered calls, known from the PBX's answer", () => {
  beforeEach(async () => {
    h = await startHarness({ ADMIN_PASSWORD: 'office-pw' });
  });

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

describe("the dashboard's forwarded calls that drachtio-server ended with its own 408", () => {
  // drachtio's timers: the test moves crocetta's clock by what they stand for, then makes the double's run out.
  const TIMER_B = 32_000;
  const TIMER_C = 185_000;
  beforeEach(async () => {
    h = await startHarness({ ADMIN_PASSWORD: 'office-pw' });
  });

  it('a call that rang (180) and was never answered passed; one the PBX never answered at all is undelivered', async () => {
    let n = 0;
    h.double.onProxy(() => (n++ === 0 ? [{ status: 180 }] : []));
    const call = (from: string) =>
      h.double.injectRequest(buildInvite({ from, to: DID, requestUri: `sip:${DID}@127.0.0.1` }));

    const rang = call(CALLERS[0] ?? '');
    await rang.waitForResponse(180);
    h.clock.advance(TIMER_C); // Timer C, from the forward (the 180 came at once)
    rang.expireProxyTimer();
    expect(await rang.waitForFinal()).toMatchObject({ status: 408, byServer: true });

    const silent = call(CALLERS[1] ?? '');
    await eventually(() => silent.proxy?.targets[0]);
    h.clock.advance(TIMER_B); // Timer B: no answer at all
    silent.expireProxyTimer();
    expect(await silent.waitForFinal()).toMatchObject({ status: 408, byServer: true });

    const rows = await eventually(async () => {
      const both = await Promise.all(CALLERS.slice(0, 2).map(async (c) => (await attemptsOf(h, c))[0]));
      return both.every((r) => r?.outcome === 'timeout') ? both : undefined;
    });
    // Both as the PBX left them: drachtio's own 408, no final answer from the PBX (the panel's "no answer in time").
    expect(rows.map((r) => `${r?.outcome} ${r?.finalStatus}`)).toEqual(['timeout 408', 'timeout 408']);
    expect(await cardsOf((path) => h.url(path), 'office-pw', 'it')).toEqual([
      'Oggi: tentativi: 2',
      'Oggi: fermati: 0',
      'Oggi: passati: 1',
      'Oggi: non recapitati: 1',
      'Questa settimana: tentativi: 2',
      'Questa settimana: fermati: 0',
      'Questa settimana: passati: 1',
      'Questa settimana: non recapitati: 1',
    ]);
  });
});
