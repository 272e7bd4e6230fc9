/**
 * The screening pipeline end to end: the real app, the real drachtio-srf client speaking the wire protocol to the
 * double, a real SQLite register and the real HTTP API. One test per outcome a user sees.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildInvite, buildMessage, headerOf } from '../support/drachtio-double.js';
import { attemptsOf, eventually, startHarness, type Harness } from '../support/crocetta-harness.js';

const DID = '+390612345678';
const DAY = 86_400_000;

let h: Harness;

function invite(from: string, extra: Parameters<typeof buildInvite>[0] extends infer O ? Partial<O> : never = {}) {
  return h.double.injectRequest(buildInvite({ from, to: DID, requestUri: `sip:${DID}@127.0.0.1`, ...extra }));
}

describe('screening pipeline through drachtio', () => {
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  it('refuses with 607 Unwanted a caller marked nuisance through the API, and registers why', async () => {
    const mark = await h.api('POST', '/api/numbers/%2B390298765432/mark', {
      label: 'nuisance',
      company: 'Example Energia',
      category: 'energy',
    });
    expect(mark.status).toBe(200);
    expect(mark.json).toMatchObject({ verdict: 'nuisance', mark: { label: 'nuisance', company: 'Example Energia' } });

    const call = invite('"Offerte Luce" <sip:0298765432@203.0.113.10>');
    const final = await call.waitForFinal();
    expect(final.status).toBe(607);
    expect(final.reason).toBe('Unwanted');
    expect(call.proxy).toBeUndefined();

    const [attempt] = await attemptsOf(h, '+390298765432');
    expect(attempt).toMatchObject({
      callerE164: '+390298765432',
      callerName: 'Offerte Luce',
      calledNumber: DID,
      verdict: 'nuisance',
      action: 'reject:607',
      outcome: 'rejected',
      finalStatus: 607,
      sourceAddress: '203.0.113.10',
    });
    expect(attempt?.reasons[0]?.text).toMatch(/marked nuisance by you on 5 Nov 2026 \(Example Energia, energy\)/);
    const decision = h.logs.find((l) => l.msg === 'decision' && l.caller === '+390298765432');
    expect(decision).toMatchObject({ verdict: 'nuisance', action: 'reject', sent: 'reject 607' });
  });

  it('proxies an unknown caller to the PBX with Record-Route, keeping our DID as the Request-URI user', async () => {
    h.double.onProxy(() => [{ status: 180 }, { status: 200 }]);
    const call = invite('+393471234567', { pai: 'tel:+393471234567' });
    const final = await call.waitForFinal();
    expect(final.status).toBe(200);
    expect(call.proxy?.destinations).toEqual([`sip:${DID}@127.0.0.1:5080`]);
    expect(call.proxy?.remainInDialog).toBe(true);
    expect(call.proxy?.headers['x-crocetta-verdict']).toBeUndefined();
    await eventually(async () =>
      (await attemptsOf(h, '+393471234567'))[0]?.outcome === 'answered' ? true : undefined,
    );
    const [attempt] = await attemptsOf(h, '+393471234567');
    expect(attempt).toMatchObject({ verdict: 'unknown', action: 'allow', finalStatus: 200, failOpen: false });
  });

  it('refuses the 3rd attempt after the office declined a caller, tagging the ones between', async () => {
    const caller = '+393331112233';
    h.double.onProxy(() => [{ status: 180 }, { status: 603 }]);
    expect((await invite(caller).waitForFinal()).status).toBe(603); // the office pressed "reject"
    await eventually(async () => ((await attemptsOf(h, caller))[0]?.finalStatus === 603 ? true : undefined));

    h.double.onProxy(() => [{ status: 486 }]);
    for (const nth of ['1st', '2nd']) {
      h.clock.advance(DAY / 2);
      const call = invite(caller);
      await call.waitForFinal();
      expect(call.proxy?.headers['x-crocetta-verdict']?.[0]).toMatch(/^suspect; score=0\.\d\d$/);
      const [latest] = await attemptsOf(h, caller);
      expect(latest?.reasons.map((r) => r.text).join(' | ')).toMatch(
        new RegExp(`${nth} attempt after a refusal on 5 Nov \\((the same day|within \\d+ days?)\\)`),
      );
    }

    h.clock.advance(DAY / 2);
    const third = invite(caller);
    expect((await third.waitForFinal()).status).toBe(607);
    const [latest] = await attemptsOf(h, caller);
    expect(latest).toMatchObject({ verdict: 'nuisance', action: 'reject:607', outcome: 'rejected' });
    expect(latest?.reasons[0]?.text).toMatch(/3rd attempt after a refusal on 5 Nov \(within 2 days\)/);
  });

  it('counts a call centre the office declines every time from its first refusal, also after a restart', async () => {
    const caller = '+393331114455';
    h.double.onProxy(() => [{ status: 180 }, { status: 603 }]); // the office presses "reject" at every call
    const texts: string[] = [];
    for (let n = 1; n <= 3; n++) {
      const call = invite(caller, { callId: `centre-${n}@203.0.113.10` });
      expect((await call.waitForFinal()).status).toBe(603);
      await eventually(async () => ((await attemptsOf(h, caller))[0]?.finalStatus === 603 ? true : undefined));
      const [latest] = await attemptsOf(h, caller);
      texts.push(latest?.reasons.map((r) => r.text).join(' | ') ?? '');
      h.clock.advance(2 * 3_600_000);
    }
    // Each refusal used to start the count again: "1st attempt" at every call back, let through for ever.
    expect(texts).toEqual([
      '',
      '1st attempt after a refusal on 5 Nov (the same day)',
      '2nd attempt after a refusal on 5 Nov (the same day)',
    ]);
    const fourth = invite(caller);
    expect((await fourth.waitForFinal()).status).toBe(607);
    expect(fourth.proxy).toBeUndefined();
    const [refused] = await attemptsOf(h, caller);
    expect(refused).toMatchObject({ verdict: 'nuisance', action: 'reject:607', outcome: 'rejected' });
    expect(refused?.reasons[0]?.text).toBe('3rd attempt after a refusal on 5 Nov (the same day)');

    // crocetta's own refusal does not start the count again either, and a restart (the index loaded from the
    // register) gives the same answer.
    await h.restartApp();
    h.clock.advance(2 * 3_600_000);
    expect((await invite(caller).waitForFinal()).status).toBe(607);
    const [after] = await attemptsOf(h, caller);
    expect(after?.reasons[0]?.text).toBe('4th attempt after a refusal on 5 Nov (the same day)');
  });

  it('lets through a caller cleared after a mistaken nuisance mark, its refusals under the mark not counted, after a restart too', async () => {
    const caller = '+393331116677';
    const key = encodeURIComponent(caller);
    const mark = async (label: 'nuisance' | 'none') => {
      expect((await h.api('POST', `/api/numbers/${key}/mark`, { label })).status).toBe(200);
      h.clock.advance(60_000);
    };
    await mark('nuisance');
    for (let n = 0; n < 3; n++) {
      expect((await invite(caller).waitForFinal()).status).toBe(607);
      h.clock.advance(61 * 60_000); // one call an hour: no burst
    }
    await mark('none'); // a customer, marked by mistake
    await h.restartApp();
    h.double.onProxy(() => [{ status: 180 }, { status: 200 }]);
    const call = invite(caller);
    expect((await call.waitForFinal()).status).toBe(200);
    await eventually(async () => ((await attemptsOf(h, caller))[0]?.finalStatus === 200 ? true : undefined));
    const [latest] = await attemptsOf(h, caller);
    expect(latest).toMatchObject({ verdict: 'unknown', action: 'allow', reasons: [] });
  });

  it('gives the telemarketing reason to Italian 0844 and French 0162 numbers', async () => {
    const it0844 = invite('08441234567');
    expect((await it0844.waitForFinal()).status).toBe(607);
    const fr = invite('+33162123456', { pai: '<sip:+33162123456@carrier.example;user=phone>' });
    expect((await fr.waitForFinal()).status).toBe(607);

    const [a] = await attemptsOf(h, '+3908441234567');
    expect(a?.reasons[0]?.text).toMatch(/AGCOM telemarketing prefix 0844/);
    const [b] = await attemptsOf(h, '+33162123456');
    expect(b?.reasons[0]?.text).toMatch(/ARCEP automated-calling range 0162/);
  });

  it('applies the withheld policy to Privacy: id (tagged by default) and keeps the asserted number', async () => {
    const call = invite('"Anonymous" <sip:anonymous@anonymous.invalid>', {
      pai: 'tel:+393401234567',
      privacy: 'id',
    });
    await call.waitForFinal();
    expect(call.proxy?.headers['x-crocetta-verdict']?.[0]).toMatch(/^suspect;/);
    // The register keeps the asserted number (the screening's); the office's API asked by those digits does not list
    // a withheld call (src/panel/withheld.ts, test/integration/withheld-privacy.test.ts).
    await h.app.register.flush();
    const [attempt] = await h.app.register.attempts({ callerKey: '+393401234567', limit: 1 });
    expect(attempt).toMatchObject({ withheld: true, verdict: 'suspect', action: 'tag', callerE164: '+393401234567' });
    expect(attempt?.reasons.map((r) => r.code)).toContain('withheld');
  });

  it('lets a tel: P-Asserted-Identity win over From', async () => {
    const call = invite('"Mario Rossi" <sip:0212345678@10.0.0.1>', { pai: ['tel:+390287654321'] });
    await call.waitForFinal();
    const [attempt] = await attemptsOf(h, '+390287654321');
    expect(attempt).toMatchObject({ callerE164: '+390287654321', callerSource: 'p-asserted-identity' });
    expect(await attemptsOf(h, '+390212345678')).toHaveLength(0);
  });

  it('refuses a MESSAGE from a nuisance number with 607 and registers its length, not its text', async () => {
    await h.api('POST', '/api/numbers/%2B393209998877/mark', { label: 'nuisance' });
    const sms = h.double.injectRequest(
      buildMessage({ from: '+393209998877', to: DID, body: 'Offerta imperdibile! Chiama ora' }),
    );
    expect((await sms.waitForFinal()).status).toBe(607);
    const [attempt] = await attemptsOf(h, '+393209998877');
    expect(attempt).toMatchObject({ kind: 'message', messageLength: 31, messageText: null, outcome: 'rejected' });
  });

  it('proxies an allowed MESSAGE to the PBX without Record-Route', async () => {
    h.double.onProxy(() => [{ status: 202 }]);
    const sms = h.double.injectRequest(buildMessage({ from: '+393209990000', to: DID, body: 'ciao' }));
    expect((await sms.waitForFinal()).status).toBe(202);
    expect(sms.proxy?.destinations).toEqual([`sip:${DID}@127.0.0.1:5080`]);
    expect(sms.proxy?.remainInDialog).toBe(false);
  });

  it('forwards the call when the register throws (fail open) and counts it', async () => {
    h.app.register.record = () => {
      throw new Error('disk on fire');
    };
    const call = invite('08441234567'); // would be refused if screening worked
    expect((await call.waitForFinal()).status).toBe(200);
    expect(call.proxy?.destinations).toEqual([`sip:${DID}@127.0.0.1:5080`]);
    const metrics = await h.api('GET', '/metrics', undefined, null);
    expect(String(metrics.json)).toMatch(/crocetta_fail_open_total\{stage="register"\} 1/);
  });

  it('forwards the call when classification throws (fail open) and registers it as such', async () => {
    h.app.register.evidenceFor = () => {
      throw new Error('index corrupted');
    };
    const call = invite('08441234567');
    expect((await call.waitForFinal()).status).toBe(200);
    const [attempt] = await attemptsOf(h, '+3908441234567');
    expect(attempt).toMatchObject({ failOpen: true, verdict: 'unknown', action: 'allow' });
    expect(attempt?.reasons[0]?.code).toBe('internal-error');
  });

  it('leaves no hanging transaction when the caller cancels during screening', async () => {
    const record = h.app.register.record.bind(h.app.register);
    // A slow disk: the commit takes longer than the cancel.
    h.app.register.record = (a) =>
      new Promise((resolve, reject) => {
        setTimeout(() => {
          record(a).then(resolve, reject);
        }, 150);
      });
    const call = invite('+393351234567');
    await new Promise((r) => setTimeout(r, 40));
    const cancelResponse = call.cancel();
    expect(cancelResponse.status).toBe(487);
    await new Promise((r) => setTimeout(r, 400));
    expect(call.proxy).toBeUndefined();
    expect(call.responses.filter((r) => r.origin === 'app' && r.status >= 200)).toHaveLength(0);
    await eventually(async () =>
      (await attemptsOf(h, '+393351234567'))[0]?.outcome === 'cancelled' ? true : undefined,
    );
  });

  it('/readyz with no registration trunk: the register and drachtio, no trunk check (none to say true of)', async () => {
    const ready = { status: 'ready', checks: { store: true, drachtio: true } };
    expect(await h.api('GET', '/readyz', undefined, null)).toEqual({ status: 200, json: ready });
    expect(await h.api('GET', '/readyz')).toEqual({ status: 200, json: ready });
  });

  it('reconnects after drachtio-server restarts and serves calls again', async () => {
    expect((await h.api('GET', '/readyz', undefined, null)).status).toBe(200);
    await h.restartDouble();
    await h.double.waitForRoutes(['invite', 'message'], 5000);
    await eventually(async () => ((await h.api('GET', '/readyz', undefined, null)).status === 200 ? true : undefined));
    h.double.onProxy(() => [{ status: 200 }]);
    expect((await invite('+393401112222').waitForFinal()).status).toBe(200);
  });
});

describe('screening pipeline, other modes', () => {
  afterEach(async () => {
    await h.stop();
  });

  it('redirects good calls with 302 to the PBX in redirect mode and still refuses nuisance', async () => {
    h = await startHarness({ FORWARD_MODE: 'redirect' });
    const good = invite('+393471234567');
    const final = await good.waitForFinal();
    expect(final.status).toBe(302);
    expect(headerOf(final, 'contact')).toBe(`<sip:${DID}@127.0.0.1:5080>`);
    expect(good.proxy).toBeUndefined();
    expect((await invite('08441234567').waitForFinal()).status).toBe(607);
  });

  it('uses the configured refusal codes: 433 for withheld callers, 608 for nuisance', async () => {
    h = await startHarness({ ACTION_WITHHELD: 'reject:433', ACTION_NUISANCE: 'reject:608' });
    const anon = invite('"Anonymous" <sip:anonymous@anonymous.invalid>', { privacy: 'id' });
    const a = await anon.waitForFinal();
    expect([a.status, a.reason]).toEqual([433, 'Anonymity Disallowed']);
    const tm = await invite('08441234567').waitForFinal();
    expect([tm.status, tm.reason]).toEqual([608, 'Rejected']);
  });

  it('answers bad API input with 400/401 and a clear message', async () => {
    h = await startHarness();
    expect((await h.api('GET', '/api/attempts', undefined, null)).status).toBe(401);
    expect((await h.api('GET', '/api/attempts', undefined, 'wrong')).status).toBe(401);
    const junk = await h.api('GET', '/api/numbers/not-a-number');
    expect(junk.status).toBe(400);
    expect((junk.json as { error: string }).error).toMatch(/not a phone number/);
    const badLabel = await h.api('POST', '/api/numbers/0212345678/mark', { label: 'spam' });
    expect(badLabel.status).toBe(400);
    expect(JSON.stringify(badLabel.json)).toMatch(/label/);
    const badJson = await h.api('POST', '/api/numbers/0212345678/mark', '{"label":');
    expect(badJson).toMatchObject({ status: 400, json: { error: 'invalid JSON body' } });
    expect((await h.api('GET', '/api/attempts?limit=0')).status).toBe(400);
    expect((await h.api('GET', '/api/attempts?since=yesterday')).status).toBe(400);
  });
});
